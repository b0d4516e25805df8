import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { applyWrite, DataWrites, DocumentNotFound, MAX_DATA_WRITES, removalWrite, TooManyWrites, WriteConflict } from '../../server/policy-store/data-writes.js';
import { MAX_WAITING_WRITES, PolicyStore, StoreClosed, WritesBusy } from '../../server/policy-store/store.js';
import { countTurns } from '../event-loop-turns.js';
import { BadPatch, patchWrites } from '../../server/policy-store/json-patch.js';
import { parseJson } from '../../engine/json.js';
import type { PlainObject } from '../../engine/value.js';
import { buildApp, resolveConfig } from '../../server/index.js';
import { makeApp, json } from './helpers.js';

const TOKEN = 'secret-token-0123456789';
const auth = { authorization: `Bearer ${TOKEN}` };
const bobWrites = { user: 'bob', action: 'write', resource: { type: 'document' } };

// ---- the writes themselves ------------------------------------------------------------------

test('a write copies what it changes: the data it was given stays as it was', () => {
  const base = parseJson('{"a":{"b":[1,{"c":2}],"d":"x"},"e":{}}') as PlainObject;
  const before = JSON.stringify(base);
  const out = applyWrite(base, { path: ['a', 'b', '1', 'c'], value: 3 });
  assert.equal(JSON.stringify(base), before);
  assert.deepEqual(out, { a: { b: [1, { c: 3 }], d: 'x' }, e: {} });
  // What the write did not touch is shared, not copied.
  assert.equal(out.e, base.e);
  // Missing containing objects are made; a scalar or an array without the element is in the way.
  assert.deepEqual(applyWrite(base, { path: ['n', 'm'], value: true }).n, { m: true });
  assert.throws(() => applyWrite(base, { path: ['a', 'd', 'z'], value: 1 }), WriteConflict);
  assert.throws(() => applyWrite(base, { path: ['a', 'b', '7'], value: 1 }), WriteConflict);
  assert.throws(() => applyWrite(base, { path: ['a', 'b', '01'], value: 1 }), WriteConflict);
  assert.throws(() => applyWrite(base, { path: [], value: [1] }), WriteConflict);
  // Removal: of a key, of an array element (its array written without it, the rest moved up), and of nothing (not found).
  assert.deepEqual(applyWrite(base, removalWrite(base, ['a', 'd'])).a, { b: [1, { c: 2 }] });
  assert.deepEqual(removalWrite(base, ['a', 'b', '0']), { path: ['a', 'b'], value: [{ c: 2 }] });
  assert.throws(() => applyWrite(base, { path: ['a', 'b', '0'], value: undefined }), WriteConflict);
  assert.throws(() => removalWrite(base, ['a', 'q']), DocumentNotFound);
  assert.throws(() => applyWrite(base, { path: ['a', 'q'], value: undefined }), DocumentNotFound);
  assert.throws(() => applyWrite(base, { path: ['q', 'r'], value: undefined }), DocumentNotFound);
  assert.equal(JSON.stringify(base), before);
});

test('`__proto__` and `constructor` are ordinary keys in written paths and documents', () => {
  const base = {} as PlainObject;
  const out = applyWrite(base, { path: ['__proto__', 'polluted'], value: true });
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.ok(Object.prototype.hasOwnProperty.call(out, '__proto__'));
  assert.deepEqual(Object.keys(out), ['__proto__']);
  const out2 = applyWrite(out, { path: ['constructor', 'prototype', 'x'], value: 1 });
  assert.equal(({} as Record<string, unknown>).x, undefined);
  assert.deepEqual(Object.keys(out2), ['__proto__', 'constructor']);
});

