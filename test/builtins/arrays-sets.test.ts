import { test } from 'node:test';
import { check, set } from './helpers.js';

const TE = 'eval_type_error' as const;

test('array builtins', () => {
  check('array.concat', [{ args: [[1, 2], [3]], want: [1, 2, 3] }, { args: [{}, []], error: TE, message: 'array.concat: operand 1 must be array but got object' }]);
  check('array.slice', [
    { args: [[1, 2, 3, 4, 5], 1, 3], want: [2, 3] },
    { args: [[1, 2, 3, 4, 5], -1, 2], want: [1, 2] },
    { args: [[1, 2, 3, 4, 5], 3, 6], want: [4, 5] },
    { args: [[1, 2, 3, 4, 5], 4, 1], want: [] },
    { args: [[1, 2, 3], 1000, 2000], want: [] },
    { args: [[1], 0.5, 1], error: TE },
  ]);
  check('array.reverse', [{ args: [[1, 2, 3]], want: [3, 2, 1] }, { args: [[]], want: [] }]);
  check('array.flatten', [
    { args: [[[1, 2], 'x', [3, [4]]]], want: [1, 2, 'x', 3, [4]] },
    { args: [42], error: TE, message: 'array.flatten: operand 1 must be array but got number' },
  ]);
});

test('union and intersection of a set of sets', () => {
  check('union', [{ args: [set(set(1, 2), set(2, 3))], want: set(1, 2, 3) }, { args: [set()], want: set() }]);
  check('intersection', [
    { args: [set(set(1, 2, 3), set(2, 3, 4))], want: set(2, 3) },
    { args: [set(set(), set(1))], want: set() },
    { args: [set()], want: set() },
    { args: [set(1)], error: TE, message: 'intersection: operand 1 must be set of sets but got set containing number' },
  ]);
});
