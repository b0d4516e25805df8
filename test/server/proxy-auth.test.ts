import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { Writable } from 'node:stream';
import { makeApp, json } from './helpers.js';

let app: FastifyInstance;
let close: () => Promise<void>;
before(async () => ({ app, close } = await makeApp({
  forward_auth: { identity_headers: ['x-user', 'x-user-roles', 'x-tenant', 'x-decision-id'] },
  ext_authz: { identity_headers: ['x-user', 'x-tenant'] },
})));
after(() => close());

const fwd = (headers: Record<string, string>) => app.inject({ method: 'GET', url: '/v1/forward-auth', headers });

test('forward-auth allows with the full set of identity headers from the decision', async () => {
  const r = await fwd({ 'x-original-method': 'GET', 'x-original-uri': '/docs/1?a=1', authorization: 'Bearer bob-token' });
  assert.equal(r.statusCode, 200);
  assert.equal(r.headers['x-user'], 'bob');
  assert.equal(r.headers['x-user-roles'], 'reader');
  assert.equal(r.headers['x-tenant'], 'acme');
  assert.match(String(r.headers['x-decision-id']), /^[0-9a-f-]{36}$/);
});

test('forward-auth reads Traefik/Caddy X-Forwarded-* headers too', async () => {
  const r = await fwd({ 'x-forwarded-method': 'GET', 'x-forwarded-uri': '/docs', 'x-forwarded-host': 'api.example', 'x-forwarded-proto': 'https', authorization: 'Bearer bob-token' });
  assert.equal(r.statusCode, 200);
  const deny = await fwd({ 'x-forwarded-method': 'DELETE', 'x-forwarded-uri': '/docs', authorization: 'Bearer bob-token' });
  assert.equal(deny.statusCode, 403);
});

test('forward-auth denies with 403 and reasons, 401 without credentials', async () => {
  const r = await fwd({ 'x-original-method': 'GET', 'x-original-uri': '/admin/users', authorization: 'Bearer bob-token' });
  assert.equal(r.statusCode, 403);
  const body = json(r.body);
  assert.equal(body.code, 'forbidden');
  assert.deepEqual(body.reasons, ['bob may not GET /admin/users']);
  assert.equal(r.headers['x-user'], undefined);
  const anon = await fwd({ 'x-original-method': 'GET', 'x-original-uri': '/docs' });
  assert.equal(anon.statusCode, 401);
  assert.equal(json(anon.body).code, 'unauthorized');
  assert.equal(anon.headers['www-authenticate'], 'Bearer');
});

test('the path the policy sees is decoded and normalised: encoded dot-segments cannot reach /admin unseen', async () => {
  const r = await fwd({ 'x-original-method': 'GET', 'x-original-uri': '/docs/%2e%2e/admin/users', authorization: 'Bearer bob-token' });
  assert.equal(r.statusCode, 403);
  const bad = await fwd({ 'x-original-method': 'GET', 'x-original-uri': '/docs/%zz', authorization: 'Bearer bob-token' });
  assert.equal(bad.statusCode, 400);
});

test('spoofed identity headers from the client never reach the policy and are always overwritten', async () => {
  // The client claims to be alice of tenant evil; the response carries the decision's values.
  const r = await fwd({ 'x-original-method': 'GET', 'x-original-uri': '/docs', authorization: 'Bearer bob-token', 'x-user': 'alice', 'x-tenant': 'evil' });
  assert.equal(r.headers['x-user'], 'bob');
  assert.equal(r.headers['x-tenant'], 'acme');
});

test('identity headers the decision does not give are returned empty, whatever the client sent', async () => {
  const { app: open, close: closeOpen } = await makeApp({ forward_auth: { path: 'open/decision', identity_headers: ['x-user', 'x-tenant'] } });
  try {
    const r = await open.inject({ method: 'GET', url: '/v1/forward-auth', headers: { 'x-original-method': 'GET', 'x-original-uri': '/', 'x-user': 'alice' } });
    assert.equal(r.statusCode, 200);
    assert.equal(r.headers['x-user'], '');
    assert.equal(r.headers['x-tenant'], '');
  } finally { await closeOpen(); }
  const { app: echo, close: closeEcho } = await makeApp({ forward_auth: { path: 'echo/value' } });
  try {
    // An object without `allow: true` denies: unexpected shapes fail closed.
    const r = await echo.inject({ method: 'GET', url: '/v1/forward-auth', headers: { 'x-original-method': 'GET', 'x-original-uri': '/' } });
    assert.equal(r.statusCode, 403);
  } finally { await closeEcho(); }
});

