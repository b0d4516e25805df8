import { test } from 'node:test';
import { check, set } from './helpers.js';

const TE = 'eval_type_error' as const;

test('count', () => {
  check('count', [
    { args: [[1, 2, 3]], want: 3 },
    { args: [set()], want: 0 },
    { args: [{ a: 1, b: 2 }], want: 2 },
    { args: ['åäö😀'], want: 4, note: 'characters, not UTF-16 units' },
    { args: [5], error: TE, message: 'count: operand 1 must be one of {array, object, set, string} but got number' },
    { args: [null], error: TE, message: 'count: operand 1 must be one of {array, object, set, string} but got null' },
  ]);
});

test('sum and product', () => {
  check('sum', [
    { args: [[1, 2, 3]], want: 6 },
    { args: [set(1.5, 2.5)], want: 4 },
    { args: [[]], want: 0 },
    { args: [[9007199254740991, 9007199254740991]], want: 18014398509481982n },
    { args: [['a']], error: TE, message: 'sum: operand 1 must be array of numbers but got array containing string' },
    { args: [{}], error: TE },
  ]);
  check('product', [
    { args: [[2, 3, 4]], want: 24 },
    { args: [[]], want: 1 },
    { args: [[4294967296, 4294967296]], want: 18446744073709551616n },
  ]);
});

test('max, min, sort', () => {
  check('max', [
    { args: [[3, 3.5, 3.25]], want: 3.5 },
    { args: [[]], want: undefined },
    { args: [set('a', 1, null)], want: 'a' },
  ]);
  check('min', [{ args: [[3, 2.75, 2.7499]], want: 2.7499 }, { args: [set()], want: undefined }]);
  check('sort', [
    { args: [[3.5, 3, 3.25, -2.5, 1, 0.5]], want: [-2.5, 0.5, 1, 3, 3.25, 3.5] },
    { args: [set('b', 'a')], want: ['a', 'b'] },
    { args: [[[2], 'x', null, { a: 1 }]], want: [null, 'x', [2], { a: 1 }] },
    { args: ['ab'], error: TE, message: 'sort: operand 1 must be one of {array, set} but got string' },
  ]);
});
