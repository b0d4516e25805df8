import { test } from 'node:test';
import assert from 'node:assert/strict';
import { interpret } from '../../server/index.js';
import { forwardAuthInput, normalizePath, originForm, splitUri } from '../../server/decision/proxy-input.js';
import { HttpError } from '../../server/errors.js';
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
    if (!raw.startsWith('/') || /%2f|%5c|\\/i.test(raw)) throw new Error('refused');
    const decoded = decodeURIComponent(raw);
    const out: string[] = [];
    const segs = decoded.split('/');
    for (const seg of segs) {
      if (seg === '..') out.pop();
      else if (seg.startsWith('.;') || seg.startsWith('..;')) throw new Error('refused');
      else if (seg !== '.' && seg !== '') out.push(seg);
    }
    // RFC 3986: a trailing slash stays, and a final `.` or `..` leaves one.
    const last = segs[segs.length - 1];
    return '/' + out.join('/') + (out.length && (last === '' || last === '.' || last === '..') ? '/' : '');
  };
  const parts = ['', '/', 'a', '.', '..', '.a', 'a.', '%2e', '%2F', '%5c', '\\', '..;x', '%41', 'b c', '~', 'é'];
  let checked = 0;
  for (const x of parts) for (const y of parts) for (const z of parts) for (const raw of [`${x}/${y}/${z}`, `/${x}/${y}/${z}`]) {
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

test('paths upstreams read differently fail closed instead of being normalised one way', () => {
  // `/admin/..%2Fpublic`: one segment to an upstream that keeps %2F, `/public` after decoding.
  for (const raw of ['/admin/..%2Fpublic', '/admin/..%2fpublic', '/a%2Fb', '/admin%5C..%5Cpublic', '/public\\..\\admin', '/public/..;/admin', '/public/.;x/admin', '/public/%2e%2e;/admin']) {
    assert.throws(() => normalizePath(raw), (e: Error) => e instanceof HttpError && e.status === 400, raw);
  }
  // A `;` elsewhere is an ordinary character.
  assert.equal(normalizePath('/a;b/c'), '/a;b/c');
  assert.equal(normalizePath('/a/./b;v=1/../c'), '/a/c');
});

test('the original URI is taken in origin form: an absolute-form target gives its path, anything else fails closed', () => {
  assert.equal(originForm('/docs?a=1'), '/docs?a=1');
  assert.equal(originForm('http://h.example/admin/x?y=1'), '/admin/x?y=1');
  assert.equal(originForm('HTTPS://h.example:8443/admin'), '/admin');
  assert.equal(originForm('http://h.example'), '/');
  assert.equal(originForm('http://h.example?q=1'), '?q=1');
  for (const t of ['*', 'admin', 'ftp://h/admin', 'http:/admin', '']) {
    assert.throws(() => originForm(t), (e: Error) => e instanceof HttpError && e.status === 400, t);
  }
  const req = (uri: string) => ({ headers: { 'x-original-method': 'GET', 'x-original-uri': uri }, socket: { remoteAddress: '127.0.0.1' } });
  assert.equal(forwardAuthInput(req('http://h/admin?x=1') as never, new Set()).request.path, '/admin');
  assert.deepEqual(forwardAuthInput(req('http://h/admin?x=1') as never, new Set()).request.query.x, ['1']);
});

test('a request with more headers than the input takes fails closed instead of dropping the rest', () => {
  const headers: Record<string, string> = { 'x-original-method': 'GET', 'x-original-uri': '/' };
  for (let i = 0; i < 200; i++) headers[`x-junk-${i}`] = 'j';
  const req = { headers, socket: { remoteAddress: '127.0.0.1' } };
  assert.equal(Object.keys(forwardAuthInput(req as never, new Set()).request.headers).length, 200);
  headers.authorization = 'Bearer t';
  assert.throws(() => forwardAuthInput(req as never, new Set()), (e: Error) => e instanceof HttpError && e.status === 400 && /more than 200 headers/.test(e.message));
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
