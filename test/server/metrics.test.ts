import { test } from 'node:test';
import assert from 'node:assert/strict';
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
