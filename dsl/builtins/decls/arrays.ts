import { T, type BuiltinDecl, type Type } from '../types.js';

const fn = (name: string, args: [string, Type, string][], result: Type, description: string, example: string): BuiltinDecl => ({
  name, category: 'arrays', result, description, example,
  args: args.map(([n, type, d]) => ({ name: n, type, description: d })),
});

export const decls: BuiltinDecl[] = [
  fn('array.concat', [['x', T.arr(), 'the first array'], ['y', T.arr(), 'the second array']], T.arr(),
    'Concatenates two arrays.', 'array.concat([1, 2], [3])'),
  fn('array.slice', [['arr', T.arr(), 'the array to be sliced'], ['start', T.num, 'the start index of the returned slice; if less than zero, it\'s clamped to 0'], ['stop', T.num, 'the stop index of the returned slice; if larger than `count(arr)`, it\'s clamped to `count(arr)`']], T.arr(),
    'Returns a slice of a given array. If `start` is greater or equal than `stop`, `slice` is `[]`.', 'array.slice([1, 2, 3, 4], 1, 3)'),
  fn('array.reverse', [['arr', T.arr(), 'the array to be reversed']], T.arr(),
    'Returns the reverse of a given array.', 'array.reverse([1, 2, 3])'),
  fn('array.flatten', [['arr', T.arr(), 'the array to flatten one level']], T.arr(),
    'Flattens nested arrays one level deep; other elements are kept as they are.', 'array.flatten([[1, 2], 3])'),
];
