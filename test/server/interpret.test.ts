import { test } from 'node:test';
import assert from 'node:assert/strict';
import { interpret } from '../../server/index.js';
import { forwardAuthInput, normalizePath, splitUri } from '../../server/decision/proxy-input.js';
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

test('paths already normal are returned as they are; every other path takes the full normalisation', () => {
  // The full normalisation, written out again: what the shortcut must agree with.
  const slow = (raw: string): string => {
    const decoded = decodeURIComponent(raw);
    const out: string[] = [];
    for (const seg of decoded.split('/')) {
      if (seg === '..') out.pop();
      else if (seg !== '.' && seg !== '') out.push(seg);
    }
    return '/' + out.join('/') + (decoded.length > 1 && decoded.endsWith('/') && out.length ? '/' : '');
  };
  const parts = ['', '/', 'a', '.', '..', '.a', 'a.', '%2e', '%2F', '%41', 'b c', '~', 'é'];
  let checked = 0;
  for (const x of parts) for (const y of parts) for (const z of parts) {
    const raw = `${x}/${y}/${z}`;
    let want: string | Error;
    try { want = slow(raw); } catch (e) { want = e as Error; }
    if (want instanceof Error) { assert.throws(() => normalizePath(raw)); continue; }
    assert.equal(normalizePath(raw), want, raw);
    checked++;
  }
  assert.ok(checked > 1000);
  assert.throws(() => normalizePath('/a\0b'), /NUL/);
  assert.equal(normalizePath('/docs/42'), '/docs/42');
  assert.equal(normalizePath('/'), '/');
  assert.equal(normalizePath('/a/b/'), '/a/b/');
});

test('forward-auth input headers: odd names are plain keys, consumed and identity headers are left out', () => {
  const headers = Object.defineProperty({
    'x-original-method': 'get', 'x-original-uri': '/docs/1', 'x-forwarded-for': '10.0.0.1', 'x-real-ip': '10.0.0.2', 'x-envoy-internal': 'true',
    connection: 'keep-alive', 'x-user': 'alice', accept: 'application/json', constructor: 'c', 'x-custom': ['a', 'b'],
  }, '__proto__', { value: 'p', enumerable: true, writable: true, configurable: true }) as Record<string, unknown>;
  const req = { headers, ip: '127.0.0.1', socket: { remoteAddress: '127.0.0.1' } };
  const { request } = forwardAuthInput(req as never, new Set(['x-user']));
  const h = request.headers;
  assert.equal(Object.getPrototypeOf(h), Object.prototype);
  assert.deepEqual(Object.keys(h).sort(), ['__proto__', 'accept', 'constructor', 'x-custom']);
  assert.equal(Object.getOwnPropertyDescriptor(h, '__proto__')?.value, 'p');
  assert.equal(h.constructor as unknown, 'c');
  assert.equal(h['x-custom'], 'a, b');
  assert.equal(request.method, 'GET');
  assert.equal(request.path, '/docs/1');
});
