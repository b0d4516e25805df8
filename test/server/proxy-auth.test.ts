import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
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
