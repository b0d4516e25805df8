import { test } from 'node:test';
import { check, obj, set } from './helpers.js';

test('type tests and type_name', () => {
  check('is_number', [{ args: [1], want: true }, { args: [1n << 70n], want: true }, { args: ['1'], want: false }]);
  check('is_string', [{ args: ['a'], want: true }, { args: [1], want: false }]);
  check('is_boolean', [{ args: [false], want: true }, { args: [null], want: false }]);
  check('is_array', [{ args: [[]], want: true }, { args: [set()], want: false }]);
  check('is_set', [{ args: [set()], want: true }, { args: [[]], want: false }]);
  check('is_object', [{ args: [{}], want: true }, { args: [obj([1, 2])], want: true }, { args: [set()], want: false }]);
  check('is_null', [{ args: [null], want: true }, { args: [0], want: false }]);
  check('type_name', [
    { args: [null], want: 'null' }, { args: [true], want: 'boolean' }, { args: [1.5], want: 'number' },
    { args: ['x'], want: 'string' }, { args: [[1]], want: 'array' }, { args: [set(1)], want: 'set' }, { args: [obj([1, 2])], want: 'object' },
  ]);
});

test('to_number', () => {
  check('to_number', [
    { args: ['-42.0'], want: -42 },
    { args: ['3'], want: 3 },
    { args: ['+1.5e2'], want: 150 },
    { args: ['123456789012345678901234'], want: 123456789012345678901234n },
    { args: [false], want: 0 },
    { args: [true], want: 1 },
    { args: [null], want: 0 },
    { args: [100.1], want: 100.1 },
    { args: ['broken'], error: 'eval_builtin_error' },
    { args: [''], error: 'eval_builtin_error' },
    { args: [' 1'], error: 'eval_builtin_error', note: 'no whitespace, as Go' },
    { args: ['0x10'], error: 'eval_builtin_error' },
    { args: ['nan'], error: 'eval_type_error' },
    { args: ['-Infinity'], error: 'eval_type_error' },
    { args: [[1]], error: 'eval_type_error', message: 'to_number: operand 1 must be one of {null, boolean, number, string} but got array' },
  ]);
});