test('forward-auth without the original request line is a 400, not an allow', async () => {
  const r = await fwd({ authorization: 'Bearer alice-token' });
  assert.equal(r.statusCode, 400);
  assert.equal(json(r.body).code, 'invalid_parameter');
});

test('an encoded slash in the original path is refused, not resolved past a prefix the policy checks', async () => {
  // bob may read /docs; `/admin/..%2Fdocs` would have been decided as `/docs` and reached the upstream's /admin route.
  const f = await fwd({ 'x-original-method': 'GET', 'x-original-uri': '/admin/..%2Fdocs/1', authorization: 'Bearer bob-token' });
  assert.equal(f.statusCode, 400);
  assert.equal(f.headers['x-user'], undefined);
  assert.match(json(f.body).message, /encoded/);
  const e = await app.inject({ method: 'GET', url: '/v1/ext-authz/admin/..%2fdocs/1', headers: { authorization: 'Bearer bob-token' } });
  assert.equal(e.statusCode, 403);
  assert.equal(e.headers['x-user'], undefined);
});

test('a repeated Authorization (or original-request) header is refused: the upstream may read the other one', async () => {
  // inject joins repeated headers given as an array the way Node delivers them: one raw entry each.
  const twice = await app.inject({ method: 'GET', url: '/v1/forward-auth', headers: { 'x-original-method': 'GET', 'x-original-uri': '/docs/1', authorization: ['Bearer bob-token', 'Bearer alice-token'] as unknown as string } });
  assert.equal(twice.statusCode, 400);
  assert.match(json(twice.body).message, /repeats the `authorization` header/);
  assert.equal(twice.headers['x-user'], undefined);
  const uri = await app.inject({ method: 'GET', url: '/v1/forward-auth', headers: { 'x-original-method': 'GET', 'x-original-uri': ['/docs/1', '/admin'] as unknown as string, authorization: 'Bearer bob-token' } });
  assert.equal(uri.statusCode, 400);
  const ext = await app.inject({ method: 'GET', url: '/v1/ext-authz/docs/1', headers: { authorization: ['Bearer bob-token', 'Bearer alice-token'] as unknown as string } });
  assert.equal(ext.statusCode, 403);
  const once = await fwd({ 'x-original-method': 'GET', 'x-original-uri': '/docs/1', authorization: 'Bearer bob-token' });
  assert.equal(once.statusCode, 200);
});

test('engine errors fail closed: forward-auth 500, ext_authz 403', async () => {
  const { app: b, close: closeB } = await makeApp({ forward_auth: { path: 'broken/decision' }, ext_authz: { path: 'broken/decision' } });
  try {
    const f = await b.inject({ method: 'GET', url: '/v1/forward-auth', headers: { 'x-original-method': 'GET', 'x-original-uri': '/', 'x-conflict': '1' } });
    assert.equal(f.statusCode, 500);
    assert.equal(json(f.body).code, 'eval_error');
    assert.equal(f.headers['x-user'], undefined);
    const e = await b.inject({ method: 'GET', url: '/v1/ext-authz/x', headers: { 'x-conflict': '1' } });
    assert.equal(e.statusCode, 403);
  } finally { await closeB(); }
});

test('no policy loaded yet: decisions fail closed with 503 and /ready says why', async () => {
  const { app: empty, close: closeEmpty } = await makeApp({ policies: { dir: '/nonexistent/pol-policies' } });
  try {
    const f = await empty.inject({ method: 'GET', url: '/v1/forward-auth', headers: { 'x-original-method': 'GET', 'x-original-uri': '/' } });
    assert.equal(f.statusCode, 500);
    const d = await empty.inject({ method: 'POST', url: '/v1/decide', payload: { path: 'rbac/allow', input: {} } });
    assert.equal(d.statusCode, 503);
    const ready = await empty.inject({ method: 'GET', url: '/ready' });
    assert.equal(ready.statusCode, 503);
    assert.equal(json(ready.body).code, 'not_ready');
    assert.match(json(ready.body).last_error.message, /nonexistent/);
    // Probes that use HEAD get the same status.
    assert.equal((await empty.inject({ method: 'HEAD', url: '/ready' })).statusCode, 503);
    assert.equal((await empty.inject({ method: 'HEAD', url: '/health' })).statusCode, 200);
  } finally { await closeEmpty(); }
});

