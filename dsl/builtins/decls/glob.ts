import { T, type BuiltinDecl } from '../types.js';

export const decls: BuiltinDecl[] = [
  {
    name: 'glob.match', category: 'glob', result: T.bool,
    args: [
      { name: 'pattern', type: T.str, description: 'glob pattern' },
      { name: 'delimiters', type: T.or(T.arr(T.str), T.null), description: 'glob pattern delimiters, e.g. `[".", ":"]`; `[]` means `["."]`, `null` means none' },
      { name: 'match', type: T.str, description: 'string to match against `pattern`' },
    ],
    description: 'Parses and matches strings against the glob notation: `*` (any run of non-delimiter characters), `**` (any run), `?`, `[abc]`, `[!a-c]`, `{a,b}` and `\\` escapes.',
    example: 'glob.match("*.example.com", ["."], input.host)',
  },
  {
    name: 'glob.quote_meta', category: 'glob', result: T.str,
    args: [{ name: 'pattern', type: T.str, description: 'glob pattern' }],
    description: 'Returns a string which represents a version of the pattern where all asterisks have been escaped.',
    example: 'glob.quote_meta("*.github.com")',
  },
];
