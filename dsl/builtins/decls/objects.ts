import { T, type BuiltinDecl, type Type } from '../types.js';

const fn = (name: string, args: [string, Type, string][], result: Type, description: string, example: string): BuiltinDecl => ({
  name, category: 'objects', result, description, example,
  args: args.map(([n, type, d]) => ({ name: n, type, description: d })),
});

const keyCollection = T.or(T.obj(), T.set(), T.arr());
const collection = T.or(T.arr(), T.obj(), T.set());

export const decls: BuiltinDecl[] = [
  fn('object.get', [['object', T.obj(), 'object to get `key` from'], ['key', T.any, 'key to lookup in `object`; an array is a path of keys'], ['default', T.any, 'default to use when lookup fails']], T.any,
    'Returns value of an object\'s key if present, otherwise a default. If the supplied `key` is an array, it is treated as a path into nested objects and arrays.', 'object.get(input.user, "role", "guest")'),
  fn('object.keys', [['object', T.obj(), 'object to get keys from']], T.set(),
    'Returns a set of an object\'s keys.', 'object.keys({"a": 1, "b": 2})'),
  fn('object.remove', [['object', T.obj(), 'object to remove keys from'], ['keys', keyCollection, 'keys to remove from x']], T.obj(),
    'Removes specified keys from an object.', 'object.remove(input.user, {"password"})'),
  fn('object.filter', [['object', T.obj(), 'object to filter keys'], ['keys', keyCollection, 'keys to keep in `object`']], T.obj(),
    'Filters the object by keeping only specified keys.', 'object.filter(input.user, ["name", "email"])'),
  fn('object.union', [['a', T.obj(), 'left-hand object'], ['b', T.obj(), 'right-hand object']], T.obj(),
    'Creates a new object of the asymmetric union of two objects: nested objects are merged, and `b` wins on conflicts.', 'object.union({"a": 1}, {"b": 2})'),
  fn('object.union_n', [['objects', T.arr(T.obj()), 'list of objects to merge']], T.obj(),
    'Creates a new object that is the asymmetric union of all objects merged from left to right.', 'object.union_n([{"a": 1}, {"b": 2}])'),
  fn('object.subset', [['super', collection, 'object to test if sub is a subset of'], ['sub', collection, 'object to test if super is a superset of']], T.bool,
    'Determines if an object `sub` is a subset of another object `super`: every key of `sub` is in `super` with a value that is (recursively) a subset. Also works for sets, arrays (contiguous sub-array) and an array with a set.', 'object.subset({"a": 1, "b": 2}, {"a": 1})'),
];