test('later writes replace earlier ones at or below their path; writes that no longer fit new base data are skipped', () => {
  let w = new DataWrites();
  w = w.with([{ path: ['a', 'x'], value: 1 }]).with([{ path: ['a', 'y'], value: 2 }, { path: ['b'], value: 3 }]);
  w = w.with([{ path: ['a'], value: { z: 0 } }]);
  // Within one batch too, and a removal replaces what was written below it.
  assert.deepEqual(new DataWrites().with([{ path: ['q', 'r'], value: 1 }, { path: ['q'], value: undefined }, { path: ['s'], value: 2 }]).list.map(e => e.path.join('/')), ['q', 's']);
  assert.deepEqual(new DataWrites().with([{ path: ['q'], value: {} }, { path: ['q', 'r'], value: 1 }]).list.map(e => e.path.join('/')), ['q', 'q/r']);
  assert.deepEqual(new DataWrites().with([{ path: ['q', 'r'], value: 1 }, { path: [], value: {} }]).list.map(e => e.path.length), [0]);
  assert.deepEqual(w.list.map(e => e.path.join('/')), ['b', 'a']);
  const ok = w.apply({ keep: 1 } as PlainObject);
  assert.deepEqual(ok.data, { keep: 1, b: 3, a: { z: 0 } });
  assert.equal(ok.skipped.length, 0);
  assert.equal(ok.kept, w);
  // New base data where `list` is a scalar: the write under it is skipped and named, the others stay.
  const v = new DataWrites().with([{ path: ['list', 'k'], value: 1 }, { path: ['other'], value: 2 }]);
  const r = v.apply({ list: 'now a string' } as PlainObject);
  assert.deepEqual(r.data, { list: 'now a string', other: 2 });
  assert.deepEqual(r.skipped.map(s => s.write.path), [['list', 'k']]);
  assert.match(r.skipped[0]!.reason, /\/list is a string/);
  assert.deepEqual(r.kept.list.map(e => e.path), [['other']]);
});

test('JSON Patch: add, remove and replace, joined to the URL path, applied in order', () => {
  const data = parseJson('{"servers":[{"id":"s1"}],"cfg":{"a":1}}') as PlainObject;
  const writes = patchWrites(data, ['servers'], [
    { op: 'add', path: '-', value: { id: 's2' } },
    { op: 'add', path: '/0', value: { id: 's0' } },
    { op: 'replace', path: '1/id', value: 'one' },
    { op: 'remove', path: '/2' },
  ]);
  let out = data;
  for (const w of writes) out = applyWrite(out, w);
  assert.deepEqual(out.servers, [{ id: 's0' }, { id: 'one' }]);
  const cfg = patchWrites(data, [], [{ op: 'add', path: '/cfg/b~1c', value: 2 }, { op: 'remove', path: '/cfg/a' }]);
  out = data;
  for (const w of cfg) out = applyWrite(out, w);
  assert.deepEqual(out.cfg, { 'b/c': 2 });
  assert.throws(() => patchWrites(data, [], { op: 'add' }), BadPatch);
  assert.throws(() => patchWrites(data, [], [{ op: 'move', from: '/a', path: '/b' }]), BadPatch);
  assert.throws(() => patchWrites(data, [], [{ op: 'add', path: '/x' }]), BadPatch);
  assert.throws(() => patchWrites(data, [], [{ op: 'remove', path: '/nothing' }]), DocumentNotFound);
  assert.throws(() => patchWrites(data, [], [{ op: 'replace', path: '/nothing', value: 1 }]), DocumentNotFound);
  assert.throws(() => patchWrites(data, [], [{ op: 'add', path: '/no/parent', value: 1 }]), DocumentNotFound);
  assert.throws(() => patchWrites(data, ['servers'], [{ op: 'add', path: '/5', value: 1 }]), WriteConflict);
  // A later operation fails: nothing of the patch is returned (the caller keeps all or none).
  assert.throws(() => patchWrites(data, [], [{ op: 'add', path: '/ok', value: 1 }, { op: 'remove', path: '/missing' }]), DocumentNotFound);
});

// ---- over HTTP ------------------------------------------------------------------------------

test('data writes are refused unless enabled, and need the token', async () => {
  const { app, close } = await makeApp();
  try {
    for (const method of ['PUT', 'PATCH', 'DELETE'] as const) {
      const r = await app.inject({ method, url: '/v1/data/roles/bob', payload: method === 'PATCH' ? [] : ['admin'] });
      assert.equal(r.statusCode, 403, method);
      assert.match(json(r.body).message, /data writes are disabled/);
    }
  } finally { await close(); }
  const { app: w, close: closeW } = await makeApp({ policy_api: { writable: true, token: TOKEN } });
  try {
    const r = await w.inject({ method: 'PUT', url: '/v1/data/roles/bob', payload: ['admin'], headers: { authorization: 'Bearer wrong-token-0123456789' } });
    assert.equal(r.statusCode, 401);
    assert.deepEqual(w.pol.store.data.roles, { alice: ['admin'], bob: ['reader'] });
  } finally { await closeW(); }
});

