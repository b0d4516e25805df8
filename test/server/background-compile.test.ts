/**
 * Policy changes compile in the background: a large policy put through the API (or reloaded from
 * a directory or bundle) is compiled in slices, and decisions go on being answered with the
 * working policy meanwhile; changes apply one at a time, in order, and none survives shutdown.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countTurns } from '../event-loop-turns.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import { PolicyStore } from '../../server/index.js';
import { MAX_WAITING_CHANGES, StoreClosed } from '../../server/policy-store/store.js';
import { sourcesFromFiles, sourcesFromFilesSteps } from '../../server/policy-store/sources.js';
import { parseYamlFilesInBackground } from '../../server/policy-store/yaml-data.js';
import { finish } from '../../engine/index.js';
import { makeApp, json } from './helpers.js';

const TOKEN = 'secret-token-0123456789';
const auth = { authorization: `Bearer ${TOKEN}`, 'content-type': 'text/plain' };
const bob = { user: 'bob', action: 'write', resource: { type: 'document' } };

/** A policy of `rules` grant rules (indexed, templated): a few hundred milliseconds of compiling at 10,000. */
function grants(rules: number, pkg = 'grants'): string {
  const out = [`package ${pkg}\n\ndefault allow := false\n`];
  for (let i = 0; i < rules; i++) out.push(`allow if {\n\tinput.resource == "r${i}"\n\tinput.action == "read"\n\t"reader" in data.roles[input.user]\n}\n`);
  return out.join('\n');
}

async function decide(app: FastifyInstance, path = 'rbac/allow', input: unknown = bob): Promise<{ result: unknown }> {
  const r = await app.inject({ method: 'POST', url: '/v1/data/' + path, payload: { input } });
  assert.equal(r.statusCode, 200, r.body);
  return { result: json(r.body).result };
}

/**
 * Decisions asked one after another until `done()`, each answered `false` by the working policy
 * (of revision `before`, when given): how many were answered before it.
 */
async function decisionsUntil(app: FastifyInstance, done: () => boolean, before?: string): Promise<number> {
  let answered = 0;
  while (!done()) {
    assert.equal((await decide(app)).result, false);
    if (done()) break;
    if (before !== undefined) assert.equal(app.pol.store.generation!.revision, before);
    answered++;
  }
  return answered;
}

/** Resolves once the store has `n` background changes queued or under way (the handlers have asked for them). */
async function queued(store: PolicyStore, n: number): Promise<void> {
  for (let i = 0; i < 10_000 && store.backgroundChanges < n; i++) await nextTurn();
  assert.ok(store.backgroundChanges >= n, `${store.backgroundChanges} background change(s) under way, not ${n}`);
}

/** Resolves once the store has a background change under way (the PUT's handler has started it). */
function compiling(store: PolicyStore): Promise<void> {
  return queued(store, 1);
}

test('a policy PUT compiles in the background: decisions go on, answered by the working policy, until the new one is swapped in', async () => {
  const { app, close } = await makeApp({ policy_api: { writable: true, token: TOKEN } });
  try {
    const store = app.pol.store;
    const before = store.generation!.revision;
    let swapped = false;
    store.once('swap', () => { swapped = true; });
    const put = app.inject({ method: 'PUT', url: '/v1/policies/grants.pol', payload: grants(10_000), headers: auth });
    await compiling(store);
    // While it compiles, every decision is the working policy's.
    const answered = await decisionsUntil(app, () => swapped, before);
    const r = await put;
    assert.equal(r.statusCode, 200, r.body);
    // A compile made in one go would have answered nothing in between.
    assert.ok(answered >= 3, `only ${answered} decision(s) were answered while the policy compiled`);
    const after = json(r.body).revision;
    assert.notEqual(after, before);
    assert.equal(store.generation!.revision, after);
    assert.equal((await decide(app, 'grants/allow', { user: 'bob', resource: 'r9999', action: 'read' })).result, true);
    assert.equal((await decide(app, 'grants/allow', { user: 'bob', resource: 'r10000', action: 'read' })).result, false);
  } finally { await close(); }
});

