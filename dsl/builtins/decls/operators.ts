import { T, type BuiltinDecl, type Type } from '../types.js';

const op = (name: string, infix: string, args: [string, Type][], result: Type, description: string, example: string): BuiltinDecl => ({
  name, category: 'operators', infix, result, description, example,
  args: args.map(([n, type]) => ({ name: n, type })),
});

const numOrSet = T.or(T.num, T.set());

export const decls: BuiltinDecl[] = [
  op('plus', '+', [['x', T.num], ['y', T.num]], T.num, 'Plus adds two numbers together.', 'x := 1 + 2'),
  op('minus', '-', [['x', numOrSet], ['y', numOrSet]], numOrSet, 'Minus subtracts the second number from the first number or computes the difference between two sets.', 'x := 5 - 2'),
  op('mul', '*', [['x', T.num], ['y', T.num]], T.num, 'Multiplies two numbers.', 'x := 3 * 4'),
  op('div', '/', [['x', T.num], ['y', T.num]], T.num, 'Divides the first number by the second number.', 'x := 10 / 4'),
  op('rem', '%', [['x', T.num], ['y', T.num]], T.num, 'Returns the remainder for of `x` divided by `y`, for `y != 0`.', 'x := 7 % 3'),
  op('or', '|', [['x', T.set()], ['y', T.set()]], T.set(), 'Returns the union of two sets.', 'x := {1, 2} | {2, 3}'),
  op('and', '&', [['x', T.set()], ['y', T.set()]], T.set(), 'Returns the intersection of two sets.', 'x := {1, 2} & {2, 3}'),
  op('equal', '==', [['x', T.any], ['y', T.any]], T.bool, 'Checks if two values are equal.', 'input.method == "GET"'),
  op('neq', '!=', [['x', T.any], ['y', T.any]], T.bool, 'Checks if two values are not equal.', 'input.method != "GET"'),
  op('lt', '<', [['x', T.any], ['y', T.any]], T.bool, 'Checks if the first value is less than the second value.', 'input.age < 18'),
  op('lte', '<=', [['x', T.any], ['y', T.any]], T.bool, 'Checks if the first value is less than or equal to the second value.', 'input.age <= 18'),
  op('gt', '>', [['x', T.any], ['y', T.any]], T.bool, 'Checks if the first value is greater than the second value.', 'input.age > 18'),
  op('gte', '>=', [['x', T.any], ['y', T.any]], T.bool, 'Checks if the first value is greater than or equal to the second value.', 'input.age >= 18'),
  op('internal.member_2', 'in', [['x', T.any], ['y', T.any]], T.bool, 'Checks if the first value is a member of the collection (array elements, set members, object values).', '"admin" in input.roles'),
  op('internal.member_3', 'in', [['k', T.any], ['v', T.any], ['y', T.any]], T.bool, 'Checks if the key/index and value pair is in the collection.', '0, "a" in ["a", "b"]'),
];
