import { T, type BuiltinDecl } from '../types.js';

export const decls: BuiltinDecl[] = [
  {
    name: 'rand.intn', category: 'rand',
    args: [
      { name: 'str', type: T.str, description: 'seed string for the random number' },
      { name: 'n', type: T.num, description: 'upper bound of the random number (exclusive); its sign is ignored' },
    ],
    result: T.num,
    description: 'Returns a random integer in `[0, |n|)` (0 when `n` is 0). Within one evaluation the same `(str, n)` always gives the same number.',
    example: 'rand.intn("canary", 100) < 5',
    nondeterministic: true,
  },
];