test('Envoy ext_authz: original method and path after the prefix, identity headers, headers-to-remove', async () => {
  const ok = await app.inject({ method: 'GET', url: '/v1/ext-authz/docs/7?x=1', headers: { authorization: 'Bearer bob-token', 'x-user': 'alice' } });
  assert.equal(ok.statusCode, 200);
  assert.equal(ok.headers['x-user'], 'bob');
  assert.equal(ok.headers['x-tenant'], 'acme');
  const del = await app.inject({ method: 'DELETE', url: '/v1/ext-authz/docs/7', headers: { authorization: 'Bearer bob-token' } });
  assert.equal(del.statusCode, 403);
  const admin = await app.inject({ method: 'POST', url: '/v1/ext-authz/docs', payload: 'raw body, not JSON', headers: { authorization: 'Bearer alice-token', 'content-type': 'text/plain' } });
  assert.equal(admin.statusCode, 200);
});

test('ext_authz lists empty identity headers in x-envoy-auth-headers-to-remove', async () => {
  const { app: e, close: closeE } = await makeApp({ ext_authz: { path: 'gateway/decision', identity_headers: ['x-user', 'x-department'] } });
  try {
    const r = await e.inject({ method: 'GET', url: '/v1/ext-authz/docs', headers: { authorization: 'Bearer bob-token', 'x-department': 'spoofed' } });
    assert.equal(r.statusCode, 200);
    assert.equal(r.headers['x-department'], '');
    assert.equal(r.headers['x-envoy-auth-headers-to-remove'], 'x-department');
  } finally { await closeE(); }
});

/** An app whose forward-auth and ext_authz allow everything and echo the input they were given. */
async function echoApp(forward: Record<string, unknown> = {}) {
  return makeApp({
    forward_auth: { path: 'proxyecho/decision', identity_headers: ['x-input'], ...forward },
    ext_authz: { path: 'proxyecho/decision', identity_headers: ['x-input'] },
  });
}
const seen = (r: { headers: Record<string, unknown> }) => JSON.parse(Buffer.from(String(r.headers['x-input']), 'base64').toString('utf8'));

test('forward-auth refuses a request carrying both header pairs: the client may have written either (Caddy passes X-Original-* on)', async () => {
  const { app: e, close: closeE } = await echoApp();
  try {
    // Caddy sets X-Forwarded-Uri/Method and forwards the client's own X-Original-URI/Method.
    const both = await e.inject({ method: 'GET', url: '/v1/forward-auth', headers: { 'x-forwarded-method': 'GET', 'x-forwarded-uri': '/admin/secret', 'x-original-uri': '/docs/ok', 'x-original-method': 'GET' } });
    assert.equal(both.statusCode, 400);
    assert.match(json(both.body).message, /both X-Original-URI\/-Method and X-Forwarded-Uri\/-Method/);
    // Half of one pair with the other pair is refused too (the method would have come from the client).
    const half = await e.inject({ method: 'DELETE', url: '/v1/forward-auth', headers: { 'x-forwarded-method': 'DELETE', 'x-forwarded-uri': '/docs', 'x-original-method': 'GET' } });
    assert.equal(half.statusCode, 400);
    // A pair is taken whole: a URI from one pair and a method from the other is not a request.
    const mixed = await e.inject({ method: 'GET', url: '/v1/forward-auth', headers: { 'x-original-uri': '/docs' , 'x-forwarded-method': 'GET' } });
    assert.equal(mixed.statusCode, 400);
    const caddy = await e.inject({ method: 'GET', url: '/v1/forward-auth', headers: { 'x-forwarded-method': 'PUT', 'x-forwarded-uri': '/docs/1' } });
    assert.equal(caddy.statusCode, 200);
    assert.equal(seen(caddy).method, 'PUT');
    assert.equal(seen(caddy).path, '/docs/1');
    const metrics = (await e.inject({ method: 'GET', url: '/metrics' })).body;
    assert.match(metrics, /pol_proxy_verdicts_total\{api="forward_auth",verdict="refused"\} 3/);
  } finally { await closeE(); }
  // Set to the proxy's pair, the other pair is ignored rather than refused.
  const { app: t, close: closeT } = await echoApp({ original_request: 'x-forwarded' });
  try {
    const r = await t.inject({ method: 'GET', url: '/v1/forward-auth', headers: { 'x-forwarded-method': 'GET', 'x-forwarded-uri': '/admin/secret', 'x-original-uri': '/docs/ok', 'x-original-method': 'GET' } });
    assert.equal(r.statusCode, 200);
    assert.equal(seen(r).path, '/admin/secret');
    const nginxOnly = await t.inject({ method: 'GET', url: '/v1/forward-auth', headers: { 'x-original-uri': '/docs/ok', 'x-original-method': 'GET' } });
    assert.equal(nginxOnly.statusCode, 400);
    assert.match(json(nginxOnly.body).message, /X-Forwarded-Uri and X-Forwarded-Method/);
  } finally { await closeT(); }
});