test('PUT, PATCH and DELETE change the data decisions read, with a new revision and no stale cached answer', async () => {
  const { app, close } = await makeApp({ policy_api: { writable: true, token: TOKEN } });
  const decide = async () => json((await app.inject({ method: 'POST', url: '/v1/decide', payload: { path: 'rbac/allow', input: bobWrites } })).body);
  const read = async (path: string) => json((await app.inject({ method: 'GET', url: `/v1/data/${path}` })).body);
  try {
    assert.equal((await decide()).result, false);
    assert.equal((await decide()).cached, true);
    const rev0 = app.pol.store.generation!.revision;

    const put = await app.inject({ method: 'PUT', url: '/v1/data/roles/bob', payload: ['admin'], headers: auth });
    assert.equal(put.statusCode, 204, put.body);
    assert.equal(put.body, '');
    assert.notEqual(app.pol.store.generation!.revision, rev0);
    const after = await decide();
    assert.equal(after.result, true);
    assert.equal(after.cached, false);
    assert.deepEqual(await read('roles/bob'), { result: ['admin'] });

    // If-None-Match: * leaves an existing document alone and creates a missing one.
    const kept = await app.inject({ method: 'PUT', url: '/v1/data/roles/bob', payload: ['reader'], headers: { ...auth, 'if-none-match': '*' } });
    assert.equal(kept.statusCode, 304);
    assert.deepEqual(await read('roles/bob'), { result: ['admin'] });
    const made = await app.inject({ method: 'PUT', url: '/v1/data/teams/blue/members', payload: ['carol'], headers: { ...auth, 'if-none-match': '*' } });
    assert.equal(made.statusCode, 204);
    assert.deepEqual(await read('teams'), { result: { blue: { members: ['carol'] } } });

    // PATCH with OPA's relative paths; curl's form content type is read as JSON too.
    const patch = await app.inject({ method: 'PATCH', url: '/v1/data/grants/reader', payload: JSON.stringify([{ op: 'add', path: '-', value: { action: 'write', type: 'document' } }]), headers: { ...auth, 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(patch.statusCode, 204, patch.body);
    assert.equal(json((await app.inject({ method: 'GET', url: '/v1/data/grants/reader/1/action' })).body).result, 'write');

    // An array element removed, then the same index written: the write lands on the element that moved up.
    assert.equal((await app.inject({ method: 'PUT', url: '/v1/data/queue', payload: ['a', 'b', 'c'], headers: auth })).statusCode, 204);
    assert.equal((await app.inject({ method: 'DELETE', url: '/v1/data/queue/0', headers: auth })).statusCode, 204);
    assert.equal((await app.inject({ method: 'PUT', url: '/v1/data/queue/0', payload: '"B"', headers: { ...auth, 'content-type': 'application/json' } })).statusCode, 204);
    assert.deepEqual(await read('queue'), { result: ['B', 'c'] });
    // DELETE, then DELETE again: not found.
    const del = await app.inject({ method: 'DELETE', url: '/v1/data/roles/bob', headers: auth });
    assert.equal(del.statusCode, 204);
    assert.deepEqual(await read('roles/bob'), {});
    const again = await app.inject({ method: 'DELETE', url: '/v1/data/roles/bob', headers: auth });
    assert.equal(again.statusCode, 404);
    assert.equal(json(again.body).code, 'resource_not_found');
    assert.equal((await decide()).result, false);
  } finally { await close(); }
});

test('bad data writes: conflicts, rules, bad patches and bodies are refused and change nothing', async () => {
  const { app, close } = await makeApp({ policy_api: { writable: true, token: TOKEN } });
  try {
    const rev = app.pol.store.generation!.revision;
    const cases: [string, 'PUT' | 'PATCH', string, string | undefined, number, string][] = [
      ['through a scalar', 'PUT', '/v1/data/grants/reader/0/action/x', '1', 404, 'resource_conflict'],
      ['past the end of an array', 'PUT', '/v1/data/roles/alice/5', '"x"', 404, 'resource_conflict'],
      ['a rule\'s document', 'PUT', '/v1/data/rbac/allow', 'true', 404, 'resource_conflict'],
      ['under a rule', 'PUT', '/v1/data/rbac/is_admin/x', 'true', 404, 'resource_conflict'],
      ['a package holding a rule\'s key', 'PUT', '/v1/data/rbac', '{"allow": true}', 404, 'resource_conflict'],
      ['the root as an array', 'PUT', '/v1/data', '[]', 404, 'resource_conflict'],
      ['no body', 'PUT', '/v1/data/x', undefined, 400, 'invalid_parameter'],
      ['not JSON', 'PUT', '/v1/data/x', '{nope', 400, 'invalid_parameter'],
      ['a patch that is not an array', 'PATCH', '/v1/data/roles', '{"op":"add"}', 400, 'invalid_parameter'],
      ['an unknown operation', 'PATCH', '/v1/data/roles', '[{"op":"copy","from":"/alice","path":"/eve"}]', 400, 'invalid_parameter'],
      ['a patch whose second operation fails', 'PATCH', '/v1/data/roles', '[{"op":"add","path":"eve","value":[]},{"op":"remove","path":"nobody"}]', 404, 'resource_not_found'],
    ];
    for (const [what, method, url, payload, status, code] of cases) {
      const r = await app.inject({ method, url, ...(payload !== undefined ? { payload } : {}), headers: { ...auth, 'content-type': 'application/json' } });
      assert.equal(r.statusCode, status, `${what}: ${r.body}`);
      assert.equal(json(r.body).code, code, what);
    }
    assert.equal(app.pol.store.generation!.revision, rev);
    assert.deepEqual(app.pol.store.data.roles, { alice: ['admin'], bob: ['reader'] });
    // A package path may be written where no rule's key is.
    const ok = await app.inject({ method: 'PUT', url: '/v1/data/rbac/settings', payload: { strict: true }, headers: auth });
    assert.equal(ok.statusCode, 204, ok.body);
  } finally { await close(); }
});

test('data writes survive a directory reload, laid over the new data files; those that no longer fit are dropped and logged', async () => {
  const { app, dir, close } = await makeApp({ policies: { watch: true, debounce_ms: 20 }, policy_api: { writable: true, token: TOKEN } });
  const dropped: unknown[] = [];
  app.pol.store.on('dropped', d => dropped.push(d));
  const waitFor = async (cond: () => boolean): Promise<void> => {
    for (let i = 0; i < 600 && !cond(); i++) await sleep(25);
    assert.ok(cond(), 'timed out waiting for a reload');
  };
  try {
    assert.equal((await app.inject({ method: 'PUT', url: '/v1/data/roles/bob', payload: ['admin'], headers: auth })).statusCode, 204);
    assert.equal((await app.inject({ method: 'PUT', url: '/v1/data/grants/reader/0/type', payload: '"memo"', headers: { ...auth, 'content-type': 'application/json' } })).statusCode, 204);
    const rev = app.pol.store.generation!.revision;
    // The data file changes: `grants.reader` becomes a string, `roles` gains carol.
    writeFileSync(join(dir, 'data.json'), JSON.stringify({ roles: { alice: ['admin'], bob: ['reader'], carol: ['reader'] }, grants: { admin: [{ action: 'write', type: 'document' }], reader: 'none' } }));
    await waitFor(() => app.pol.store.generation!.revision !== rev);
    assert.deepEqual(app.pol.store.data.roles, { alice: ['admin'], bob: ['admin'], carol: ['reader'] });
    assert.equal(app.pol.store.data.grants && (app.pol.store.data.grants as PlainObject).reader, 'none');
    assert.equal(dropped.length, 1);
    assert.deepEqual((dropped[0] as { writes: { path: string[] }[] }).writes.map(w => w.path), [['grants', 'reader', '0', 'type']]);
    const decide = json((await app.inject({ method: 'POST', url: '/v1/decide', payload: { path: 'rbac/allow', input: bobWrites } })).body);
    assert.equal(decide.result, true);
  } finally { await close(); }
});

test('data writes are refused while a bundle supplies the data', async () => {
  // Nothing listens on port 9 of loopback: the first poll fails, the app still answers.
  const app = buildApp(resolveConfig({
    bundle: { url: 'http://127.0.0.1:9/b.tar.gz', secret: 'bundle-secret-0123456789', algorithm: 'HS256', poll_seconds: 3600 },
    policy_api: { writable: true, token: TOKEN },
  }), { logger: false });
  try {
    await app.pol.initialLoad;
    const r = await app.inject({ method: 'PUT', url: '/v1/data/roles/bob', payload: ['admin'], headers: auth });
    assert.equal(r.statusCode, 400);
    assert.match(json(r.body).message, /bundle/);
    assert.deepEqual(app.pol.store.data, {});
  } finally { await app.close(); }
});

test('changes through the API and refused attempts are written to the server log, with the client', async () => {
  const lines: Record<string, unknown>[] = [];
  const logStream = new Writable({ write(chunk, _enc, done) { for (const l of String(chunk).split('\n')) if (l) lines.push(JSON.parse(l) as Record<string, unknown>); done(); } });
  const { app, close } = await makeApp({ policy_api: { writable: true, token: TOKEN }, log_level: 'info' }, { logStream, logger: true });
  try {
    assert.equal((await app.inject({ method: 'PUT', url: '/v1/data/roles/bob', payload: ['admin'], headers: { authorization: 'Bearer wrong-token-0123456789' } })).statusCode, 401);
    assert.equal((await app.inject({ method: 'PUT', url: '/v1/data/roles/bob', payload: ['admin'], headers: auth })).statusCode, 204);
    assert.equal((await app.inject({ method: 'PUT', url: '/v1/policies/extra.pol', payload: 'package extra\n', headers: { ...auth, 'content-type': 'text/plain' } })).statusCode, 200);
    const refused = lines.find(l => l.msg === 'data write refused: a valid bearer token is required to change data');
    assert.ok(refused, JSON.stringify(lines));
    assert.equal(refused.level, 40);
    assert.equal(refused.client, '127.0.0.1');
    assert.equal(refused.status, 401);
    const data = lines.find(l => l.msg === 'data changed through the API');
    assert.equal(data?.method, 'PUT');
    assert.equal(data?.target, '/roles/bob');
    assert.equal(data?.client, '127.0.0.1');
    assert.equal(typeof data?.revision, 'string');
    const policy = lines.find(l => l.msg === 'policy changed through the API');
    assert.equal(policy?.target, 'extra.pol');
    assert.equal(policy?.revision, app.pol.store.generation!.revision);
    // Nothing in these lines repeats the token.
    assert.doesNotMatch(JSON.stringify(lines), new RegExp(TOKEN));
  } finally { await close(); }
});

test('separately written documents are bounded: past the limit a write is refused and nothing changes', () => {
  const store = new PolicyStore();
  store.loadBase({ modules: {}, data: {} }, 'directory');
  const many = Array.from({ length: MAX_DATA_WRITES }, (_, i) => ({ path: ['k', String(i)], value: i }));
  store.writeData(many);
  const rev = store.generation!.revision;
  assert.throws(() => store.writeData([{ path: ['one', 'more'], value: 1 }]), TooManyWrites);
  assert.equal(store.generation!.revision, rev);
  // A write over all of them replaces them, and writing goes on.
  store.writeData([{ path: ['k'], value: {} }]);
  store.writeData([{ path: ['one', 'more'], value: 1 }]);
  assert.deepEqual(store.data, { k: {}, one: { more: 1 } });
});

test('a data-only change reuses the compiled policy and lands on the revision a fresh load of the same sources has', () => {
  const modules = { 'rbac.pol': 'package rbac\n\nimport rego.v1\n\nallow if "admin" in data.roles[input.user]\n' };
  const reloaded = new PolicyStore();
  reloaded.loadBase({ modules, data: { roles: { bob: ['reader'] } } }, 'directory');
  assert.equal(reloaded.generation!.prepared.evaluate('rbac/allow', { user: 'bob' }), undefined);
  // The data file changes (same modules): the new data, and the same revision as a store that started with it.
  reloaded.loadBase({ modules: { ...modules }, data: { roles: { bob: ['admin'] } } }, 'directory');
  const fresh = new PolicyStore();
  fresh.loadBase({ modules, data: { roles: { bob: ['admin'] } } }, 'directory');
  assert.equal(reloaded.generation!.revision, fresh.generation!.revision);
  assert.equal(reloaded.generation!.prepared.evaluate('rbac/allow', { user: 'bob' }), true);
  // A write through the API, then a policy change: the policy is compiled again, over the written data.
  reloaded.writeData([{ path: ['roles', 'carol'], value: ['admin'] }]);
  assert.equal(reloaded.generation!.prepared.evaluate('rbac/allow', { user: 'carol' }), true);
  reloaded.putPolicy('extra.pol', 'package rbac\n\nimport rego.v1\n\ndeny if not allow\n');
  assert.equal(reloaded.generation!.prepared.evaluate('rbac/deny', { user: 'carol' }), undefined);
  assert.equal(reloaded.generation!.prepared.evaluate('rbac/deny', { user: 'dave' }), true);
});

test('a write into a wide object is made between requests: the event loop turns while the copy is made, and the data is the one-go write\'s', async () => {
  const users: PlainObject = {};
  for (let i = 0; i < 100_000; i++) users[`user${i}`] = { roles: ['reader'], n: i };
  const { app, close } = await makeApp({ policy_api: { writable: true, token: TOKEN } });
  try {
    const base = app.pol.store.generation!;
    app.pol.store.loadBase({ modules: base.modules, data: { ...app.pol.store.data, users } }, 'test');
    const turns = countTurns();
    let put;
    try {
      put = await app.inject({ method: 'PUT', url: '/v1/data/users/user7', payload: { roles: ['admin'], n: 7 }, headers: auth });
    } finally {
      assert.ok(turns.stop() >= 3, 'the event loop did not turn while the write was made');
    }
    assert.equal(put.statusCode, 204, put.body);
    const data = app.pol.store.data;
    assert.deepEqual((data.users as PlainObject).user7, { roles: ['admin'], n: 7 });
    assert.equal(Object.keys(data.users as PlainObject).length, 100_000);
      assert.deepEqual((users.user7 as PlainObject).roles, ['reader'], 'the data written over changed');
    // The revision is the one a fresh load of the same data gets.
    const fresh = new PolicyStore().loadBase({ modules: base.modules, data: JSON.parse(JSON.stringify(data)) as PlainObject }, 'test');
    assert.equal(app.pol.store.generation!.revision, fresh.revision);
  } finally { await close(); }
});

test('writes sent together are planned in turn, each from the data the one before left: two removals of element 0 remove two elements', async () => {
  const { app, close } = await makeApp({ policy_api: { writable: true, token: TOKEN } });
  const read = async (path: string) => json((await app.inject({ method: 'GET', url: `/v1/data/${path}` })).body);
  try {
    assert.equal((await app.inject({ method: 'PUT', url: '/v1/data/queue', payload: ['a', 'b', 'c', 'd'], headers: auth })).statusCode, 204);
    const sent = await Promise.all([
      app.inject({ method: 'DELETE', url: '/v1/data/queue/0', headers: auth }),
      app.inject({ method: 'DELETE', url: '/v1/data/queue/0', headers: auth }),
      app.inject({ method: 'PATCH', url: '/v1/data/queue', payload: [{ op: 'add', path: '-', value: 'e' }], headers: auth }),
      app.inject({ method: 'PUT', url: '/v1/data/queue/0', payload: ['C'], headers: { ...auth, 'if-none-match': '*' } }),
    ]);
    assert.deepEqual(sent.map(r => r.statusCode), [204, 204, 204, 304]);
    assert.deepEqual(await read('queue'), { result: ['c', 'd', 'e'] });
  } finally { await close(); }
});

test('a write whose data is replaced while its copies are made (a reload) is planned again over the new data, and kept', async () => {
  const store = new PolicyStore();
  const users: PlainObject = {};
  for (let i = 0; i < 100_000; i++) users[`user${i}`] = { n: i };
  const modules = { 'p.pol': 'package p\nimport rego.v1\nallow if data.users[input.user]\n' };
  store.loadBase({ modules, data: { users } }, 'test');
  let plans = 0;
  const writing = store.writeDataInBackground(() => { plans++; return [{ path: ['users', 'new'], value: { n: -1 } }]; });
  // Lands while the write's copy is being made, between its slices.
  await new Promise(r => setImmediate(r));
  store.loadBase({ modules, data: { users: { ...users, reloaded: { n: 0 } } } }, 'test');
  const gen = await writing;
  assert.ok(gen !== undefined);
  assert.equal(plans, 2);
  const data = store.data.users as PlainObject;
  assert.deepEqual(data.new, { n: -1 });
  assert.deepEqual(data.reloaded, { n: 0 });
  assert.equal(store.generation, gen);
});

test('data writes waiting for their turn are bounded, and a closed store refuses them', async () => {
  const store = new PolicyStore();
  store.loadBase({ modules: {}, data: {} }, 'test');
  const waiting: Promise<unknown>[] = [];
  for (let i = 0; i < MAX_WAITING_WRITES; i++) waiting.push(store.writeDataInBackground(() => [{ path: [`k${i}`], value: i }]));
  await assert.rejects(store.writeDataInBackground(() => [{ path: ['one-more'], value: 1 }]), WritesBusy);
  await Promise.all(waiting);
  assert.equal(Object.keys(store.data).length, MAX_WAITING_WRITES);
  store.close();
  await assert.rejects(store.writeDataInBackground(() => [{ path: ['late'], value: 1 }]), StoreClosed);
});
