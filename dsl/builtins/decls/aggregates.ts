import { T, type BuiltinDecl, type Type } from '../types.js';

const fn = (name: string, args: [string, Type, string][], result: Type, description: string, example: string): BuiltinDecl => ({
  name, category: 'aggregates', result, description, example,
  args: args.map(([n, type, d]) => ({ name: n, type, description: d })),
});

const numbers = T.or(T.arr(T.num), T.set(T.num));
const collection = T.or(T.arr(), T.set());

export const decls: BuiltinDecl[] = [
  fn('count', [['collection', T.or(T.arr(), T.obj(), T.set(), T.str), 'the set/array/object/string to be counted']], T.num,
    'Count takes a collection or string and returns the number of elements (or characters) in it.', 'count(input.roles) > 0'),
  fn('sum', [['collection', numbers, 'the set or array of numbers to sum']], T.num,
    'Sums elements of an array or set of numbers.', 'sum([1, 2, 3])'),
  fn('product', [['collection', numbers, 'the set or array of numbers to multiply']], T.num,
    'Multiplies elements of an array or set of numbers.', 'product([2, 3, 4])'),
  fn('max', [['collection', collection, 'the set or array to be searched']], T.any,
    'Returns the maximum value in a collection; undefined for an empty one.', 'max([1, 5, 3])'),
  fn('min', [['collection', collection, 'the set or array to be searched']], T.any,
    'Returns the minimum value in a collection; undefined for an empty one.', 'min([1, 5, 3])'),
  fn('sort', [['collection', collection, 'the array or set to be sorted']], T.arr(),
    'Returns a sorted array.', 'sort({3, 1, 2})'),
];
