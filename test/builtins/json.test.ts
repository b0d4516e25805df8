import { test } from 'node:test';
import assert from 'node:assert/strict';
import { call, check, obj, set } from './helpers.js';

const TE = 'eval_type_error' as const, BE = 'eval_builtin_error' as const;

test('json.marshal, marshal_with_options, unmarshal, is_valid', () => {
  check('json.marshal', [
    { args: [[{ foo: set(3, 1, 2) }]], want: '[{"foo":[1,2,3]}]' },
    { args: [{ b: 1, a: '<&>' }], want: '{"a":"\\u003c\\u0026\\u003e","b":1}' },
    { args: [obj([1, 'x'])], want: '{"1":"x"}' },
    { args: [[123456789012345678901234567890n]], want: '[123456789012345678901234567890]' },
  ]);
  check('json.marshal_with_options', [
    { args: [[1, 2], { indent: '  ' }], want: '[\n  1,\n  2\n]' },
    { args: [[1, 2], {}], want: '[1,2]' },
    { args: [[1], { pretty: true }], want: '[\n\t1\n]' },
    { args: [[1], { pretty: false, prefix: 'NO!', indent: 'BAD!' }], want: '[1]' },
    { args: [{ foo: 'bar' }, { prefix: '> ' }], want: '> {\n> \t"foo": "bar"\n> }' },
    { args: [[], { indent: '    ', prefix: '---' }], want: '---[]' },
    { args: [[], { bogus: true }], error: TE, message: 'json.marshal_with_options: object contained unknown key "bogus"' },
  ]);
  check('json.unmarshal', [
    { args: ['[{"foo":[1,2,3]}]'], want: [{ foo: [1, 2, 3] }] },
    { args: ['{"n": 123456789012345678901}'], want: { n: 123456789012345678901n } },
    { args: ['{'], error: BE },
    { args: [1], error: TE, message: 'json.unmarshal: operand 1 must be string but got number' },
  ]);
  check('json.is_valid', [{ args: ['{"json": "ok"}'], want: true }, { args: ['{'], want: false }, { args: [1], want: false }]);
});

