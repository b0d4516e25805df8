import { test } from 'node:test';
import { check } from './helpers.js';

const TE = 'eval_type_error' as const, BE = 'eval_builtin_error' as const;

test('abs, round, ceil, floor', () => {
  check('abs', [{ args: [-5], want: 5 }, { args: [-2.5], want: 2.5 }, { args: [-9223372036854775808n], want: 9223372036854775808n }]);
  check('round', [{ args: [2.5], want: 3 }, { args: [-2.5], want: -3 }, { args: [2.4], want: 2 }, { args: [-5], want: -5 }, { args: ['1'], error: TE }]);
  check('ceil', [{ args: [1.01], want: 2 }, { args: [-1.99999], want: -1 }, { args: [1], want: 1 }]);
  check('floor', [{ args: [1.5], want: 1 }, { args: [-1.001], want: -2 }]);
});

test('numbers.range and numbers.range_step', () => {
  check('numbers.range', [
    { args: [0, 0], want: [0] },
    { args: [-2, 3], want: [-2, -1, 0, 1, 2, 3] },
    { args: [2, -1], want: [2, 1, 0, -1] },
    { args: [9007199254740991, 9007199254740993n], want: [9007199254740991, 9007199254740992n, 9007199254740993n] },
    { args: [3.14, 4], error: TE, message: 'numbers.range: operand 1 must be integer number but got floating-point number' },
    { args: [0, 1e12], error: BE, note: 'refuses ranges that would exhaust memory' },
  ]);
  check('numbers.range_step', [
    { args: [0, 10, 2], want: [0, 2, 4, 6, 8, 10] },
    { args: [10, 3, 2], want: [10, 8, 6, 4] },
    { args: [2, 5, 2], want: [2, 4] },
    { args: [0, 10, 99999999999999999999n], want: [0] },
    { args: [0, 10, -2], error: BE, message: 'numbers.range_step: step must be a positive integer' },
    { args: [0, 10, 0], error: BE },
  ]);
});

test('bits', () => {
  check('bits.and', [{ args: [7, 9], want: 1 }, { args: [7.2, 42], error: TE, message: 'bits.and: operand 1 must be integer number but got floating-point number' }]);
  check('bits.or', [{ args: [7, 9], want: 15 }]);
  check('bits.xor', [{ args: [42, 3], want: 41 }]);
  check('bits.negate', [{ args: [42], want: -43 }]);
  check('bits.lsh', [
    { args: [1, 3], want: 8 },
    { args: [9223372036854775807n, 1], want: 18446744073709551614n },
    { args: [7, -1], error: TE, message: 'bits.lsh: operand 2 must be an unsigned integer number but got a negative integer' },
    { args: [1, 1e9], error: BE, note: 'refuses shifts that would exhaust memory' },
  ]);
  check('bits.rsh', [{ args: [8, 3], want: 1 }, { args: [-8, 1], want: -4 }]);
});
