import { T, type BuiltinDecl, type Type } from '../types.js';

const fn = (name: string, category: string, args: [string, Type, string][], result: Type, description: string, example: string): BuiltinDecl => ({
  name, category, result, description, example,
  args: args.map(([n, type, d]) => ({ name: n, type, description: d })),
});

const int2 = (name: string, description: string, example: string): BuiltinDecl =>
  fn(name, 'bits', [['x', T.num, 'the first integer'], ['y', T.num, 'the second integer']], T.num, description, example);

export const decls: BuiltinDecl[] = [
  fn('abs', 'numbers', [['x', T.num, 'the number to take the absolute value of']], T.num, 'Returns the number without its sign.', 'abs(-5)'),
  fn('round', 'numbers', [['x', T.num, 'the number to round']], T.num, 'Rounds the number to the nearest integer, halves away from zero.', 'round(2.5)'),
  fn('ceil', 'numbers', [['x', T.num, 'the number to round']], T.num, 'Rounds the number _up_ to the nearest integer.', 'ceil(1.2)'),
  fn('floor', 'numbers', [['x', T.num, 'the number to round']], T.num, 'Rounds the number _down_ to the nearest integer.', 'floor(1.8)'),
  fn('numbers.range', 'numbers', [['a', T.num, 'the start of the range'], ['b', T.num, 'the end of the range (inclusive)']], T.arr(T.num),
    'Returns an array of numbers in the given (inclusive) range. If `a==b`, then `range == [a]`; if `a > b`, the range is descending.', 'numbers.range(1, 5)'),
  fn('numbers.range_step', 'numbers', [['a', T.num, 'the start of the range'], ['b', T.num, 'the end of the range (inclusive)'], ['step', T.num, 'the step between numbers in the range']], T.arr(T.num),
    'Returns an array of numbers in the given (inclusive) range incremented by a positive step; descending when `a > b`.', 'numbers.range_step(0, 10, 2)'),
  int2('bits.and', 'Returns the bitwise "AND" of two integers.', 'bits.and(7, 9)'),
  int2('bits.or', 'Returns the bitwise "OR" of two integers.', 'bits.or(7, 9)'),
  int2('bits.xor', 'Returns the bitwise "XOR" (exclusive-or) of two integers.', 'bits.xor(42, 3)'),
  fn('bits.negate', 'bits', [['x', T.num, 'the integer to negate']], T.num, 'Returns the bitwise negation (flip) of an integer.', 'bits.negate(42)'),
  fn('bits.lsh', 'bits', [['x', T.num, 'the integer to shift'], ['s', T.num, 'the number of bits to shift']], T.num, 'Returns a new integer with its bits shifted `s` bits to the left.', 'bits.lsh(1, 3)'),
  fn('bits.rsh', 'bits', [['x', T.num, 'the integer to shift'], ['s', T.num, 'the number of bits to shift']], T.num, 'Returns a new integer with its bits shifted `s` bits to the right.', 'bits.rsh(8, 3)'),
];
