import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { makeApp, json } from './helpers.js';

let app: FastifyInstance;
let close: () => Promise<void>;
before(async () => ({ app, close } = await makeApp()));
after(() => close());

const bob = { user: 'bob', action: 'read', resource: { type: 'document' } };
const decide = (payload: unknown, headers: Record<string, string> = {}) => app.inject({ method: 'POST', url: '/v1/decide', payload: payload as object, headers });

test('POST /v1/decide returns decision_id, result, cached and eval_ns; the second identical call is cached', async () => {
  const first = json((await decide({ path: 'rbac/allow', input: { ...bob, extra: 1 } })).body);
  assert.equal(first.result, true);
  assert.equal(first.cached, false);
  assert.match(first.decision_id, /^[0-9a-f-]{36}$/);
  assert.equal(typeof first.eval_ns, 'number');
  // A field the policy never reads does not change the key.
  const second = json((await decide({ path: 'rbac/allow', input: { ...bob, extra: 2 } })).body);
  assert.equal(second.cached, true);
  assert.equal(second.result, true);
  assert.notEqual(second.decision_id, first.decision_id);
  // A field it reads does.
  const other = json((await decide({ path: 'rbac/allow', input: { ...bob, action: 'write' } })).body);
  assert.equal(other.cached, false);
  assert.equal(other.result, false);
});

test('the cache is bypassable per request (body flag or Cache-Control: no-cache)', async () => {
  await decide({ path: 'rbac/allow', input: bob });
  assert.equal(json((await decide({ path: 'rbac/allow', input: bob, cache: false })).body).cached, false);
  assert.equal(json((await decide({ path: 'rbac/allow', input: bob }, { 'cache-control': 'no-cache' })).body).cached, false);
  assert.equal(json((await decide({ path: 'rbac/allow', input: bob })).body).cached, true);
});

test('reasons are surfaced, explanation on request, undefined results have no result key', async () => {
  const r = json((await decide({ path: 'rbac/reasons', input: { ...bob, action: 'write' }, explain: true })).body);
  assert.deepEqual(r.result, ['user bob may not write']);
  assert.ok(Array.isArray(r.explanation) && r.explanation.length > 0);
  const undef = json((await decide({ path: 'rbac/missing', input: bob })).body);
  assert.equal('result' in undef, false);
  const gw = json((await decide({ path: 'gateway/decision', input: { request: { method: 'GET', path: '/x', headers: { authorization: 'Bearer bob-token' } } } })).body);
  assert.deepEqual(gw.reasons, ['allowed']);
});

test('clock-reading decisions are never cached', async () => {
  const a = json((await decide({ path: 'clock/now', input: {} })).body);
  const b = json((await decide({ path: 'clock/now', input: {} })).body);
  assert.equal(a.cached, false);
  assert.equal(b.cached, false);
});

test('entry points cheaper than a cache lookup are evaluated every time unless cache.min_cost is 0', async () => {
  // `open/decision` is a constant: evaluating it costs less than projecting and looking up a key.
  const again = async (target: FastifyInstance) => {
    const post = () => target.inject({ method: 'POST', url: '/v1/decide', payload: { path: 'open/decision', input: { a: 1 } } });
    await post();
    return json((await post()).body);
  };
  const cheap = await again(app);
  assert.deepEqual(cheap.result, { allow: true });
  assert.equal(cheap.cached, false);
  const everything = await makeApp({ cache: { min_cost: 0 } });
  try {
    assert.equal((await again(everything.app)).cached, true);
  } finally { await everything.close(); }
});

test('bad requests: unknown fields, missing path, wrong types, bad JSON', async () => {
  for (const payload of [{ path: 'rbac/allow', inptu: {} }, { input: {} }, { path: 3 }, { path: 'rbac/allow', explain: 'yes' }, [1]]) {
    const r = await decide(payload);
    assert.equal(r.statusCode, 400, JSON.stringify(payload));
    assert.equal(json(r.body).code, 'invalid_parameter');
  }
  const r = await app.inject({ method: 'POST', url: '/v1/decide', payload: '{"path":', headers: { 'content-type': 'application/json' } });
  assert.equal(r.statusCode, 400);
});

test('evaluation errors fail with a 500 JSON error naming the engine code', async () => {
  const r = await decide({ path: 'broken/allow', input: { conflict: true } });
  assert.equal(r.statusCode, 500);
  assert.equal(json(r.body).code, 'eval_conflict_error');
});

test('"explain": true shares the request\'s deadline: the decision is answered, the explanation cut short', async () => {
  // `limits.eval_timeout_ms` is per request. Each `sN` loops ~10^10 times, far past the deadline;
  // `main` is cheap, so the decision is made in time and only the explanation runs out.
  const TIMEOUT_MS = 100, TOKEN = 'secret-token-0123456789';
  const slowPolicy = 'package slow\n\nmain := true\n' + Array.from({ length: 10 }, (_, n) =>
    `s${n + 1} if {\n\tsome i in numbers.range(1, 100000)\n\tsome j in numbers.range(1, 100000)\n\ti == j + input.k + ${n + 1}\n}\n`).join('');
  const { app: slow, close: closeSlow } = await makeApp({ limits: { eval_timeout_ms: TIMEOUT_MS }, policy_api: { writable: true, token: TOKEN } });
  try {
    const put = await slow.inject({ method: 'PUT', url: '/v1/policies/slow.pol', payload: slowPolicy, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'text/plain' } });
    assert.equal(put.statusCode, 200, put.body);
    const t0 = Date.now();
    const r = await slow.inject({ method: 'POST', url: '/v1/decide', payload: { path: 'slow/main', input: { k: 1_000_000 }, explain: true } });
    const ms = Date.now() - t0;
    assert.equal(r.statusCode, 200, r.body);
    const body = json(r.body);
    assert.equal(body.result, true);
    // Without one deadline per request each of the 10 slow rules takes a whole timeout (~10x).
    assert.ok(ms < 4 * TIMEOUT_MS, `took ${ms} ms`);
    assert.match(body.explanation.at(-1), /^explanation cut short: the request's deadline \(limits\.eval_timeout_ms = 100 ms\) passed; \d+ of 11 rules and the trace not evaluated$/, body.explanation.join('\n'));
    // The decision itself out of time: fails closed as before.
    const out = await slow.inject({ method: 'POST', url: '/v1/decide', payload: { path: 'slow/s1', input: { k: 1_000_000 }, explain: true } });
    assert.equal(out.statusCode, 500);
    assert.equal(json(out.body).code, 'eval_cancel_error');
  } finally { await closeSlow(); }
});
