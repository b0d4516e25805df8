import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildApp, resolveConfig } from '../../server/index.js';
import { makeApp } from './helpers.js';

test('/metrics speaks the Prometheus text format with decisions, latency, cache, reloads and errors', async () => {
  const { app, close } = await makeApp();
  try {
    const input = { user: 'bob', action: 'read', resource: { type: 'document' } };
    for (let i = 0; i < 3; i++) await app.inject({ method: 'POST', url: '/v1/decide', payload: { path: 'rbac/allow', input } });
    await app.inject({ method: 'POST', url: '/v1/decide', payload: '{', headers: { 'content-type': 'application/json' } });
    const r = await app.inject({ method: 'GET', url: '/metrics' });
    assert.equal(r.statusCode, 200);
    assert.match(String(r.headers['content-type']), /^text\/plain; version=0\.0\.4/);
    const text = r.body;
    assert.match(text, /^pol_decisions_total\{api="decide",outcome="defined"\} 3$/m);
    assert.match(text, /^pol_decision_cache_hits_total 2$/m);
    assert.match(text, /^pol_decision_cache_misses_total 1$/m);
    assert.match(text, /^pol_decision_duration_seconds_count\{api="decide",cached="true"\} 2$/m);
    assert.match(text, /^pol_decision_duration_seconds_bucket\{api="decide",cached="true",le="\+Inf"\} 2$/m);
    assert.match(text, /^pol_policy_reloads_total\{origin="directory",result="success"\} 1$/m);
    assert.match(text, /^pol_policy_load_duration_seconds_count\{origin="directory"\} 1$/m);
    assert.match(text, /^pol_policy_changes_waiting 0$/m);
    assert.match(text, /^pol_errors_total\{code="invalid_parameter"\} 1$/m);
    assert.match(text, /^pol_policy_info\{revision="[0-9a-f]+"\} 1$/m);
    // Every sample line belongs to a declared metric.
    const declared = new Set([...text.matchAll(/^# TYPE (\S+) /gm)].map(m => m[1]));
    for (const line of text.split('\n').filter(l => l && !l.startsWith('#'))) {
      const name = line.split(/[{ ]/)[0]!.replace(/_(bucket|sum|count)$/, '');
      assert.ok(declared.has(name) || declared.has(line.split(/[{ ]/)[0]!), line);
    }
    assert.equal((await app.inject({ method: 'GET', url: '/health' })).body, '{}');
  } finally { await close(); }
});

test('/health answers OPA\'s `bundles` and `plugins` checks: unhealthy (500) before a policy is loaded and, for plugins, while a load is failing', async () => {
  const { app, close } = await makeApp();
  const health = async (q: string) => { const r = await app.inject({ method: 'GET', url: `/health${q}` }); return [r.statusCode, JSON.parse(r.body)] as const; };
  try {
    assert.deepEqual(await health(''), [200, {}]);
    assert.deepEqual(await health('?bundles'), [200, {}]);
    assert.deepEqual(await health('?plugins=true'), [200, {}]);
    app.pol.store.recordFailure('bundle', 'bundle_signature_error', 'bad signature');
    assert.deepEqual(await health('?bundles'), [200, {}]);
    assert.deepEqual(await health('?plugins'), [500, { code: 'unhealthy', error: 'the last bundle load failed: bad signature' }]);
    assert.deepEqual(await health('?plugins=false'), [200, {}]);
    // A policy write refused through the API is not ill health.
    app.pol.store.recordFailure('api', 'rego_parse_error', 'bad policy');
    assert.deepEqual(await health('?plugins'), [200, {}]);
  } finally { await close(); }
  // Nothing loaded yet (the directory is missing): plain health is fine, `bundles` is not.
  const empty = buildApp(resolveConfig({ policies: { dir: '/nonexistent-pol-dir', watch: false } }), { logger: false });
  try {
    await empty.pol.initialLoad;
    assert.equal((await empty.inject({ method: 'GET', url: '/health' })).statusCode, 200);
    const r = await empty.inject({ method: 'GET', url: '/health?bundles' });
    assert.equal(r.statusCode, 500);
    assert.deepEqual(JSON.parse(r.body), { code: 'unhealthy', error: 'no policy loaded yet' });
  } finally { await empty.close(); }
});

test('/metrics times each policy load by origin, and counts the changes waiting to compile', async () => {
  const token = 'secret-token-0123456789';
  const { app, close } = await makeApp({ policy_api: { writable: true, token } });
  try {
    const auth = { authorization: `Bearer ${token}`, 'content-type': 'text/plain' };
    const rules = Array.from({ length: 3000 }, (_, i) => `allow if input.x == ${i}\n`).join('\n');
    const put = app.inject({ method: 'PUT', url: '/v1/policies/big.pol', payload: `package big\n\n${rules}`, headers: auth });
    let waiting = '0';
    for (let i = 0; i < 2000 && waiting === '0'; i++) {
      await new Promise(r => setImmediate(r));
      if (app.pol.store.backgroundChanges > 0) waiting = (await app.inject({ method: 'GET', url: '/metrics' })).body.match(/^pol_policy_changes_waiting (\d+)$/m)?.[1] ?? '0';
    }
    assert.equal(waiting, '1', 'the PUT was not seen waiting');
    assert.equal((await put).statusCode, 200);
    await app.inject({ method: 'PUT', url: '/v1/data/extra', payload: { a: 1 }, headers: { authorization: auth.authorization } });
    const text = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    assert.match(text, /^pol_policy_load_duration_seconds_count\{origin="api"\} 2$/m);
    const sum = Number(text.match(/^pol_policy_load_duration_seconds_sum\{origin="api"\} (\S+)$/m)?.[1]);
    assert.ok(sum > 0 && sum < 120, String(sum));
    assert.match(text, /^pol_policy_changes_waiting 0$/m);
  } finally { await close(); }
});