test('a broken policy is refused after its background compile, with the same errors, and the working policy stays', async () => {
  const { app, close } = await makeApp({ policy_api: { writable: true, token: TOKEN } });
  try {
    const before = app.pol.store.generation!.revision;
    const source = grants(2_000) + '\nbroken if {\n\tundefined_name == 1\n}\n';
    const r = await app.inject({ method: 'PUT', url: '/v1/policies/grants.pol', payload: source, headers: auth });
    assert.equal(r.statusCode, 400);
    const body = json(r.body);
    assert.equal(body.code, 'invalid_parameter');
    assert.equal(body.errors[0].code, 'rego_unsafe_var_error');
    assert.equal(body.errors[0].location.file, 'grants.pol');
    assert.equal(body.errors[0].location.row, source.split('\n').findIndex(l => l.includes('undefined_name')) + 1);
    assert.equal(app.pol.store.generation!.revision, before);
    assert.equal(app.pol.store.lastError?.code, 'rego_unsafe_var_error');
  } finally { await close(); }
});

test('background changes apply one at a time, in the order they were asked', async () => {
  const { app, close } = await makeApp({ policy_api: { writable: true, token: TOKEN } });
  try {
    // Asked together: the big PUT, a second version of it, then its deletion. Each runs against
    // what the one before it left, so the last word is the deletion.
    // (Each is sent once the one before is in the store's queue: requests may reach their
    // handlers in any order.)
    const store = app.pol.store;
    const first = app.inject({ method: 'PUT', url: '/v1/policies/grants.pol', payload: grants(3_000), headers: auth });
    await queued(store, 1);
    const second = app.inject({ method: 'PUT', url: '/v1/policies/grants.pol', payload: grants(5, 'grants'), headers: auth });
    await queued(store, 2);
    const gone = app.inject({ method: 'DELETE', url: '/v1/policies/grants.pol', headers: { authorization: auth.authorization } });
    const [a, b, c] = await Promise.all([first, second, gone]);
    assert.deepEqual([a.statusCode, b.statusCode, c.statusCode], [200, 200, 200], `${a.body} ${b.body} ${c.body}`);
    assert.equal(json(c.body).revision, app.pol.store.generation!.revision);
    assert.ok(!('grants.pol' in app.pol.store.generation!.modules));
    // A deletion queued behind the one that removed the policy finds nothing to delete.
    const again = await app.inject({ method: 'DELETE', url: '/v1/policies/grants.pol', headers: { authorization: auth.authorization } });
    assert.equal(again.statusCode, 404);
  } finally { await close(); }
});

test('a Data API write made while a policy compiles is kept: the new policy is given the data as it is when it is swapped in', async () => {
  const { app, close } = await makeApp({ policy_api: { writable: true, token: TOKEN } });
  try {
    const store = app.pol.store;
    const put = app.inject({ method: 'PUT', url: '/v1/policies/grants.pol', payload: grants(6_000), headers: auth });
    await compiling(store);
    // Written at once, over the working policy: bob becomes an admin.
    const w = await app.inject({ method: 'PUT', url: '/v1/data/roles/bob', payload: ['admin', 'reader'], headers: { authorization: auth.authorization } });
    assert.equal(w.statusCode, 204, w.body);
    assert.equal((await decide(app)).result, true);
    assert.ok(store.backgroundChanges > 0, 'the policy was still compiling when the data was written');
    const r = await put;
    assert.equal(r.statusCode, 200, r.body);
    const gen = store.generation!;
    assert.deepEqual(gen.data.roles, { alice: ['admin'], bob: ['admin', 'reader'] });
    assert.equal((await decide(app)).result, true, 'the write survived the swap');
    assert.equal((await decide(app, 'grants/allow', { user: 'bob', resource: 'r7', action: 'read' })).result, true);
    // The revision is the one a fresh load of these modules and this data gets.
    const fresh = new PolicyStore();
    assert.equal(fresh.loadBase({ modules: gen.modules, data: gen.data }, 'directory').revision, gen.revision);
  } finally { await close(); }
});

test('shutting down stops a background compile: the PUT is answered 503 and nothing is swapped in after', async () => {
  const { app, close } = await makeApp({ policy_api: { writable: true, token: TOKEN } });
  let closed = false;
  try {
    const store = app.pol.store;
    const before = store.generation!.revision;
    const put = app.inject({ method: 'PUT', url: '/v1/policies/grants.pol', payload: grants(10_000), headers: auth });
    await compiling(store);
    const closing = app.close();
    const r = await put;
    assert.equal(r.statusCode, 503, r.body);
    assert.equal(json(r.body).code, 'not_ready');
    // Shutting down: asking again here will not help.
    assert.equal(r.headers['retry-after'], undefined);
    await closing;
    closed = true;
    assert.equal(store.generation!.revision, before);
    await assert.rejects(store.putPolicyInBackground('late.pol', 'package late\n'), { name: 'StoreClosed' });
  } finally { if (!closed) await close(); else await close().catch(() => undefined); }
});

