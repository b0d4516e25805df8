import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { buildApp, resolveConfig } from '../../server/index.js';
import { makeApp, json } from './helpers.js';

const bob = { user: 'bob', action: 'write', resource: { type: 'document' } };
const TOKEN = 'secret-token-0123456789';

test('GET /v1/policies lists ids, sources and the revision', async () => {
  const { app, close } = await makeApp();
  try {
    const r = json((await app.inject({ method: 'GET', url: '/v1/policies' })).body);
    assert.ok(r.result.some((p: { id: string }) => p.id === 'rbac.pol'));
    assert.ok(r.result.some((p: { id: string }) => p.id === 'gateway/decision.pol'));
    assert.equal(typeof r.revision, 'string');
    assert.equal(r.last_error, null);
    const one = json((await app.inject({ method: 'GET', url: '/v1/policies/rbac.pol' })).body);
    assert.match(one.result.raw, /package rbac/);
    assert.equal((await app.inject({ method: 'GET', url: '/v1/policies/none.pol' })).statusCode, 404);
  } finally { await close(); }
});

test('policy writes are refused unless enabled, and need the token when one is set', async () => {
  const { app, close } = await makeApp();
  try {
    const r = await app.inject({ method: 'PUT', url: '/v1/policies/x.pol', payload: 'package x\n', headers: { 'content-type': 'text/plain' } });
    assert.equal(r.statusCode, 403);
    assert.equal(json(r.body).code, 'forbidden');
  } finally { await close(); }
  const { app: w, close: closeW } = await makeApp({ policy_api: { writable: true, token: TOKEN } });
  try {
    const r = await w.inject({ method: 'PUT', url: '/v1/policies/x.pol', payload: 'package x\n', headers: { 'content-type': 'text/plain', authorization: 'Bearer wrong-token-0123456789' } });
    assert.equal(r.statusCode, 401);
    const none = await w.inject({ method: 'PUT', url: '/v1/policies/x.pol', payload: 'package x\n', headers: { 'content-type': 'text/plain' } });
    assert.equal(none.statusCode, 401);
  } finally { await closeW(); }
  // Open writes only when the configuration says so in words.
  const { app: open, close: closeOpen } = await makeApp({ policy_api: { writable: true, unauthenticated: true } });
  try {
    const r = await open.inject({ method: 'PUT', url: '/v1/policies/x.pol', payload: 'package x\n', headers: { 'content-type': 'text/plain' } });
    assert.equal(r.statusCode, 200, r.body);
  } finally { await closeOpen(); }
});

test('PUT validates against everything else, swaps atomically, and the cache never serves the old answer', async () => {
  const { app, close } = await makeApp({ policy_api: { writable: true, token: TOKEN } });
  const auth = { authorization: `Bearer ${TOKEN}`, 'content-type': 'text/plain' };
  try {
    const decide = async () => json((await app.inject({ method: 'POST', url: '/v1/decide', payload: { path: 'rbac/allow', input: bob } })).body);
    assert.equal((await decide()).result, false);
    assert.equal((await decide()).cached, true);
    const before = app.pol.store.generation!.revision;

    // A broken policy is rejected with OPA's error shape and the working policy stays.
    const bad = await app.inject({ method: 'PUT', url: '/v1/policies/extra.pol', payload: 'package rbac\nimport rego.v1\nallow if { x }\n', headers: auth });
    assert.equal(bad.statusCode, 400);
    const body = json(bad.body);
    assert.equal(body.code, 'invalid_parameter');
    assert.ok(body.errors.length > 0 && body.errors[0].location.file === 'extra.pol', bad.body);
    assert.equal(app.pol.store.generation!.revision, before);
    const listed = json((await app.inject({ method: 'GET', url: '/v1/policies' })).body);
    assert.equal(listed.last_error.origin, 'api');
    assert.equal((await decide()).cached, true);

    // A good one swaps in: new revision, and the cached `false` is gone.
    const good = await app.inject({ method: 'PUT', url: '/v1/policies/extra.pol', payload: 'package rbac\nimport rego.v1\nallow if input.user == "bob"\n', headers: auth });
    assert.equal(good.statusCode, 200, good.body);
    assert.notEqual(app.pol.store.generation!.revision, before);
    const after = await decide();
    assert.equal(after.result, true);
    assert.equal(after.cached, false);

    // DELETE brings the old answer back.
    const del = await app.inject({ method: 'DELETE', url: '/v1/policies/extra.pol', headers: auth });
    assert.equal(del.statusCode, 200);
    assert.equal((await decide()).result, false);
    assert.equal((await app.inject({ method: 'DELETE', url: '/v1/policies/extra.pol', headers: auth })).statusCode, 404);
    assert.equal((await app.inject({ method: 'PUT', url: '/v1/policies/..%2Fetc.pol', payload: 'package x\n', headers: auth })).statusCode, 400);
  } finally { await close(); }
});

