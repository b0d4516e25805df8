import { test } from 'node:test';
import assert from 'node:assert/strict';
import { templatePartText } from '../../engine/builtins/sprintf.js';
import { check, set } from './helpers.js';

test('sprintf follows Go fmt as OPA feeds it', () => {
  check('sprintf', [
    { args: ['hi', []], want: 'hi' },
    { args: ['hi %s', ['there']], want: 'hi there' },
    { args: ['%02d', [5]], want: '05' },
    { args: ['%02X.%02X', [127, 1]], want: '7F.01' },
    { args: ['%.2f', [3.1415]], want: '3.14' },
    { args: ['%f', [1.5]], want: '1.500000' },
    { args: ['%s', [true]], want: 'true' },
    { args: ['%v', [['there', 5, 3.14]]], want: '["there", 5, 3.14]' },
    { args: ['%v', [{ b: 1, a: set(2, 1) }]], want: '{"a": {1, 2}, "b": 1}' },
    { args: ['%v', [set()]], want: 'set()' },
    { args: ['%s', [123456789123456789123n]], want: '123456789123456789123' },
    { args: ['%v', [18446744073709551618n]], want: '18446744073709551618' },
    { args: ['%d', [-42]], want: '-42' },
    { args: ['%+d|%5d|%-5d|', [3, 3, 3]], want: '+3|    3|3    |' },
    { args: ['%x', ['hi']], want: '6869' },
    { args: ['%q', ['a"b']], want: '"a\\"b"' },
    { args: ['%v', [0.000001]], want: '1e-06' },
    { args: ['%v', [1234567.5]], want: '1.2345675e+06' },
    { args: ['%e', [1234.5678]], want: '1.234568e+03' },
    { args: ['%g', [0.0001]], want: '0.0001' },
    { args: ['%.3g', [3.14159]], want: '3.14' },
    { args: ['100%%', []], want: '100%' },
    { args: ['%d', ['x']], want: '%!d(string=x)' },
    { args: ['%s', [5]], want: '%!s(int=5)' },
    { args: ['%d', [1.5]], want: '%!d(float64=1.5)' },
    { args: ['%d %d', [1]], want: '1 %!d(MISSING)' },
    { args: ['%d', [1, 'x']], want: '1%!(EXTRA string=x)' },
    { args: ['%t', [true]], want: '%!t(ast.Boolean=true)' },
    { args: ['%s', [null]], want: 'null' },
    { args: ['%5.1s|', ['abc']], want: '    a|' },
    { args: ['x', 'y'], error: 'eval_type_error', message: 'sprintf: operand 2 must be array but got string' },
  ]);
});

test('template string parts print as OPA prints them', () => {
  const cases: [Parameters<typeof templatePartText>[0], string][] = [
    ['foo', 'foo'], [42, '42'], [13.37, '13.37'], [true, 'true'], [null, 'null'], [undefined, '<undefined>'],
    [[42, 13.37, true, 'foo', null], '[42, 13.37, true, "foo", null]'], [set(), 'set()'], [set(42), '{42}'], [{}, '{}'], [{ a: 'b' }, '{"a": "b"}'],
  ];
  for (const [v, want] of cases) assert.equal(templatePartText(v), want);
});
