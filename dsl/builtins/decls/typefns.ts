import { T, type BuiltinDecl, type Type } from '../types.js';

const is = (name: string, what: string): BuiltinDecl => ({
  name, category: 'types', result: T.bool,
  args: [{ name: 'x', type: T.any, description: 'input value' }],
  description: `Returns \`true\` if the input value is ${what}.`,
  example: `${name}(input.x)`,
});

const fn = (name: string, args: [string, Type, string][], result: Type, description: string, example: string): BuiltinDecl => ({
  name, category: 'types', result, description, example,
  args: args.map(([n, type, d]) => ({ name: n, type, description: d })),
});

export const decls: BuiltinDecl[] = [
  is('is_number', 'a number'),
  is('is_string', 'a string'),
  is('is_boolean', 'a boolean'),
  is('is_array', 'an array'),
  is('is_set', 'a set'),
  is('is_object', 'an object'),
  is('is_null', 'null'),
  fn('type_name', [['x', T.any, 'input value']], T.str,
    'Returns the type of its input value: "null", "boolean", "number", "string", "array", "object" or "set".', 'type_name(input.x)'),
  fn('to_number', [['x', T.or(T.null, T.bool, T.num, T.str), 'value to convert']], T.num,
    'Converts a string, bool, or number value to a number: strings are parsed as decimal numbers, booleans become 0 or 1, null becomes 0.', 'to_number("42")'),
];
