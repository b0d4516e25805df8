import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { makeApp, json } from './helpers.js';

let app: FastifyInstance;
let close: () => Promise<void>;
before(async () => ({ app, close } = await makeApp({ authzen: { path: 'authzen/allow' } })));
after(() => close());

const req = (subject: string, action: string) => ({ subject: { type: 'user', id: subject }, action: { name: action }, resource: { type: 'document', id: '1' } });

test('POST /access/v1/evaluation maps the request to the configured policy', async () => {
  const r = await app.inject({ method: 'POST', url: '/access/v1/evaluation', payload: req('bob', 'read'), headers: { 'x-request-id': 'abc-1' } });
  assert.equal(r.statusCode, 200);
  assert.deepEqual(json(r.body), { decision: true });
  assert.equal(r.headers['x-request-id'], 'abc-1');
  assert.deepEqual(json((await app.inject({ method: 'POST', url: '/access/v1/evaluation', payload: req('bob', 'write') })).body), { decision: false });
});

test('malformed AuthZEN requests are 400s', async () => {
  for (const payload of [{ subject: { id: 'x' }, action: { name: 'a' }, resource: { type: 't', id: '1' } }, { ...req('a', 'b'), action: 'read' }, { ...req('a', 'b'), context: [] }]) {
    const r = await app.inject({ method: 'POST', url: '/access/v1/evaluation', payload });
    assert.equal(r.statusCode, 400, JSON.stringify(payload));
    assert.equal(json(r.body).code, 'invalid_parameter');
  }
});

test('batches inherit top-level fields and honour evaluations_semantic', async () => {
  const base = { subject: { type: 'user', id: 'bob' }, resource: { type: 'document', id: '1' } };
  const evaluations = [{ action: { name: 'read' } }, { action: { name: 'write' } }, { action: { name: 'read' } }];
  const all = json((await app.inject({ method: 'POST', url: '/access/v1/evaluations', payload: { ...base, evaluations } })).body);
  assert.deepEqual(all, { evaluations: [{ decision: true }, { decision: false }, { decision: true }] });
  const denyFirst = json((await app.inject({ method: 'POST', url: '/access/v1/evaluations', payload: { ...base, evaluations, options: { evaluations_semantic: 'deny_on_first_deny' } } })).body);
  assert.deepEqual(denyFirst, { evaluations: [{ decision: true }, { decision: false }] });
  const permitFirst = json((await app.inject({ method: 'POST', url: '/access/v1/evaluations', payload: { ...base, evaluations, options: { evaluations_semantic: 'permit_on_first_permit' } } })).body);
  assert.deepEqual(permitFirst, { evaluations: [{ decision: true }] });
  const bad = await app.inject({ method: 'POST', url: '/access/v1/evaluations', payload: { ...base, evaluations, options: { evaluations_semantic: 'whatever' } } });
  assert.equal(bad.statusCode, 400);
  const tooMany = await app.inject({ method: 'POST', url: '/access/v1/evaluations', payload: { ...base, evaluations: new Array(101).fill({ action: { name: 'read' } }) } });
  assert.equal(tooMany.statusCode, 400);
});

test('the discovery document names both endpoints', async () => {
  const r = json((await app.inject({ method: 'GET', url: '/.well-known/authzen-configuration' })).body);
  assert.match(r.access_evaluation_endpoint, /\/access\/v1\/evaluation$/);
  assert.match(r.access_evaluations_endpoint, /\/access\/v1\/evaluations$/);
  // Built from the request, only a plain Host is taken (a cache in front must not learn a URL of the client's choosing).
  const planted = await app.inject({ method: 'GET', url: '/.well-known/authzen-configuration', headers: { host: 'evil.com/x?y#' } });
  assert.equal(planted.statusCode, 400);
  assert.doesNotMatch(planted.body, /evil\.com\/x/);
  const plain = await app.inject({ method: 'GET', url: '/.well-known/authzen-configuration', headers: { host: 'PDP.example:8443' } });
  assert.equal(json(plain.body).policy_decision_point, 'http://pdp.example:8443');
  assert.equal(plain.headers['cache-control'], 'no-store');
  const { app: fixed, close: closeFixed } = await makeApp({ authzen: { base_url: 'https://pdp.example.com/' } });
  try {
    const f = await fixed.inject({ method: 'GET', url: '/.well-known/authzen-configuration', headers: { host: 'evil.com' } });
    assert.deepEqual(json(f.body), { policy_decision_point: 'https://pdp.example.com', access_evaluation_endpoint: 'https://pdp.example.com/access/v1/evaluation', access_evaluations_endpoint: 'https://pdp.example.com/access/v1/evaluations' });
  } finally { await closeFixed(); }
});