test('a change made without waiting while a background one compiles (a start-up load) makes the background one plan again over it', async () => {
  const store = new PolicyStore();
  store.loadBase({ modules: { 'a.pol': 'package a\n\nx := 1\n' }, data: { d: 1 } }, 'directory');
  const pending = store.putPolicyInBackground('grants.pol', grants(2_000));
  await nextTurn();
  assert.equal(store.backgroundChanges, 1);
  // Replaces the base while the PUT compiles: the PUT must land over this base, not the old one.
  store.loadBase({ modules: { 'b.pol': 'package b\n\ny := 2\n' }, data: { d: 2 } }, 'directory');
  const gen = await pending;
  assert.deepEqual(Object.keys(gen.modules).sort(), ['b.pol', 'grants.pol']);
  assert.deepEqual(gen.data, { d: 2 });
  assert.equal(gen.prepared.evaluate('b/y'), 2);
  assert.equal(gen.prepared.evaluate('a/x'), undefined);
  assert.equal(gen.prepared.evaluate('grants/allow', { user: 'u', resource: 'r1', action: 'read' }), false);
  assert.equal(store.generation, gen);
  assert.equal(gen.revision, new PolicyStore().loadBase({ modules: gen.modules, data: gen.data }, 'directory').revision);
});

test('a watched directory reloads in the background too: decisions are answered while its new policy compiles', async () => {
  const { app, dir, close } = await makeApp({ policies: { watch: true, debounce_ms: 20 } });
  try {
    const store = app.pol.store;
    const before = store.generation!.revision;
    let swapped = false;
    store.once('swap', () => { swapped = true; });
    writeFileSync(join(dir, 'grants.pol'), grants(10_000));
    for (let i = 0; i < 400 && store.backgroundChanges === 0 && !swapped; i++) await sleep(10);
    const answered = await decisionsUntil(app, () => swapped, before);
    assert.ok(answered >= 3, `only ${answered} decision(s) were answered while the directory's policy compiled`);
    assert.equal((await decide(app, 'grants/allow', { user: 'bob', resource: 'r42', action: 'read' })).result, true);
  } finally { await close(); }
});

test('the first explanation of a large policy compiles its traced program in slices: decisions go on meanwhile, and the lines are those of a ready one', async () => {
  // The deadline is not what this tests: on a loaded 2-core machine the traced compile of 10,000
  // rules took over the default second.
  const { app, close } = await makeApp({ limits: { eval_timeout_ms: 20_000 } });
  try {
    app.pol.store.putPolicy('grants.pol', grants(10_000));
    const gen = app.pol.store.generation!;
    assert.equal(gen.prepared.explanationsReady, false);
    const ask = () => app.inject({ method: 'POST', url: '/v1/data/grants/allow?explain=full', payload: { input: { user: 'bob', resource: 'r5', action: 'read' } } });
    let explained = false;
    const first = ask().then(r => { explained = true; return r; });
    const answered = await decisionsUntil(app, () => explained);
    const r = await first;
    assert.equal(r.statusCode, 200, r.body);
    assert.ok(answered >= 1, 'no decision was answered while the explanation\'s program compiled');
    // Made by `prepareExplanations` (in slices; see the engine's tests), not compiled in one go
    // by the entry point's own explain, which leaves this false.
    assert.equal(gen.prepared.explanationsReady, true);
    const lines = json(r.body).explanation;
    assert.ok(lines.some((l: string) => /^trace: data\.grants\.allow \(body at grants\.pol:\d+\) held$/.test(l)), lines.slice(0, 5).join('\n'));
    assert.deepEqual(json((await ask()).body).explanation, lines);
  } finally { await close(); }
});

