import { T, type BuiltinDecl } from '../types.js';

export const decls: BuiltinDecl[] = [
  {
    name: 'semver.is_valid', category: 'semver',
    args: [{ name: 'vsn', type: T.any, description: 'input to validate' }],
    result: T.bool,
    description: 'Validates that the input is a valid SemVer 2.0.0 string (no `v` prefix, no leading zeros). Non-strings are not valid.',
    example: 'semver.is_valid(input.client_version)',
  },
  {
    name: 'semver.compare', category: 'semver',
    args: [
      { name: 'a', type: T.str, description: 'first version string' },
      { name: 'b', type: T.str, description: 'second version string' },
    ],
    result: T.num,
    description: 'Compares two SemVer strings: `-1` if `a < b`, `0` if equal, `1` if `a > b`. Build metadata is ignored. An invalid version is an error.',
    example: 'semver.compare(input.client_version, "2.4.0") >= 0',
  },
];