test('a batch shares one deadline: once it passes the remaining items are not evaluated and the batch fails closed', async () => {
  // `limits.eval_timeout_ms` is per request. An item costs about `context.k` x 1000 loop steps.
  const TIMEOUT_MS = 200, TOKEN = 'secret-token-0123456789';
  const policy = 'package slowz\n\nallow if {\n\tsome i in numbers.range(1, 100000)\n\tsome j in numbers.range(1, 1000)\n\ti == j + input.context.k\n}\n';
  const { app: slow, close: closeSlow } = await makeApp({
    limits: { eval_timeout_ms: TIMEOUT_MS }, cache: { enabled: false }, authzen: { path: 'slowz/allow' },
    policy_api: { writable: true, token: TOKEN },
  });
  try {
    const put = await slow.inject({ method: 'PUT', url: '/v1/policies/slowz.pol', payload: policy, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'text/plain' } });
    assert.equal(put.statusCode, 200, put.body);
    // Calibrate (after warming up): pick `k` so that one item takes about a quarter of the timeout.
    const one = async (k: number) => {
      const t0 = performance.now();
      const r = await slow.inject({ method: 'POST', url: '/access/v1/evaluation', payload: { ...req('bob', 'read'), context: { k } } });
      assert.deepEqual(json(r.body), { decision: true });
      return performance.now() - t0;
    };
    for (let i = 0; i < 3; i++) await one(100);
    const times: number[] = [];
    for (let i = 0; i < 5; i++) times.push(await one(100));
    times.sort((a, b) => a - b);
    const k = Math.max(1, Math.min(99_000, Math.floor(100 * (TIMEOUT_MS / 4) / times[2]!)));
    // Each item alone is well within the timeout ...
    assert.ok(await one(k) < TIMEOUT_MS, 'calibration');
    // ... but 100 of them are not: without a per-request deadline this batch takes ~25 timeouts and allows all.
    const t0 = Date.now();
    const r = await slow.inject({ method: 'POST', url: '/access/v1/evaluations', payload: { ...req('bob', 'read'), evaluations: new Array(100).fill({ context: { k } }) } });
    const ms = Date.now() - t0;
    assert.equal(r.statusCode, 500, r.body);
    const body = json(r.body);
    assert.equal(body.code, 'eval_error');
    assert.match(body.message, /^evaluations\[\d+\]: .*evaluation deadline exceeded \(limits\.eval_timeout_ms covers the whole batch\); \d+ of 100 evaluations not made$/);
    assert.equal('evaluations' in body, false, 'no decision for any item');
    assert.ok(ms < 4 * TIMEOUT_MS, `took ${ms} ms`);
  } finally { await closeSlow(); }
});

test('batch edge cases: an empty evaluations array is one evaluation, options must be an object, X-Request-ID comes back on errors', async () => {
  const base = { subject: { type: 'user', id: 'alice' }, action: { name: 'read' }, resource: { type: 'document', id: '1' } };
  const single = json((await app.inject({ method: 'POST', url: '/access/v1/evaluation', payload: base })).body);
  const empty = await app.inject({ method: 'POST', url: '/access/v1/evaluations', payload: { ...base, evaluations: [] } });
  assert.equal(empty.statusCode, 200);
  assert.deepEqual(json(empty.body), single);
  const bare = await app.inject({ method: 'POST', url: '/access/v1/evaluations', payload: { evaluations: [] } });
  assert.equal(bare.statusCode, 400);
  const options = await app.inject({ method: 'POST', url: '/access/v1/evaluations', payload: { ...base, evaluations: [{}], options: 'x' } });
  assert.equal(options.statusCode, 400);
  const bad = await app.inject({ method: 'POST', url: '/access/v1/evaluation', payload: { subject: {} }, headers: { 'x-request-id': 'req-42' } });
  assert.equal(bad.statusCode, 400);
  assert.equal(bad.headers['x-request-id'], 'req-42');
});
