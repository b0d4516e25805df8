import { test } from 'node:test';
import assert from 'node:assert/strict';
import { interpret } from '../../server/index.js';
import { normalizePath, splitUri } from '../../server/decision/proxy-input.js';
import { PolSet } from '../../engine/index.js';

test('only true or {allow: true} allows; every other shape denies', () => {
  assert.equal(interpret(true).allow, true);
  for (const v of [false, undefined, null, 1, 'true', [], {}, { allow: 'true' }, { allow: 1 }, { decision: true }]) {
    assert.equal(interpret(v as never).allow, false, JSON.stringify(v));
  }
  assert.equal(interpret({ allow: true }).allow, true);
});

test('reasons, status and headers are read from the decision; odd values are ignored', () => {
  const v = interpret({
    allow: false, status: 401, reasons: ['no token'],
    headers: { 'X-User': 'bob', 'x-roles': ['a', 'b'], 'x-n': 3, 'x-obj': { a: 1 } },
    obligations: { headers: { 'x-tier': 'gold', 'x-user': 'overridden-by-top-level' } },
    remove_headers: ['x-api-key', 'bad header', 3],
  });
  assert.equal(v.status, 401);
  assert.deepEqual(v.reasons, ['no token']);
  assert.equal(v.headers.get('x-user'), 'bob');
  assert.equal(v.headers.get('x-roles'), 'a,b');
  assert.equal(v.headers.get('x-n'), '3');
  assert.equal(v.headers.has('x-obj'), false);
  assert.equal(v.headers.get('x-tier'), 'gold');
  assert.deepEqual(v.removeHeaders, ['x-api-key']);
  assert.equal(interpret({ allow: false, status: 500 }).status, undefined);
  // Sets (policy values) become sorted arrays.
  assert.deepEqual(interpret({ allow: false, reasons: new PolSet(['b', 'a']) } as never).reasons, ['a', 'b']);
});

test('paths are decoded and dot segments resolved; queries keep every value', () => {
  assert.equal(normalizePath('/a/./b/../c'), '/a/c');
  assert.equal(normalizePath('/docs/%2e%2e/admin'), '/admin');
  assert.equal(normalizePath('/a%2Fb'), '/a/b');
  assert.equal(normalizePath('/../../etc'), '/etc');
  assert.equal(normalizePath('//a//b/'), '/a/b/');
  assert.throws(() => normalizePath('/%E0%A4%A'), /malformed/);
  assert.throws(() => normalizePath('/a%00b'), /NUL/);
  const { rawPath, query } = splitUri('/p?a=1&a=2&__proto__=x&b');
  assert.equal(rawPath, '/p');
  assert.deepEqual(query.a, ['1', '2']);
  assert.deepEqual(Object.getOwnPropertyDescriptor(query, '__proto__')?.value, ['x']);
  assert.equal(Object.getPrototypeOf(query), Object.prototype);
  assert.deepEqual(query.b, ['']);
});
