/**
 * The direct lane answers the decision routes before fastify's router: every request shape is sent
 * over a real connection (the lane) and through fastify (`inject`), and the answers must match.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Agent, createServer, request } from 'node:http';
import { gzipSync } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import { buildApp, resolveConfig } from '../../server/index.js';
import { makeApp } from './helpers.js';
import { DirectLane } from '../../server/direct-lane.js';
import { HttpError } from '../../server/errors.js';
import type { DecisionService } from '../../server/decision/service.js';

interface Answer { status: number; headers: Record<string, string | string[] | undefined>; body: string }

/** Sends exactly these bytes and headers (no content type unless given; no `Content-Length` for a GET or HEAD without a body). */
function send(url: string, path: string, body: Buffer | string, headers: Record<string, string | number | string[]> = {}, method = 'POST'): Promise<Answer> {
  const length = body.length === 0 && (method === 'GET' || method === 'HEAD') ? {} : { 'content-length': Buffer.byteLength(body) };
  // Repeated headers go as raw pairs (then Node adds no `Host` of its own).
  const raw = Object.entries({ host: new URL(url).host, ...length, ...headers }).flatMap(([k, v]) => Array.isArray(v) ? v.flatMap(x => [k, x]) : [k, String(v)]);
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, { method, headers: raw, agent: false }, res => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function listen(app: FastifyInstance): Promise<string> {
  await app.listen({ host: '127.0.0.1', port: 0 });
  const a = app.server.address();
  return `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
}

/** The answer's body without what differs from one decision to the next. */
function comparable(body: string): unknown {
  const v = JSON.parse(body) as Record<string, unknown>;
  if (typeof v.decision_id === 'string') { assert.match(v.decision_id, /^[0-9a-f-]{36}$/); v.decision_id = 'id'; }
  if (typeof v.eval_ns === 'number') v.eval_ns = 0;
  if (typeof v.cached === 'boolean') v.cached = 'either';
  // The whole data tree holds the fixture clock policy's reading of the time.
  const clock = (v.result as { clock?: { now?: unknown } } | undefined)?.clock;
  if (clock && typeof clock.now === 'number') clock.now = 0;
  return v;
}

const bob = { user: 'bob', action: 'read', resource: { type: 'document' } };
const json = (v: unknown): string => JSON.stringify(v);
let deep = '1';
for (let i = 0; i < 200; i++) deep = `[${deep}]`;

/** Request shapes the lane takes: body and headers. */
const CASES: [string, Buffer | string, Record<string, string>][] = [
  ['allowed', json({ path: 'rbac/allow', input: bob }), { 'content-type': 'application/json' }],
  ['denied', json({ path: 'rbac/allow', input: { ...bob, action: 'write' } }), { 'content-type': 'application/json' }],
  ['with reasons', json({ path: 'rbac/reasons', input: { ...bob, action: 'write' } }), { 'content-type': 'application/json; charset=utf-8' }],
  ['explained', json({ path: 'rbac/allow', input: bob, explain: true }), {}],
  ['undefined document', json({ path: 'rbac/nothing_here', input: bob }), {}],
  ['cache bypassed in the body', json({ path: 'rbac/allow', input: bob, cache: false }), {}],
  ['cache bypassed by header', json({ path: 'rbac/allow', input: bob }), { 'cache-control': 'no-cache' }],
  ['form type (curl -d)', json({ path: 'rbac/allow', input: bob }), { 'content-type': 'application/x-www-form-urlencoded' }],
  ['gzip', gzipSync(json({ path: 'rbac/allow', input: bob })), { 'content-encoding': 'gzip' }],
  ['evaluation error', json({ path: 'broken/allow', input: { conflict: true } }), {}],
  ['bad JSON', '{"path":', {}],
  ['deep nesting', `{"path":"rbac/allow","input":${deep}}`, {}],
  ['too large', json({ path: 'rbac/allow', input: { pad: 'x'.repeat(5000) } }), {}],
  ['gzip past the limit inflated', gzipSync(json({ path: 'rbac/allow', input: { pad: 'x'.repeat(50_000) } })), { 'content-encoding': 'gzip' }],
  ['not gzip', 'plain text', { 'content-encoding': 'gzip' }],
  ['unknown encoding', json({ path: 'rbac/allow' }), { 'content-encoding': 'br' }],
  ['empty body', '', {}],
  ['spaces only', '  \n ', {}],
  ['not an object', '[1,2]', {}],
  ['unknown field', json({ path: 'rbac/allow', inptu: bob }), {}],
  ['path not a string', json({ path: 7 }), {}],
  ['explain not a boolean', json({ path: 'rbac/allow', explain: 'yes' }), {}],
  ['__proto__ in the input', '{"path":"rbac/allow","input":{"__proto__":{"admin":true},"user":"bob"}}', {}],
];

let app: FastifyInstance;
let url: string;
let close: () => Promise<void>;
before(async () => {
  ({ app, close } = await makeApp({
    limits: { body_bytes: 4096, json_depth: 64 },
    forward_auth: { identity_headers: ['x-user', 'x-user-roles', 'x-tenant', 'x-decision-id'] },
    ext_authz: { identity_headers: ['x-user', 'x-tenant'] },
  }));
  url = await listen(app);
});
after(() => close());

/** Data API requests the lane takes: URL, body, headers. */
const DATA_CASES: [string, string, Buffer | string, Record<string, string>][] = [
  ['Data API, allowed', '/v1/data/rbac/allow', json({ input: bob }), { 'content-type': 'application/json' }],
  ['Data API, denied', '/v1/data/rbac/allow', json({ input: { ...bob, action: 'write' } }), {}],
  ['Data API, undefined document', '/v1/data/rbac/nothing_here', json({ input: bob }), {}],
  ['Data API, no input key (a usage warning)', '/v1/data/rbac/allow', json({}), {}],
  ['Data API, no body', '/v1/data/rbac/allow', '', {}],
  ['Data API, a body that is not an object', '/v1/data/rbac/allow', '[1]', {}],
  ['Data API, bad JSON', '/v1/data/rbac/allow', '{"input":', {}],
  ['Data API, evaluation error', '/v1/data/broken/allow', json({ input: { conflict: true } }), {}],
  ['Data API, an array index', '/v1/data/roles/bob/0', json({}), {}],
  ['Data API, the whole data tree', '/v1/data', json({ input: bob }), {}],
  ['Data API, a trailing slash', '/v1/data/', json({ input: bob }), {}],
  ['Data API, repeated slashes', '/v1/data//rbac//allow', json({ input: bob }), {}],
  ['Data API, gzip', '/v1/data/rbac/allow', gzipSync(json({ input: bob })), { 'content-encoding': 'gzip' }],
];

const ALL_JSON_CASES: [string, string, Buffer | string, Record<string, string>][] = [
  ...CASES.map(([name, body, headers]): [string, string, Buffer | string, Record<string, string>] => [name, '/v1/decide', body, headers]),
  ...DATA_CASES,
];

for (const [name, path, body, headers] of ALL_JSON_CASES) {
  test(`direct lane and fastify give the same answer: ${name}`, async () => {
    const before = app.pol.directLane.served;
    const direct = await send(url, path, body, headers);
    assert.equal(app.pol.directLane.served, before + 1, 'the lane answered');
    const routed = await app.inject({ method: 'POST', url: path, payload: body, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } });
    assert.equal(app.pol.directLane.served, before + 1, 'inject goes through fastify');
    assert.equal(direct.status, routed.statusCode, direct.body);
    assert.deepEqual(comparable(direct.body), comparable(routed.body));
    assert.equal(direct.headers['content-type'], routed.headers['content-type']);
    assert.equal(direct.headers['content-length'], String(Buffer.byteLength(direct.body)));
    assert.equal(direct.headers['retry-after'], routed.headers['retry-after']);
  });
}

/** Proxy requests the lane takes: method, URL, headers (no body). */
const bob_ = { authorization: 'Bearer bob-token' };
const PROXY_CASES: [string, string, string, Record<string, string | string[]>][] = [
  ['forward-auth, nginx headers, allowed', 'GET', '/v1/forward-auth', { 'x-original-method': 'GET', 'x-original-uri': '/docs/1?a=1', ...bob_ }],
  ['forward-auth, Traefik headers, allowed', 'GET', '/v1/forward-auth', { 'x-forwarded-method': 'GET', 'x-forwarded-uri': '/docs', 'x-forwarded-host': 'api.example', 'x-forwarded-proto': 'https', ...bob_ }],
  ['forward-auth, denied with reasons', 'GET', '/v1/forward-auth', { 'x-original-method': 'GET', 'x-original-uri': '/admin/users', ...bob_ }],
  ['forward-auth, no credentials (401)', 'GET', '/v1/forward-auth', { 'x-original-method': 'GET', 'x-original-uri': '/docs' }],
  ['forward-auth, encoded dot segments', 'GET', '/v1/forward-auth', { 'x-original-method': 'GET', 'x-original-uri': '/docs/%2e%2e/admin/users', ...bob_ }],
  ['forward-auth, malformed escape', 'GET', '/v1/forward-auth', { 'x-original-method': 'GET', 'x-original-uri': '/docs/%zz', ...bob_ }],
  ['forward-auth, both header pairs', 'GET', '/v1/forward-auth', { 'x-original-method': 'GET', 'x-original-uri': '/docs', 'x-forwarded-uri': '/admin', ...bob_ }],
  ['forward-auth, no original request', 'GET', '/v1/forward-auth', { ...bob_ }],
  ['forward-auth, repeated authorization', 'GET', '/v1/forward-auth', { 'x-original-method': 'GET', 'x-original-uri': '/docs', authorization: ['Bearer bob-token', 'Bearer alice-token'] }],
  ['forward-auth, spoofed identity headers', 'GET', '/v1/forward-auth', { 'x-original-method': 'GET', 'x-original-uri': '/docs', ...bob_, 'x-user': 'alice', 'x-tenant': 'evil' }],
  ['forward-auth, HEAD', 'HEAD', '/v1/forward-auth', { 'x-original-method': 'GET', 'x-original-uri': '/docs', ...bob_ }],
  ['forward-auth, DELETE with an empty body', 'DELETE', '/v1/forward-auth', { 'x-original-method': 'DELETE', 'x-original-uri': '/docs', ...bob_, 'content-length': '0' }],
  ['ext_authz, allowed', 'GET', '/v1/ext-authz/docs/7?x=1', { ...bob_, 'x-user': 'alice' }],
  ['ext_authz, denied', 'DELETE', '/v1/ext-authz/docs/7', { ...bob_ }],
  ['ext_authz, the prefix alone', 'GET', '/v1/ext-authz', { ...bob_ }],
  ['ext_authz, the prefix and a slash', 'GET', '/v1/ext-authz/', { 'x-forwarded-for': '203.0.113.8', 'x-real-ip': '10.9.9.9' }],
  ['ext_authz, repeated slashes and dot segments', 'GET', '/v1/ext-authz//docs/./a/../1', { ...bob_ }],
  ['ext_authz, repeated authorization', 'GET', '/v1/ext-authz/docs/1', { authorization: ['Bearer bob-token', 'Bearer alice-token'] }],
];

/** Headers a proxy endpoint answers with, comparable across decisions. */
function proxyHeaders(h: Record<string, string | string[] | undefined>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of ['content-type', 'www-authenticate', 'x-user', 'x-user-roles', 'x-tenant', 'x-envoy-auth-headers-to-remove']) out[name] = h[name];
  out['x-decision-id'] = typeof h['x-decision-id'] === 'string' && /^[0-9a-f-]{36}$/.test(h['x-decision-id']) ? 'id' : h['x-decision-id'];
  return out;
}

for (const [name, method, path, headers] of PROXY_CASES) {
  test(`direct lane and fastify give the same answer: ${name}`, async () => {
    const before = app.pol.directLane.served;
    const direct = await send(url, path, '', headers, method);
    assert.equal(app.pol.directLane.served, before + 1, 'the lane answered');
    const routed = await app.inject({ method: method as 'GET', url: path, headers });
    assert.equal(direct.status, routed.statusCode, direct.body);
    if (method === 'HEAD') assert.equal(direct.body, '');
    else assert.deepEqual(comparable(direct.body), comparable(routed.body));
    assert.deepEqual(proxyHeaders(direct.headers), proxyHeaders(routed.headers as Record<string, string | string[] | undefined>));
    assert.equal(direct.headers['content-length'], routed.headers['content-length'] ?? String(Buffer.byteLength(direct.body)));
  });
}

test('proxy requests with a body, a content type, an escape in the URL or an over-long URL go through fastify', async () => {
  const before = app.pol.directLane.served;
  const fwd = { 'x-original-method': 'GET', 'x-original-uri': '/docs', ...bob_ };
  const cases: [string, string, string, Record<string, string>][] = [
    ['POST', '/v1/forward-auth', 'raw body', fwd],
    ['POST', '/v1/ext-authz/docs', '', { ...bob_, 'content-type': 'text/plain', 'content-length': '0' }],
    ['GET', '/v1/ext-authz/admin/..%2fdocs/1', '', bob_],
    // fastify's router refuses a malformed escape (400) before the endpoint would (403).
    ['GET', '/v1/ext-authz/docs/%zz', '', bob_],
    ['GET', `/v1/ext-authz/docs/${'a'.repeat(5000)}`, '', bob_],
  ];
  for (const [method, path, body, headers] of cases) {
    const direct = await send(url, path, body, headers, method);
    const routed = await app.inject({ method: method as 'GET', url: path, headers, ...(body ? { payload: body } : {}) });
    assert.equal(direct.status, routed.statusCode, `${method} ${path.slice(0, 60)}`);
  }
  assert.equal(app.pol.directLane.served, before);
});

test('a body the lane cannot read or parse closes the connection, as fastify does (the client may still be sending)', async () => {
  const agent = new Agent({ keepAlive: true });
  try {
    for (const [body, headers, status] of [['{"path":', {}, 400], ['x'.repeat(5000), {}, 413], ['not gzip', { 'content-encoding': 'gzip' }, 400]] as const) {
      const r = await new Promise<{ status: number; connection: string | undefined }>((resolve, reject) => {
        const req = request(`${url}/v1/decide`, { method: 'POST', agent, headers: { 'content-type': 'application/json', ...headers } }, res => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode!, connection: res.headers.connection }));
        });
        req.on('error', reject);
        req.end(body);
      });
      const routed = await app.inject({ method: 'POST', url: '/v1/decide', payload: body, headers: { 'content-type': 'application/json', ...headers } });
      assert.equal(r.status, status);
      assert.equal(r.connection, 'close');
      assert.equal(routed.headers.connection, 'close');
    }
    // A good request keeps its connection.
    const ok = await new Promise<string | undefined>((resolve, reject) => {
      const req = request(`${url}/v1/decide`, { method: 'POST', agent, headers: { 'content-type': 'application/json' } }, res => { res.resume(); res.on('end', () => resolve(res.headers.connection)); });
      req.on('error', reject);
      req.end(json({ path: 'rbac/allow', input: bob }));
    });
    assert.equal(ok, 'keep-alive');
  } finally {
    agent.destroy();
  }
});

test('the lane counts errors in pol_errors_total as fastify does', async () => {
  const count = async (): Promise<number> => {
    const m = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    const line = m.split('\n').find(l => l.startsWith('pol_errors_total{code="invalid_parameter"}'));
    return line ? Number(line.split(' ').pop()) : 0;
  };
  const before = await count();
  await send(url, '/v1/decide', '{"path":', {});
  assert.equal(await count(), before + 1);
});

test('requests the lane does not take go through fastify: other URLs, methods and content types', async () => {
  const before = app.pol.directLane.served;
  const body = json({ path: 'rbac/allow', input: bob });
  const withQuery = await send(url, '/v1/decide?x=1', body);
  assert.equal(withQuery.status, 200);
  assert.equal(JSON.parse(withQuery.body).result, true);
  // fastify refuses a malformed content type: so must pol, lane or not.
  const badType = await send(url, '/v1/decide', body, { 'content-type': 'foo' });
  assert.equal(badType.status, 415);
  const textType = await send(url, '/v1/decide', body, { 'content-type': 'text/plain' });
  assert.equal(textType.status, 200);
  const get = await send(url, '/v1/decide', '', {}, 'GET');
  assert.equal(get.status, 405);
  assert.equal(get.headers.allow, 'POST');
  // Data API queries with options, escapes or another method.
  const dataBody = json({ input: bob });
  for (const [method, path] of [['POST', '/v1/data/rbac/allow?pretty'], ['POST', '/v1/data/rbac/allow?metrics'], ['POST', '/v1/data/rbac%2Fallow'], ['POST', '/v1/data/rbac/%zz'], ['GET', `/v1/data/rbac/allow?input=${encodeURIComponent(JSON.stringify(bob))}`]] as const) {
    const direct = await send(url, path, method === 'GET' ? '' : dataBody, {}, method);
    const routed = await app.inject({ method, url: path, ...(method === 'GET' ? {} : { payload: dataBody }) });
    assert.equal(direct.status, routed.statusCode, path);
    if (!path.includes('metrics')) assert.deepEqual(comparable(direct.body), comparable(routed.body), path);
  }
  assert.equal(app.pol.directLane.served, before);
});

test('a request hook added to the app turns the lane off, so the hook sees every request', async () => {
  const { app: hooked, close: closeHooked } = await makeApp();
  try {
    let seen = 0;
    // An embedder's authentication, say: it must not be bypassed.
    hooked.addHook('onRequest', async (req, reply) => {
      seen++;
      if (req.headers.authorization !== 'Bearer let-me-in') await reply.code(401).send({ code: 'unauthorized', message: 'no' });
    });
    const hookedUrl = await listen(hooked);
    assert.equal(hooked.pol.directLane.isOpen, false);
    const body = json({ path: 'rbac/allow', input: bob });
    assert.equal((await send(hookedUrl, '/v1/decide', body, { 'content-type': 'application/json' })).status, 401);
    const ok = await send(hookedUrl, '/v1/decide', body, { 'content-type': 'application/json', authorization: 'Bearer let-me-in' });
    assert.equal(ok.status, 200);
    assert.equal(seen, 2);
    assert.equal(hooked.pol.directLane.served, 0);
  } finally {
    await closeHooked();
  }
});

test('an error handler set on the app turns the lane off, so it answers every error', async () => {
  const { app: handled, close: closeHandled } = await makeApp();
  try {
    handled.setErrorHandler((_err, _req, reply) => reply.code(418).send({ code: 'teapot', message: 'mine' }));
    assert.equal(handled.pol.directLane.isOpen, false);
    const handledUrl = await listen(handled);
    const r = await send(handledUrl, '/v1/decide', '{"path":', { 'content-type': 'application/json' });
    assert.equal(r.status, 418);
    assert.equal(handled.pol.directLane.served, 0);
  } finally {
    await closeHandled();
  }
});

test('a hook added by a plugin registered later turns the lane off too', async () => {
  const { app: plugged, close: closePlugged } = await makeApp();
  try {
    await plugged.register(async instance => { instance.addHook('preHandler', async () => {}); });
    await plugged.ready();
    assert.equal(plugged.pol.directLane.isOpen, false);
  } finally {
    await closePlugged();
  }
});

test('before a policy is loaded the lane answers 503 not_ready, as fastify does (decide and Data API)', async () => {
  // No policy source: nothing is ever loaded.
  const empty = buildApp(resolveConfig({}), { logger: false });
  try {
    await empty.pol.initialLoad;
    const emptyUrl = await listen(empty);
    const body = json({ path: 'rbac/allow', input: bob });
    const direct = await send(emptyUrl, '/v1/decide', body);
    const routed = await empty.inject({ method: 'POST', url: '/v1/decide', payload: body });
    assert.equal(direct.status, 503);
    assert.equal(routed.statusCode, 503);
    assert.deepEqual(JSON.parse(direct.body), JSON.parse(routed.body));
    const data = json({ input: bob });
    const directData = await send(emptyUrl, '/v1/data/rbac/allow', data);
    const routedData = await empty.inject({ method: 'POST', url: '/v1/data/rbac/allow', payload: data });
    assert.equal(directData.status, 503);
    assert.deepEqual(JSON.parse(directData.body), JSON.parse(routedData.body));
    assert.equal(empty.pol.directLane.served, 2);
  } finally {
    await empty.close();
  }
});

test('an answer Node refuses to write (a bad header value) becomes a 500 and the server goes on', async () => {
  const failures: unknown[] = [];
  const answers = [
    { status: 200, text: '{"allow":true}', headers: { 'x-user': 'bob\r\nx-admin: yes' } },
    Promise.resolve({ status: 200, text: '{"allow":true}', headers: { 'x-user': 'bob\nx' } }),
    { status: 200, text: '{"allow":true}', headers: { 'x-user': 'bob' } },
  ];
  let next = 0;
  const unused = (): never => { throw new Error('not used here'); };
  const lane = new DirectLane({
    service: {} as DecisionService,
    proxies: { forwardAuth: () => answers[next++]!, extAuthz: unused },
    postData: unused,
    maxBytes: 1024, maxDepth: 8,
    failed: err => { failures.push(err); return new HttpError('internal_error', 'internal error'); },
  });
  const server = createServer((req, res) => { if (!lane.take(req, res)) { res.writeHead(404); res.end(); } });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  try {
    const a = server.address();
    const laneUrl = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
    for (const expected of [500, 500, 200]) {
      const r = await send(laneUrl, '/v1/forward-auth', '', {}, 'GET');
      assert.equal(r.status, expected, r.body);
      if (expected === 500) {
        assert.deepEqual(JSON.parse(r.body), { code: 'internal_error', message: 'internal error' });
        assert.equal(r.headers['x-user'], undefined);
        assert.equal(r.headers['x-admin'], undefined);
      } else {
        assert.equal(r.headers['x-user'], 'bob');
      }
    }
    assert.equal(failures.length, 2);
  } finally {
    server.closeAllConnections();
    await new Promise(resolve => server.close(resolve));
  }
});
