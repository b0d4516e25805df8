import { test } from 'node:test';
import { check, set } from './helpers.js';

const TE = 'eval_type_error' as const, BE = 'eval_builtin_error' as const;

test('plus, minus, mul are exact on integers and double on fractions', () => {
  check('plus', [
    { args: [1, 2], want: 3 },
    { args: [1, 2.5], want: 3.5 },
    { args: [9007199254740991, 2], want: 9007199254740993n },
    { args: [18446744073709551617n, 1], want: 18446744073709551618n },
    { args: [1e30, 1], want: 1000000000000000000000000000001n, note: 'integral doubles are the decimal they print as' },
    { args: ['a', 1], error: TE, message: 'plus: operand 1 must be number but got string' },
    { args: [1, null], error: TE, message: 'plus: operand 2 must be number but got null' },
  ]);
  check('minus', [
    { args: [5, 7], want: -2 },
    { args: [-18446744073709551617n, 1], want: -18446744073709551618n },
    { args: [set(1, 2, 3), set(2)], want: set(1, 3) },
    { args: [set(1), 1], error: TE, message: 'minus: operand 2 must be set but got number' },
    { args: [1, set(1)], error: TE, message: 'minus: operand 2 must be number but got set' },
    { args: ['x', 1], error: TE, message: 'minus: operand 1 must be one of {number, set} but got string' },
  ]);
  check('mul', [
    { args: [2147483647, 2147483647], want: 4611686014132420609n },
    { args: [18446744073709551617n, 2], want: 36893488147419103234n },
    { args: [2.5, 2], want: 5 },
  ]);
});

test('div and rem', () => {
  check('div', [
    { args: [6, 3], want: 2 },
    { args: [1, 4], want: 0.25 },
    { args: [-6, 3], want: -2 },
    { args: [36893488147419103234n, 2], want: 18446744073709551617n },
    { args: [1, 0], error: BE, message: 'div: divide by zero' },
    { args: [1, 0.0], error: BE, message: 'div: divide by zero' },
  ]);
  check('rem', [
    { args: [7, 4], want: 3 },
    { args: [-17, 5], want: -2 },
    { args: [17, -5], want: 2 },
    { args: [4.0, 3], want: 1 },
    { args: [10, 18446744073709551616n], want: 10 },
    { args: [18446744073709551617n, 18446744073709551616n], want: 1 },
    { args: [7, 0], error: BE, message: 'rem: modulo by zero' },
    { args: [1.1, 1], error: BE, message: 'rem: modulo on floating-point number' },
  ]);
});

test('set union and intersection operators', () => {
  check('or', [
    { args: [set(1, 2), set(2, 3)], want: set(1, 2, 3) },
    { args: [set(), set()], want: set() },
    { args: [[1], set()], error: TE, message: 'or: operand 1 must be set but got array' },
  ]);
  check('and', [
    { args: [set(1, 2), set(2, 3)], want: set(2) },
    { args: [set(1), set(2)], want: set() },
  ]);
});

test('comparisons follow the total order across types', () => {
  check('equal', [{ args: [1, 1.0], want: true }, { args: [1, '1'], want: false }, { args: [set(1, 2), set(2, 1)], want: true }]);
  check('neq', [{ args: [1, 2], want: true }]);
  check('lt', [{ args: [null, false], want: true }, { args: [3, 3.5], want: true }, { args: ['a', 1], want: false }, { args: [9007199254740993n, 9007199254740992], want: false }]);
  check('lte', [{ args: [3, 3], want: true }]);
  check('gt', [{ args: [[1, 2], [1]], want: true }]);
  check('gte', [{ args: [{ a: 1 }, [1]], want: true }]);
});

test('membership', () => {
  check('internal.member_2', [
    { args: [2, [1, 2]], want: true },
    { args: [2, set(1)], want: false },
    { args: [1, { a: 1 }], want: true },
    { args: ['a', 'abc'], want: false, note: 'strings are not collections' },
  ]);
  check('internal.member_3', [
    { args: [0, 'a', ['a', 'b']], want: true },
    { args: [1, 'a', ['a', 'b']], want: false },
    { args: ['k', 1, { k: 1 }], want: true },
    { args: [0.5, 'a', ['a']], want: false },
  ]);
});