test('client_ip: X-Real-IP only from nginx (X-Original-* requests); Caddy, Traefik and Envoy pass a client\'s copy on', async () => {
  const { app: e, close: closeE } = await echoApp();
  try {
    const caddy = await e.inject({ method: 'GET', url: '/v1/forward-auth', remoteAddress: '10.0.0.5', headers: { 'x-forwarded-method': 'GET', 'x-forwarded-uri': '/', 'x-forwarded-for': '203.0.113.7', 'x-real-ip': '10.9.9.9' } });
    assert.equal(seen(caddy).client_ip, '203.0.113.7');
    const nginx = await e.inject({ method: 'GET', url: '/v1/forward-auth', headers: { 'x-original-method': 'GET', 'x-original-uri': '/', 'x-forwarded-for': '198.51.100.1', 'x-real-ip': '203.0.113.9' } });
    assert.equal(seen(nginx).client_ip, '203.0.113.9');
    const envoy = await e.inject({ method: 'GET', url: '/v1/ext-authz/', headers: { 'x-forwarded-for': '203.0.113.8', 'x-real-ip': '10.9.9.9' } });
    assert.equal(seen(envoy).client_ip, '203.0.113.8');
    // Headers the input's fields come from must come once.
    for (const name of ['x-real-ip', 'x-forwarded-host', 'x-forwarded-proto']) {
      const twice = await e.inject({ method: 'GET', url: '/v1/forward-auth', headers: { 'x-original-method': 'GET', 'x-original-uri': '/', [name]: ['a', 'b'] as unknown as string } });
      assert.equal(twice.statusCode, 400, name);
    }
  } finally { await closeE(); }
});

test('the original path: a `#` is refused, raw UTF-8 reads as the percent-encoded form does, a final dot segment leaves a slash', async () => {
  const { app: e, close: closeE } = await echoApp();
  const fwdTo = (uri: string) => e.inject({ method: 'GET', url: '/v1/forward-auth', headers: { 'x-original-method': 'GET', 'x-original-uri': uri } });
  try {
    // nginx passes `/admin#/../docs` on: upstreams read `/admin`, the path would have resolved to `/docs`.
    const hash = await fwdTo('/admin#/../docs');
    assert.equal(hash.statusCode, 400);
    assert.match(json(hash.body).message, /`#`/);
    assert.equal((await e.inject({ method: 'GET', url: '/v1/ext-authz/admin%23x' })).statusCode, 200, 'an encoded # is an ordinary character');
    // Node hands header bytes over as Latin-1: `/café` in UTF-8 arrives as `/cafÃ©`.
    const raw = await fwdTo(Buffer.from('/café/x?q=é', 'utf8').toString('latin1'));
    assert.equal(raw.statusCode, 200);
    assert.equal(seen(raw).path, '/café/x');
    assert.equal(seen(raw).raw_path, '/café/x');
    assert.deepEqual(seen(raw).query, { q: ['é'] });
    assert.equal(seen(await fwdTo('/caf%C3%A9/x')).path, '/café/x');
    assert.equal((await fwdTo('/caf\u00e9')).statusCode, 400, 'a Latin-1 byte that is not UTF-8 is refused');
    assert.equal(seen(await fwdTo('/docs/admin/..')).path, '/docs/');
    assert.equal(seen(await fwdTo('/a/%2e')).path, '/a/');
    assert.equal(seen(await fwdTo('/a/b/../c')).path, '/a/c');
    assert.equal(seen(await fwdTo('/..')).path, '/');
  } finally { await closeE(); }
});

test('proxy endpoints discard request bodies unread: no encoding or size of a body they never use denies', async () => {
  const { app: e, close: closeE } = await echoApp();
  try {
    const big = 'x'.repeat(2 * 1024 * 1024);
    for (const encoding of ['br', 'zstd', 'deflate']) {
      const r = await e.inject({ method: 'POST', url: '/v1/ext-authz/upload', payload: 'not really compressed', headers: { 'content-encoding': encoding, 'content-type': 'application/octet-stream' } });
      assert.equal(r.statusCode, 200, encoding);
    }
    const large = await e.inject({ method: 'PUT', url: '/v1/ext-authz/upload', payload: big, headers: { 'content-type': 'application/octet-stream' } });
    assert.equal(large.statusCode, 200);
    assert.equal(seen(large).method, 'PUT');
    const fwdBody = await e.inject({ method: 'POST', url: '/v1/forward-auth', payload: big, headers: { 'x-forwarded-method': 'POST', 'x-forwarded-uri': '/upload', 'content-type': 'application/json' } });
    assert.equal(fwdBody.statusCode, 200);
  } finally { await closeE(); }
});