test('past 32 policy changes waiting to compile, more are refused with 503 and lose nothing already queued', async () => {
  const { app, close } = await makeApp({ policy_api: { writable: true, token: TOKEN } });
  try {
    const store = app.pol.store;
    // One long compile, and behind it deletions of policies that do not exist (nothing to compile).
    const first = store.putPolicyInBackground('grants.pol', grants(10_000));
    const behind = Array.from({ length: MAX_WAITING_CHANGES - 1 }, (_, i) => store.deletePolicyInBackground(`missing${i}.pol`));
    assert.equal(store.backgroundChanges, MAX_WAITING_CHANGES);
    const refused = await app.inject({ method: 'PUT', url: '/v1/policies/late.pol', payload: 'package late\n', headers: auth });
    assert.equal(refused.statusCode, 503, refused.body);
    assert.equal(json(refused.body).code, 'not_ready');
    assert.match(json(refused.body).message, /policy changes are waiting/);
    // Busy, not broken: the client is told when to ask again.
    assert.equal(refused.headers['retry-after'], '1');
    const gen = await first;
    assert.deepEqual(new Set(await Promise.all(behind)), new Set([false]));
    assert.equal(store.generation, gen);
    assert.ok('grants.pol' in gen.modules);
    assert.ok(!('late.pol' in gen.modules));
    // Once they are done, changes are taken again.
    assert.equal((await app.inject({ method: 'PUT', url: '/v1/policies/late.pol', payload: 'package late\n', headers: auth })).statusCode, 200);
  } finally { await close(); }
});

test('changes to a watched directory while it compiles make one more reload after it, of the latest files, not one per change', async () => {
  const { app, dir, close } = await makeApp({ policies: { watch: true, debounce_ms: 20 } });
  try {
    const store = app.pol.store;
    const before = store.reloads.success;
    writeFileSync(join(dir, 'grants.pol'), grants(10_000));
    for (let i = 0; i < 400 && store.backgroundChanges === 0; i++) await sleep(10);
    assert.ok(store.backgroundChanges > 0, 'the first reload did not start');
    // Five more versions while it compiles, each seen by the watcher on its own.
    for (let v = 1; v <= 5; v++) {
      writeFileSync(join(dir, 'grants.pol'), grants(10_000).replace('default allow := false', `default allow := false\n\nversion := ${v}`));
      await sleep(40);
    }
    for (let i = 0; i < 1000 && store.generation!.prepared.evaluate('grants/version') !== 5; i++) await sleep(20);
    assert.equal(store.generation!.prepared.evaluate('grants/version'), 5);
    for (let i = 0; i < 100 && store.backgroundChanges > 0; i++) await sleep(20);
    const reloads = store.reloads.success - before;
    assert.ok(reloads >= 2 && reloads <= 4, `${reloads} reloads for six versions written while the first compiled`);
  } finally { await close(); }
});

test('a full queue of API changes does not refuse a directory or bundle load: those are never lost to a busy API', async () => {
  const store = new PolicyStore();
  store.loadBase({ modules: { 'a.pol': 'package a\n\nx := 1\n' }, data: {} }, 'directory');
  const first = store.putPolicyInBackground('grants.pol', grants(5_000));
  const behind = Array.from({ length: MAX_WAITING_CHANGES - 1 }, (_, i) => store.deletePolicyInBackground(`missing${i}.pol`));
  await assert.rejects(store.putPolicyInBackground('late.pol', 'package late\n'), { name: 'TooManyChanges' });
  const reload = store.loadBaseInBackground({ modules: { 'a.pol': 'package a\n\nx := 2\n' }, data: {} }, 'directory');
  await Promise.all([first, ...behind]);
  const gen = await reload;
  assert.equal(gen.prepared.evaluate('a/x'), 2);
  assert.ok('grants.pol' in gen.modules);
});

