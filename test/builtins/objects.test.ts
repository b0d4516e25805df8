import { test } from 'node:test';
import { check, obj, set } from './helpers.js';

const TE = 'eval_type_error' as const;

test('object.get', () => {
  check('object.get', [
    { args: [{ a: 'b' }, 'a', 'c'], want: 'b' },
    { args: [{ a: 'b' }, 'x', 'c'], want: 'c' },
    { args: [obj([1, 2]), 1, 3], want: 2 },
    { args: [{ a: 1 }, [], 2], want: { a: 1 } },
    { args: [{ a: { b: [{ c: 1 }] } }, ['a', 'b', 0, 'c'], 2], want: 1 },
    { args: [{ a: { b: [1] } }, ['a', 'b', 'x'], 2], want: 2 },
    { args: [obj([1, { b: obj([[1, 2, 3], 1]) }]), [1, 'b', [1, 2, 3]], 2], want: 1 },
    { args: [{}, '__proto__', 'd'], want: 'd', note: 'no prototype lookups' },
    { args: ['x', ['a'], 2], error: TE, message: 'object.get: operand 1 must be object but got string' },
  ]);
});

test('object.keys, remove, filter', () => {
  check('object.keys', [{ args: [{ a: 1, b: 2 }], want: set('a', 'b') }, { args: [obj([[1], 1])], want: set([1]) }, { args: [{}], want: set() }]);
  check('object.remove', [
    { args: [{ a: 1, b: 2, d: 4 }, set('b', 'd')], want: { a: 1 } },
    { args: [{ a: 1, b: 2, d: 4 }, ['d', 'b']], want: { a: 1 } },
    { args: [{ a: 1, b: 2 }, { b: 'x' }], want: { a: 1 } },
    { args: [obj(['a', 1], [[[7]], 2]), set([[7]])], want: { a: 1 } },
    { args: [[], set('a')], error: TE, message: 'object.remove: operand 1 must be object but got array' },
    { args: [{ a: 1 }, 'a'], error: TE, message: 'object.remove: operand 2 must be one of {object, set, array} but got string' },
  ]);
  check('object.filter', [
    { args: [{ a: 1, b: 2, e: 9 }, ['a', 'e']], want: { a: 1, e: 9 } },
    { args: [{ a: 7 }, set()], want: {} },
    { args: [obj(['a', 1], [[[7]], 2]), set([[7]])], want: obj([[[7]], 2]) },
  ]);
});

test('object.union and union_n merge recursively, right wins', () => {
  check('object.union', [
    { args: [{ a: { b: { c: 1 } }, e: 1 }, { a: { b: 'foo', b1: 'bar' }, d: 7, e: 17 }], want: { a: { b: 'foo', b1: 'bar' }, d: 7, e: 17 } },
    { args: [{ a: { x: 1 } }, { a: { y: 2 } }], want: { a: { x: 1, y: 2 } } },
    { args: [{}, { a: 1 }], want: { a: 1 } },
    { args: [obj([1, 'a']), { b: 2 }], want: obj([1, 'a'], ['b', 2]) },
    { args: [[], {}], error: TE, message: 'object.union: operand 1 must be object but got array' },
  ]);
  check('object.union_n', [
    { args: [[{ a: 1, b: 2 }, { a: 'a', d: 4 }, { a: 'final' }]], want: { a: 'final', b: 2, d: 4 } },
    { args: [[]], want: {} },
    { args: [[1]], error: TE, message: 'object.union_n: operand 1 must be array of objects but got array containing number' },
  ]);
});

test('object.subset', () => {
  check('object.subset', [
    { args: [{ a: 5, b: 7, n: { x: 1, y: 2 } }, { a: 5, n: { x: 1 } }], want: true },
    { args: [{ a: 5 }, { a: 5, b: 1 }], want: false },
    { args: [set(1, 2, 3), set(3, 2)], want: true },
    { args: [set(1, 2, 3, set('a', 'b')), set(set('a'))], want: false },
    { args: [[1, 2, 3, 4], [2, 3]], want: true },
    { args: [[1, 2, 3, 4], [2, 4]], want: false },
    { args: [[1, 2, 3], set(3, 1)], want: true },
    { args: [set(1), [1]], error: TE },
    { args: [1, 1], error: TE },
  ]);
});