test('yaml', () => {
  check('yaml.unmarshal', [
    { args: ['foo:\n  - qux: bar\n  - baz: 2\n'], want: { foo: [{ qux: 'bar' }, { baz: 2 }] } },
    { args: ['[1,2,3'], error: BE },
  ]);
  check('yaml.is_valid', [{ args: ['a: 1'], want: true }, { args: ['a: {'], want: false }, { args: [1], want: false }]);
  const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
  for (let i = 1; i < 9; i++) bomb.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10).fill('*' + String.fromCharCode(96 + i)).join(', ')}]`);
  check('yaml.unmarshal', [{ args: [bomb.join('\n')], error: BE, note: 'alias expansion is bounded' }]);
  const text = call('yaml.marshal', [{ foo: set(1, 2, 3) }]) as string;
  assert.deepEqual(call('yaml.unmarshal', text), [{ foo: [1, 2, 3] }]);
});

test('json.filter and json.remove', () => {
  const doc = { a: { b: { c: 7, d: 8 } }, e: 9 };
  check('json.filter', [
    { args: [doc, set('a/b/c', 'e')], want: { a: { b: { c: 7 } }, e: 9 } },
    { args: [{ a: [{ b: 7, c: 8 }, { d: 9 }] }, set('a/0/b', 'a/1')], want: { a: [{ b: 7 }, { d: 9 }] } },
    { args: [doc, set(['a', 'b', 'c'], ['e'])], want: { a: { b: { c: 7 } }, e: 9 } },
    { args: [{ a: 7 }, set()], want: {} },
  ]);
  check('json.remove', [
    { args: [doc, set('a/b/c', 'e')], want: { a: { b: { d: 8 } } } },
    { args: [{ a: [{ b: 7, c: 8 }, { d: 9 }] }, set('a/0/b', 'a/1')], want: { a: [{ c: 8 }] } },
    { args: [{ a: { b: 7 }, c: 1 }, set('a', 'c')], want: {} },
    { args: ['x', set('a')], error: TE, message: 'json.remove: operand 1 must be object but got string' },
    { args: [{}, 'a'], error: TE, message: 'json.remove: operand 2 must be one of {set, array} but got string' },
    { args: [{}, [1]], error: TE, message: 'json.remove: operand 2 must be one of {set, array} containing string paths or array of path segments but got number' },
  ]);
});

test('json.patch', () => {
  check('json.patch', [
    { args: [{ foo: 'bar' }, [{ op: 'add', path: '/baz', value: 'qux' }]], want: { foo: 'bar', baz: 'qux' } },
    { args: [{ foo: ['bar', 'baz'] }, [{ op: 'add', path: '/foo/1', value: 'x' }]], want: { foo: ['bar', 'x', 'baz'] } },
    { args: [{ foo: ['bar'] }, [{ op: 'add', path: '/foo/-', value: 'x' }]], want: { foo: ['bar', 'x'] } },
    { args: [{ a: 1, b: 2 }, [{ op: 'remove', path: '/a' }]], want: { b: 2 } },
    { args: [{ a: 1 }, [{ op: 'replace', path: '/a', value: 3 }]], want: { a: 3 } },
    { args: [{ a: { x: 1 }, b: {} }, [{ op: 'move', from: '/a/x', path: '/b/x' }]], want: { a: {}, b: { x: 1 } } },
    { args: [{ a: 1 }, [{ op: 'copy', from: '/a', path: '/b' }]], want: { a: 1, b: 1 } },
    { args: [{ a: 1 }, [{ op: 'test', path: '/a', value: 1 }]], want: { a: 1 } },
    { args: [{}, [{ op: 'add', path: '/', value: 1 }]], want: { '': 1 } },
    { args: [{ foo: set('a', 'b') }, [{ op: 'remove', path: 'foo/b' }]], want: { foo: set('a') } },
    { args: [{ foo: set('a') }, [{ op: 'add', path: 'foo/d', value: 'd' }]], want: { foo: set('a', 'd') } },
    { args: [set([1]), [{ op: 'add', path: [[1], 1], value: 2 }]], want: set([1, 2]) },
    { args: [{ a: 1 }, [{ op: 'test', path: '/a', value: 2 }]], error: BE },
    { args: [{ q: {} }, [{ op: 'add', path: '/a/b', value: 1 }]], error: BE },
    { args: [[1, 2, 3], [{ op: 'add', path: '1.2', value: 'x' }]], error: BE },
    { args: [{ foo: set('a') }, [{ op: 'add', path: 'foo/d', value: 'e' }]], error: BE },
  ]);
});

test('json schema builtins', () => {
  const schema = { properties: { id: { type: 'integer' } }, required: ['id'] };
  check('json.match_schema', [
    { args: [{ id: 5 }, schema], want: [true, []] },
    { args: ['{"id": 5}', JSON.stringify(schema)], want: [true, []] },
    {
      args: [{ id: 'foo' }, schema],
      want: [false, [{ desc: 'Invalid type. Expected: integer, given: string', error: 'id: Invalid type. Expected: integer, given: string', field: 'id', type: 'invalid_type' }]],
    },
    { args: [{}, schema], want: [false, [{ desc: 'id is required', error: '(root): id is required', field: '(root)', type: 'required' }]] },
    {
      args: [{ id: 'x' }, { properties: { id: { type: 'unknown' } } }], error: BE,
      message: 'json.match_schema: has a primitive type that is NOT VALID -- given: /unknown/ Expected valid values are:[array boolean integer number null object string]',
    },
  ]);
  check('json.verify_schema', [
    { args: ['{"type": "boolean"}'], want: [true, null] },
    { args: [{ type: 'unknown_type' }], want: [false, 'jsonschema: has a primitive type that is NOT VALID -- given: /unknown_type/ Expected valid values are:[array boolean integer number null object string]'] },
  ]);
  const [ok, why] = call('json.verify_schema', '{') as [boolean, string];
  assert.equal(ok, false);
  assert.match(why, /^jsonschema: /);
});