test('a directory\'s or bundle\'s JSON data is parsed a piece at a time before it compiles: the event loop turns meanwhile, and the data is the one-go parse\'s', async () => {
  const users = Object.fromEntries(Array.from({ length: 30_000 }, (_, i) => [`user${i}`, { roles: ['reader', `r${i % 40}`], dept: `d${i % 300}` }]));
  const files = new Map([['rbac.pol', 'package rbac\n\nimport rego.v1\n\nallow if "reader" in data.users[input.user].roles\n'], ['data.json', JSON.stringify({ users })], ['team/data.json', '{"lead":"user7"}']]);
  const store = new PolicyStore();
  try {
    const turns = countTurns();
    let sources, ticks: number;
    try {
      sources = await store.prepareInBackground(sourcesFromFilesSteps(files));
    } finally { ticks = turns.stop(); }
    // Parsed in one go, nothing else would have run before the parse was done.
    assert.ok(ticks > 5, `only ${ticks} turns of the event loop while the data was parsed`);
    assert.deepStrictEqual(sources, sourcesFromFiles(files));
    assert.deepEqual(Object.keys(sources.data), ['users', 'team']);
    // A bad file is reported as the one-go parse reports it, with its name.
    files.set('data.json', JSON.stringify({ users }).slice(0, -2) + ',}');
    await assert.rejects(store.prepareInBackground(sourcesFromFilesSteps(files)), (e: Error) => {
      assert.throws(() => sourcesFromFiles(files), { message: e.message });
      return /^data\.json: invalid JSON: /.test(e.message);
    });
    // Shutting down stops it.
    const parsing = store.prepareInBackground(sourcesFromFilesSteps(new Map([['data.json', JSON.stringify({ users })]])));
    await nextTurn();
    store.close();
    await assert.rejects(parsing, StoreClosed);
  } finally { store.close(); }
});

test('the keys of wide objects a YAML data file\'s parts put together are handed on, each once, and the store lists them no more', async () => {
  const rows = Array.from({ length: 6_000 }, (_, i) => `  user${i}:\n    roles: [reader]\n`).join('');
  const files = new Map([
    ['p.pol', 'package p\n\nimport rego.v1\n\nallow if "reader" in data.users[input.user].roles\n'],
    ['data.yaml', `users:\n${rows}`],
  ]);
  const yamlKeys = new Map<object, string[]>();
  const parsed = await parseYamlFilesInBackground(files, yamlKeys);
  const users = parsed.get('data.yaml')!.users as Record<string, unknown>;
  assert.deepEqual(yamlKeys.get(users), Object.keys(users));
  assert.equal(new Set(yamlKeys.get(users)).size, 6_000);
  const sources = finish(sourcesFromFilesSteps(files, parsed, yamlKeys));
  assert.ok(sources.knownKeys?.has(users));
  const store = new PolicyStore();
  const listed: object[] = [];
  const keysOf = Object.keys;
  Object.keys = ((o: object) => { listed.push(o); return keysOf(o); }) as typeof Object.keys;
  let revision: string;
  try {
    revision = (await store.loadBaseInBackground(sources, 'test')).revision;
  } finally { Object.keys = keysOf; }
  assert.ok(!listed.includes(users), 'the users were listed');
  assert.equal(revision, new PolicyStore().loadBase(sourcesFromFiles(files), 'test').revision);
});

test('YAML data files of a reload are parsed on a thread of their own: the same data and the same errors as parsing them here, and the event loop turns meanwhile', async () => {
  const rows = Array.from({ length: 20_000 }, (_, i) => `  user${i}:\n    roles: [reader, r${i % 40}]\n    dept: d${i % 300}\n`).join('');
  const files = new Map([
    ['rbac.pol', 'package rbac\n\nimport rego.v1\n\nallow if "reader" in data.users[input.user].roles\n'],
    ['data.yaml', `users:\n${rows}"__proto__":\n  polluted: true\nlist: [1, 2.5, "x", null, true]\n`],
    ['team/data.yml', ''],
  ]);
  const turns = countTurns();
  let parsed, ticks: number;
  try {
    parsed = await parseYamlFilesInBackground(files);
  } finally { ticks = turns.stop(); }
  assert.deepEqual([...parsed.keys()], ['data.yaml', 'team/data.yml']);
  assert.ok(ticks > 5, `only ${ticks} turns of the event loop while the YAML was parsed`);
  const sources = finish(sourcesFromFilesSteps(files, parsed));
  const here = sourcesFromFiles(files);
  assert.deepStrictEqual(sources, here);
  assert.equal(JSON.stringify(sources.data), JSON.stringify(here.data), 'key order');
  assert.deepEqual(Object.getOwnPropertyDescriptor(sources.data, '__proto__')?.value, { polluted: true });
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  // Errors are the ones parsing here gives, file named.
  for (const bad of ['users: [1, 2\n', '- just\n- a list\n', '"just a string"\n']) {
    const one = new Map([['app/data.yaml', bad]]);
    await assert.rejects(parseYamlFilesInBackground(one), (e: Error) => {
      assert.throws(() => sourcesFromFiles(one), { message: e.message });
      return /app\/data\.yaml/.test(e.message);
    });
  }
});