test('the directory is watched: a good change swaps in, a broken file keeps the working policy and is reported', async () => {
  const { app, dir, close } = await makeApp({ policies: { watch: true, debounce_ms: 20 } });
  const decide = async () => json((await app.inject({ method: 'POST', url: '/v1/decide', payload: { path: 'rbac/allow', input: bob } })).body);
  const waitFor = async (cond: () => boolean): Promise<void> => {
    for (let i = 0; i < 600 && !cond(); i++) await sleep(25);
    assert.ok(cond(), 'timed out waiting for a reload');
  };
  try {
    assert.equal((await decide()).result, false);
    const rev0 = app.pol.store.generation!.revision;
    writeFileSync(join(dir, 'extra.pol'), 'package rbac\nimport rego.v1\nallow if input.user == "bob"\n');
    await waitFor(() => app.pol.store.generation!.revision !== rev0);
    assert.equal((await decide()).result, true);
    const rev1 = app.pol.store.generation!.revision;

    writeFileSync(join(dir, 'extra.pol'), 'package rbac\nimport rego.v1\nallow if {\n');
    await waitFor(() => app.pol.store.lastError !== undefined);
    assert.equal(app.pol.store.generation!.revision, rev1);
    assert.equal((await decide()).result, true);
    const ready = json((await app.inject({ method: 'GET', url: '/ready' })).body);
    assert.equal(ready.ready, true);
    assert.equal(ready.last_error.origin, 'directory');
    const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    assert.match(metrics, /pol_policy_reloads_total\{origin="directory",result="failure"\} [1-9]/);

    // Data changes are policy changes too.
    unlinkSync(join(dir, 'extra.pol'));
    await waitFor(() => app.pol.store.lastError === undefined);
    writeFileSync(join(dir, 'data.json'), JSON.stringify({ roles: { bob: ['admin'] }, grants: { admin: [{ action: 'write', type: 'document' }] } }));
    const rev2 = app.pol.store.generation!.revision;
    await waitFor(() => app.pol.store.generation!.revision !== rev2);
    assert.equal((await decide()).result, true);
  } finally { await close(); }
});

/** Polls `cond` until it holds (or fails the test after ~15 s). */
async function until(cond: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 600; i++) { if (await cond()) return; await sleep(25); }
  assert.fail(`timed out waiting for ${what}`);
}

/** A Kubernetes ConfigMap volume: `..<ts>/` holds the files, `..data` links to it, each key links through `..data`. */
function writeConfigMapVersion(root: string, ts: string, who: string): void {
  const d = join(root, ts);
  mkdirSync(join(d, 'lib'), { recursive: true });
  writeFileSync(join(d, 'a.pol'), 'package cm\nimport rego.v1\nallow if input.user == data.who\n');
  writeFileSync(join(d, 'lib', 'b.pol'), 'package cm.lib\nimport rego.v1\nname := data.who\n');
  writeFileSync(join(d, 'data.json'), JSON.stringify({ who }));
  symlinkSync(ts, join(root, '..data_tmp'));
  renameSync(join(root, '..data_tmp'), join(root, '..data')); // the atomic swap kubelet does
}

