import { T, type BuiltinDecl, type Type } from '../types.js';

const fn = (name: string, args: [string, Type, string][], result: Type, description: string, example: string): BuiltinDecl => ({
  name, category: 'regex', result, description, example,
  args: args.map(([n, type, d]) => ({ name: n, type, description: d })),
});
const s = T.str;

export const decls: BuiltinDecl[] = [
  fn('regex.match', [['pattern', s, 'regular expression (RE2 syntax)'], ['value', s, 'value to match against `pattern`']], T.bool,
    'Matches a string against a regular expression.', 'regex.match(`^[a-z]+$`, input.user)'),
  fn('regex.is_valid', [['pattern', T.any, 'regular expression']], T.bool,
    'Checks if a string is a valid regular expression (RE2 syntax).', 'regex.is_valid(`[a-z]+`)'),
  fn('regex.split', [['pattern', s, 'regular expression'], ['value', s, 'string to match']], T.arr(s),
    'Splits the input string by the occurrences of the given pattern.', 'regex.split(`[,;]`, "a,b;c")'),
  fn('regex.find_n', [['pattern', s, 'regular expression'], ['value', s, 'string to match'], ['number', T.num, 'number of matches to return; -1 means all matches']], T.arr(s),
    'Returns the specified number of matches when matching the input against the pattern.', 'regex.find_n(`a.`, "paranormal", -1)'),
  fn('regex.find_all_string_submatch_n', [['pattern', s, 'regular expression'], ['value', s, 'string to match'], ['number', T.num, 'number of matches to return; -1 means all matches']], T.arr(T.arr(s)),
    'Returns all successive matches of the expression, each with its submatches.', 'regex.find_all_string_submatch_n(`a(x*)b`, "-axxb-ab-", -1)'),
  fn('regex.replace', [['s', s, 'string being processed'], ['pattern', s, 'regex pattern to be applied'], ['value', s, 'replacement; `$1` or `${name}` expand submatches']], s,
    'Replaces all matches of a regular expression with a replacement string.', 'regex.replace(input.path, `/+`, "/")'),
  fn('regex.template_match', [['template', s, 'template expression containing `0..n` regular expressions'], ['value', s, 'string to match'], ['delimiter_start', s, 'start delimiter of the regular expression in `template`'], ['delimiter_end', s, 'end delimiter of the regular expression in `template`']], T.bool,
    'Matches a string against a pattern, where the pattern may be glob-like and contain regular expressions between delimiters.', 'regex.template_match("urn:foo:{.*}", input.urn, "{", "}")'),
  fn('regex.globs_match', [['glob1', s, 'first glob-style regular expression'], ['glob2', s, 'second glob-style regular expression']], T.bool,
    'Checks if the intersection of two glob-style regular expressions matches a non-empty set of non-empty strings. The set of regex symbols is limited to: `.`, `*`, `+`, `[`, `-`, `]` and `\\`.', 'regex.globs_match("a.a.[0-9]+z", ".b.b2359825792*594823z")'),
];