test('ext_authz and forward-auth take every method Node parses (WebDAV, PURGE), not a 404', async () => {
  const { app: e, close: closeE } = await echoApp();
  try {
    for (const method of ['PROPFIND', 'PURGE', 'MKCOL', 'TRACE', 'REPORT']) {
      const r = await e.inject({ method: method as 'GET', url: '/v1/ext-authz/dav/x' });
      assert.equal(r.statusCode, 200, method);
      assert.equal(seen(r).method, method);
    }
    const f = await e.inject({ method: 'PROPFIND' as 'GET', url: '/v1/forward-auth', headers: { 'x-original-method': 'PROPFIND', 'x-original-uri': '/dav' } });
    assert.equal(f.statusCode, 200);
  } finally { await closeE(); }
});

test('a client\'s Cache-Control does not bypass the decision cache through a proxy', async () => {
  const before = app.pol.cache!.stats.uncacheable;
  const r = await fwd({ 'x-original-method': 'GET', 'x-original-uri': '/docs/1', authorization: 'Bearer bob-token', 'cache-control': 'no-cache' });
  assert.equal(r.statusCode, 200);
  const e = await app.inject({ method: 'GET', url: '/v1/ext-authz/docs/1', headers: { authorization: 'Bearer bob-token', 'cache-control': 'no-store' } });
  assert.equal(e.statusCode, 200);
  assert.equal(app.pol.cache!.stats.uncacheable, before);
});

test('an allow whose identity header cannot be sent fails closed, and the decision log says so rather than logging an allow', async () => {
  let logged = '';
  const stream = new Writable({ write(chunk, _enc, cb) { logged += String(chunk); cb(); } });
  const { app: h, close: closeH } = await makeApp({
    forward_auth: { path: 'hdr/decision', identity_headers: ['x-user'] },
    decision_log: { enabled: true },
    policy_api: { writable: true, unauthenticated: true },
    // Cached however cheap, so the second ask is answered from the cache.
    cache: { min_cost: 0 },
  }, { decisionLogStream: stream });
  try {
    const put = await h.inject({
      method: 'PUT', url: '/v1/policies/hdr.pol', headers: { 'content-type': 'text/plain' },
      payload: 'package hdr\nimport rego.v1\ndecision := {"allow": true, "headers": {"x-user": user}}\nuser := "bad\\r\\nx-admin: true" if input.request.headers["x-case"] == "bad"\nuser := "alice" if input.request.headers["x-case"] == "good"\n',
    });
    assert.equal(put.statusCode, 200, put.body);
    const ask = (c: string) => h.inject({ method: 'GET', url: '/v1/forward-auth', headers: { 'x-original-method': 'GET', 'x-original-uri': '/', 'x-case': c } });
    for (let i = 0; i < 2; i++) { // evaluated, then from the cache: the same refusal
      const bad = await ask('bad');
      assert.equal(bad.statusCode, 500);
      assert.deepEqual(json(bad.body), { code: 'eval_error', message: 'the decision\'s `x-user` header value cannot be sent; access denied' });
      assert.equal(bad.headers['x-user'], undefined);
    }
    for (let i = 0; i < 3; i++) { // evaluated, then twice from the cache (its verdict remembered)
      const good = await ask('good');
      assert.equal(good.statusCode, 200);
      assert.equal(good.headers['x-user'], 'alice');
    }
    const metrics = (await h.inject({ method: 'GET', url: '/metrics' })).body;
    assert.match(metrics, /pol_errors_total\{code="unusable_decision"\} 2/);
    assert.match(metrics, /pol_proxy_verdicts_total\{api="forward_auth",verdict="error"\} 2/);
    await h.close();
    const lines = logged.split('\n').filter(Boolean).map(l => JSON.parse(l) as { result: unknown; error?: string; cached: boolean });
    assert.equal(lines.length, 5);
    for (const [i, line] of lines.slice(0, 2).entries()) {
      assert.equal(line.error, 'unusable_decision: the decision\'s `x-user` header value cannot be sent');
      assert.deepEqual(line.result, { allow: true, headers: { 'x-user': 'bad\r\nx-admin: true' } });
      assert.equal(line.cached, i === 1);
    }
    for (const line of lines.slice(2)) assert.equal(line.error, undefined);
    assert.deepEqual(lines.map(l => l.cached), [false, true, false, true, true]);
  } finally { await closeH(); }
});
