import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compactJson, JsonParseError, parseJson, serializeJson, serializeJsonIndented } from '../../engine/json.js';
import { PolObject, PolSet } from '../../engine/value.js';

test('parseJson keeps big integers exact and small ones as numbers', () => {
  assert.deepEqual(parseJson('{"a": 12345678901234567890, "b": 1, "c": 1.5, "d": -9007199254740993}'), { a: 12345678901234567890n, b: 1, c: 1.5, d: -9007199254740993n });
  assert.deepEqual(parseJson('[9007199254740991]'), [9007199254740991]);
  assert.deepEqual(parseJson('"\\u00e9\\n"'), 'é\n');
  assert.deepEqual(parseJson('[1.0e2, 12345678901234567.5]'), [100, 12345678901234568]);
});

test('parseJson refuses numbers beyond a 64-bit float instead of reading Infinity or 0', () => {
  // 1e400 and 7e999 would both be Infinity, and so equal; 1e-400 would equal 0.
  for (const t of ['{"x":1e400}', '[-7e999]', '1E+308000', '{"x":1e-400}', '[0.5e-330]', '{"a":"e123","x":9.9e999}']) {
    assert.throws(() => parseJson(t), (e: Error) => e instanceof JsonParseError && /64-bit float/.test(e.message), t);
  }
  assert.deepEqual(parseJson('[1e300, -1.5e-300, 0e-400, 0.0e999, 1e100]'), [1e300, -1.5e-300, 0, 0, 1e100]);
  // Text that only looks like a big exponent (inside a string) parses the same either way.
  assert.deepEqual(parseJson('{"id":"4e123","n":2}'), { id: '4e123', n: 2 });
});

test('parseJson treats __proto__ as an ordinary key on both paths', () => {
  for (const text of ['{"__proto__": {"x": 1}}', '{"__proto__": {"x": 1}, "n": 123456789012345678901}']) {
    const v = parseJson(text) as Record<string, unknown>;
    assert.ok(Object.prototype.hasOwnProperty.call(v, '__proto__'));
    assert.equal(Object.getPrototypeOf(v), Object.prototype);
    assert.equal((v as { x?: number }).x, undefined);
  }
});

test('parseJson rejects bad input and deep nesting with a clear error', () => {
  for (const bad of ['{', '[1,]', '{"a" 1}', 'tru', '"\\x"', '1 2', '[12345678901234567890,]']) {
    assert.throws(() => parseJson(bad), JsonParseError, bad);
  }
  const deep = '['.repeat(600) + ']'.repeat(600);
  assert.throws(() => parseJson(deep), /nested deeper than 512/);
  assert.deepEqual(parseJson('[[1]]', { maxDepth: 2 }), [[1]]);
  assert.throws(() => parseJson('[[[1]]]', { maxDepth: 2 }), /nested deeper/);
  assert.throws(() => parseJson('[[[12345678901234567890]]]', { maxDepth: 2 }), /nested deeper/);
  // Brackets and digit runs inside strings are text: they neither nest nor lose precision.
  assert.deepEqual(parseJson('{"a":"[[[{{{"}', { maxDepth: 2 }), { a: '[[[{{{' });
  assert.deepEqual(parseJson('{"a":"12345678901234567890"}'), { a: '12345678901234567890' });
  assert.deepEqual(parseJson('{"n":12345678901234567890,"m":1}'), { n: 12345678901234567890n, m: 1 });
  assert.throws(() => parseJson('{"a":[{"b":[1]}]}', { maxDepth: 3 }), /nested deeper/);
  assert.deepEqual(parseJson('{"a":[{"b":1}],"c":[2]}', { maxDepth: 3 }), { a: [{ b: 1 }], c: [2] });
});

test('serializeJson prints like OPA json.marshal', () => {
  assert.equal(serializeJson({ b: [1, 2], a: new PolSet([3, 1]) }), '{"a":[1,3],"b":[1,2]}');
  assert.equal(serializeJson(new PolObject([[1, 'x'], [[1, 2], 'y']])), '{"1":"x","[1,2]":"y"}');
  assert.equal(serializeJson([2n ** 80n, 0.5, null, true]), '[1208925819614629174706176,0.5,null,true]');
  assert.equal(serializeJson('<a&b>'), '"\\u003ca\\u0026b\\u003e"');
  assert.equal(serializeJson('plain text'), '"plain text"');
  assert.equal(serializeJson('a\u2028b"\\'), '"a\\u2028b\\"\\\\"');
  assert.equal(compactJson({ b: [1, new PolSet([3, 1])], a: 'x<y', n: 2n ** 70n }), '{"b":[1,[1,3]],"a":"x<y","n":1180591620717411303424}');
  assert.equal(compactJson(new PolObject([[1, 'x'], ['k', null]])), '{"1":"x","k":null}');
  assert.equal(serializeJsonIndented({ a: [1] }, '', '  '), '{\n  "a": [\n    1\n  ]\n}');
  const withProto = parseJson('{"__proto__": 1}');
  assert.equal(serializeJson(withProto), '{"__proto__":1}');
});