test('a ConfigMap-style directory of links loads each policy once, and a swap of `..data` reloads', async () => {
  const root = mkdtempSync(join(tmpdir(), 'pol-cm-'));
  let app: Awaited<ReturnType<typeof makeApp>>['app'] | undefined;
  try {
    writeConfigMapVersion(root, '..2026_11_30_01_00_00.1', 'alice');
    for (const f of ['a.pol', 'lib', 'data.json']) symlinkSync(join('..data', f), join(root, f));
    symlinkSync('a.pol', join(root, 'again.pol')); // a second name for one file
    symlinkSync('.', join(root, 'loop')); // a link loop
    app = buildApp(resolveConfig({ policies: { dir: root, watch: true, debounce_ms: 20 } }), { logger: false });
    assert.equal(await app.pol.initialLoad, true);
    const ids = async () => json((await app!.inject({ method: 'GET', url: '/v1/policies' })).body).result.map((p: { id: string }) => p.id).sort();
    assert.deepEqual(await ids(), ['a.pol', 'lib/b.pol']);
    const who = async () => json((await app!.inject({ method: 'POST', url: '/v1/data/cm/lib/name', payload: {} })).body).result;
    assert.equal(await who(), 'alice');
    assert.equal((await app.inject({ method: 'GET', url: '/ready' })).statusCode, 200);

    writeConfigMapVersion(root, '..2026_11_30_02_00_00.2', 'bob');
    await until(async () => (await who()) === 'bob', 'the ConfigMap update to load');
    assert.deepEqual(await ids(), ['a.pol', 'lib/b.pol']);
    rmSync(join(root, '..2026_11_30_01_00_00.1'), { recursive: true }); // kubelet's clean-up: nothing changes
    await sleep(100);
    assert.equal(await who(), 'bob');
    assert.equal(app.pol.store.lastError, undefined);
  } finally {
    await app?.close();
    rmSync(root, { recursive: true, force: true });
  }
});

test('a policy directory created after start-up is loaded once it appears; /ready says why it is 503 until then', async () => {
  const root = mkdtempSync(join(tmpdir(), 'pol-late-'));
  const dir = join(root, 'policies');
  const app = buildApp(resolveConfig({ policies: { dir, watch: true, debounce_ms: 20 } }), { logger: false });
  try {
    assert.equal(await app.pol.initialLoad, false);
    const notReady = await app.inject({ method: 'GET', url: '/ready' });
    assert.equal(notReady.statusCode, 503);
    assert.match(json(notReady.body).message, /policy directory .*policies does not exist/);
    await sleep(100);
    mkdirSync(dir);
    writeFileSync(join(dir, 'late.pol'), 'package late\nimport rego.v1\nallow := true\n');
    await until(async () => (await app.inject({ method: 'GET', url: '/ready' })).statusCode === 200, '/ready to turn 200');
    const r = json((await app.inject({ method: 'POST', url: '/v1/data/late/allow', payload: {} })).body);
    assert.equal(r.result, true);
  } finally {
    await app.close();
    rmSync(root, { recursive: true, force: true });
  }
});

test('a policy written through the API is a reload of origin api, in /ready and the metrics', async () => {
  const { app, close } = await makeApp({ policy_api: { writable: true, token: TOKEN } });
  try {
    const put = await app.inject({ method: 'PUT', url: '/v1/policies/extra.pol', payload: 'package extra\n\nx := 1\n', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'text/plain' } });
    assert.equal(put.statusCode, 200, put.body);
    assert.equal(json((await app.inject({ method: 'GET', url: '/ready' })).body).origin, 'api');
    const del = await app.inject({ method: 'DELETE', url: '/v1/policies/extra.pol', headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(del.statusCode, 200, del.body);
    const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    assert.match(metrics, /pol_policy_reloads_total\{origin="api",result="success"\} 2/);
    assert.match(metrics, /pol_policy_reloads_total\{origin="directory",result="success"\} 1/);
  } finally { await close(); }
});
