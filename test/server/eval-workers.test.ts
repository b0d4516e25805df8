/**
 * Evaluation workers: entry points that run long (or are configured to) are evaluated on worker
 * threads, so the request thread goes on answering; the answers are the request thread's own.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countTurns } from '../event-loop-turns.js';
import { Writable } from 'node:stream';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { makeApp, json } from './helpers.js';
import { compile } from '../../engine/index.js';
import { EvalPool, POOL_BUSY } from '../../server/decision/eval-pool.js';
import { FAST_RUN_TO_RETURN } from '../../server/decision/service.js';
import { applyWrite } from '../../server/policy-store/data-writes.js';
import type { PlainObject, Value } from '../../engine/value.js';

const TOKEN = 'test-token-for-policy-writes';

/** Loops over `numbers.range(1, input.n)`: about 50-150 ms for 2,000,000 on the machines here (the tests that mark a path slow use 3,000,000 against a 20 ms threshold), microseconds for 1. */
const SLOW = `package slow

import rego.v1

heavy if {
	count([x | some x in numbers.range(1, input.n); x % 7 == 0]) > 0
}

quick := input.n
`;

/** Documents of every JSON shape, undefined ones, and evaluation errors, to compare worker answers with the request thread's. */
const SHAPES = `package shapes

import rego.v1

echo := input

doc := {"n": input.n, "list": [1, "two", null, true, {"x": [input.n]}], "set": {3, 1, 2}, "nested": {"k": data.roles}}

maybe := input.n if input.n > 10

conflict := 1 if input.clash
conflict := 2 if input.clash

strict := to_number(input.text)

allow := input.user == "bob"

decision := {"allow": true, "headers": {"x-user": "bob"}} if input.request.headers.authorization == "Bearer bob-token"

decision := {"allow": false, "status": 401} if not input.request.headers.authorization
`;

async function put(app: FastifyInstance, id: string, source: string): Promise<void> {
  const r = await app.inject({ method: 'PUT', url: `/v1/policies/${id}`, payload: source, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'text/plain' } });
  assert.equal(r.statusCode, 200, r.body);
}

async function offloaded(app: FastifyInstance): Promise<number> {
  const m = (await app.inject({ url: '/metrics' })).body.match(/^pol_offloaded_decisions_total (\d+)$/m);
  return m ? Number(m[1]) : 0;
}

/** Repeats `ask` until a decision is made on a worker (threads start and compile in the background). */
async function untilOffloaded(app: FastifyInstance, ask: () => Promise<unknown>): Promise<void> {
  const before = await offloaded(app);
  const stop = Date.now() + 20_000;
  while (Date.now() < stop) {
    await ask();
    if (await offloaded(app) > before) return;
    await new Promise(r => setTimeout(r, 20));
  }
  assert.fail('no decision was made on an evaluation worker within 20 s');
}

const decide = (app: FastifyInstance, path: string, input: unknown) =>
  app.inject({ method: 'POST', url: '/v1/decide', payload: { path, input, cache: false } });

/** A response with the fields that differ between any two decisions taken out. */
function comparable(r: { statusCode: number; body: string; headers: Record<string, unknown> }): unknown {
  let body: unknown = r.body;
  try {
    const parsed = json(r.body);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
      delete parsed.decision_id;
      delete parsed.eval_ns;
      if (parsed.metrics) parsed.metrics = Object.keys(parsed.metrics).sort();
    }
    body = parsed;
  } catch { /* not JSON: compared as text */ }
  return { status: r.statusCode, body, user: r.headers['x-user'] };
}

test('decisions made on an evaluation worker are the request thread\'s, through every API', async () => {
  const common = {
    policy_api: { writable: true, token: TOKEN }, cache: { enabled: false },
    authzen: { path: 'shapes/allow' }, forward_auth: { path: 'shapes/decision', identity_headers: ['x-user'] },
  };
  const paths = ['shapes/echo', 'shapes/doc', 'shapes/maybe', 'shapes/conflict', 'shapes/strict', 'shapes/allow', 'shapes/decision', 'system/main'];
  const here = await makeApp({ ...common, limits: { eval_workers: 0 } });
  const there = await makeApp({ ...common, limits: { eval_workers: 1, offload_paths: paths.map(p => `data.${p.replace('/', '.')}`) } });
  try {
    for (const a of [here.app, there.app]) await put(a, 'shapes.pol', SHAPES);
    // The request thread answers until the worker holds the policy.
    await untilOffloaded(there.app, () => decide(there.app, 'shapes/echo', { n: 1 }));
    const big = '{"n": 18446744073709551616, "__proto__": {"polluted": true}, "constructor": "c", "text": "é\\u0000\\ud83d\\ude00"}';
    const requests: InjectOptions[] = [
      { method: 'POST', url: '/v1/decide', payload: big.replace(/^\{/, '{"path": "shapes/echo", "input": {') + '}', headers: { 'content-type': 'application/json' } },
      { method: 'POST', url: '/v1/decide', payload: { path: 'shapes/doc', input: { n: 5 } } },
      { method: 'POST', url: '/v1/decide', payload: { path: 'shapes/maybe', input: { n: 5 } } },
      { method: 'POST', url: '/v1/decide', payload: { path: 'shapes/maybe', input: { n: 50 } } },
      { method: 'POST', url: '/v1/decide', payload: { path: 'shapes/conflict', input: { clash: true } } },
      { method: 'POST', url: '/v1/data/shapes/doc', payload: { input: { n: 7 } } },
      { method: 'POST', url: '/v1/data/shapes/echo', payload: `{"input": ${big}}`, headers: { 'content-type': 'application/json' } },
      { method: 'GET', url: `/v1/data/shapes/doc?input=${encodeURIComponent('{"n": 3}')}` },
      { method: 'POST', url: '/v1/data/shapes/maybe', payload: { input: { n: 1 } } },
      { method: 'POST', url: '/v1/data/shapes/conflict', payload: { input: { clash: true } } },
      { method: 'POST', url: '/v1/data/shapes/strict?strict-builtin-errors', payload: { input: { text: 'abc' } } },
      { method: 'POST', url: '/v0/data/shapes/doc', payload: { n: 2 } },
      { method: 'POST', url: '/v0/data/shapes/maybe', payload: { n: 2 } },
      { method: 'POST', url: '/', payload: { user: 'bob', action: 'read', resource: { type: 'document' } } },
      { method: 'POST', url: '/access/v1/evaluation', payload: { subject: { type: 'user', id: 'bob' }, action: { name: 'read' }, resource: { type: 'doc', id: '1' } } },
      { method: 'POST', url: '/access/v1/evaluations', payload: { subject: { type: 'user', id: 'bob' }, action: { name: 'read' }, resource: { type: 'doc', id: '1' }, evaluations: [{}, { subject: { type: 'user', id: 'eve' } }, {}] } },
      { method: 'POST', url: '/access/v1/evaluations', payload: { subject: { type: 'user', id: 'eve' }, action: { name: 'read' }, resource: { type: 'doc', id: '1' }, evaluations: [{}, {}], options: { evaluations_semantic: 'deny_on_first_deny' } } },
      { method: 'GET', url: '/v1/forward-auth', headers: { 'x-original-method': 'GET', 'x-original-uri': '/docs', authorization: 'Bearer bob-token' } },
      { method: 'GET', url: '/v1/forward-auth', headers: { 'x-original-method': 'GET', 'x-original-uri': '/docs' } },
      { method: 'GET', url: '/v1/forward-auth', headers: { 'x-original-method': 'GET', 'x-original-uri': '/docs', authorization: 'Bearer nobody' } },
      // Explanations of these paths are made on the worker too.
      { method: 'POST', url: '/v1/decide', payload: { path: 'shapes/doc', input: { n: 5 }, explain: true } },
      { method: 'POST', url: '/v1/data/shapes/maybe?explain=full&pretty', payload: { input: { n: 50 } } },
      { method: 'POST', url: '/v1/data/shapes/maybe?explain=fails', payload: { input: { n: 5 } } },
      { method: 'POST', url: '/v1/data/shapes/doc?explain=notes&metrics', payload: { input: { n: 5 } } },
    ];
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const workers = (there.app.pol.service as any).pool;
    const explainOnWorker = workers.explain.bind(workers);
    let explainedThere = 0;
    workers.explain = (...args: unknown[]) => { explainedThere++; return explainOnWorker(...args); };
    const before = await offloaded(there.app);
    for (const r of requests) {
      const a = comparable(await here.app.inject(r));
      const b = comparable(await there.app.inject(r));
      assert.deepEqual(b, a, JSON.stringify(r));
    }
    // Every one of them was decided there (each AuthZEN batch item counts: three, then one, as
    // deny_on_first_deny stops at the first), and none here.
    assert.equal(await offloaded(there.app) - before, requests.length + 2);
    assert.equal(explainedThere, 4);
    const explained = json((await there.app.inject(requests.find(r => String(r.url).includes('explain=full'))!)).body).explanation as string[];
    assert.ok(explained.some(l => /^data\.shapes\.maybe = 50 {4}\(shapes\.pol:\d+\)$/.test(l)), explained.join('\n'));
    assert.ok(explained.some(l => l.startsWith('trace: data.shapes.maybe (body at shapes.pol:')), explained.join('\n'));
    assert.equal(await offloaded(here.app), 0);
    // Spot checks that the comparison saw real answers.
    const echo = json((await there.app.inject(requests[0]!)).body);
    assert.match((await there.app.inject(requests[0]!)).body, /"n":18446744073709551616/);
    assert.deepEqual(echo.result.__proto__, { polluted: true });
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    const conflict = await there.app.inject(requests[9]!);
    assert.equal(conflict.statusCode, 500);
    assert.equal(json(conflict.body).errors[0].code, 'eval_conflict_error');
    assert.equal(json(conflict.body).errors[0].location.file, 'shapes.pol');
    const strict = json((await there.app.inject(requests[10]!)).body);
    assert.equal(strict.errors[0].code, 'eval_builtin_error');
  } finally {
    await here.close();
    await there.close();
  }
});

/** Starts a long decision and a quick one together: which answered first. */
async function race(app: FastifyInstance): Promise<string[]> {
  const order: string[] = [];
  const slow = decide(app, 'slow/heavy', { n: 3_000_000 }).then(r => { order.push('slow'); return r; });
  const quick = decide(app, 'slow/quick', { n: 1 }).then(r => { order.push('quick'); return r; });
  const [s, q] = await Promise.all([slow, quick]);
  assert.equal(json(s.body).result, true);
  assert.equal(json(q.body).result, 1);
  return order;
}

test('an entry point that runs long twice in a row goes to the workers, and other requests are answered meanwhile', async () => {
  const lines: Record<string, unknown>[] = [];
  const logStream = new Writable({ write(chunk, _enc, done) { for (const l of String(chunk).split('\n')) if (l) lines.push(JSON.parse(l) as Record<string, unknown>); done(); } });
  const config = { policy_api: { writable: true, token: TOKEN }, cache: { enabled: false }, log_level: 'warn' };
  const { app, close } = await makeApp({ ...config, limits: { eval_workers: 1, offload_after_ms: 20 } }, { logStream, logger: true });
  const control = await makeApp({ ...config, limits: { eval_workers: 0 } });
  try {
    await put(app, 'slow.pol', SLOW);
    await put(control.app, 'slow.pol', SLOW);
    // Quick evaluations, and one slow one alone, leave the path on the request thread.
    for (let i = 0; i < 3; i++) await decide(app, 'slow/heavy', { n: 1 });
    await decide(app, 'slow/heavy', { n: 3_000_000 });
    await decide(app, 'slow/heavy', { n: 1 });
    assert.deepEqual(app.pol.service.offloadedPaths, []);
    // Two slow ones in a row send it to the workers, and say so in the log.
    await decide(app, 'data.slow.heavy', { n: 3_000_000 });
    await decide(app, '/slow/heavy', { n: 3_000_000 });
    assert.deepEqual(app.pol.service.offloadedPaths, ['slow/heavy']);
    const warning = lines.find(l => l.path === 'slow/heavy');
    assert.ok(warning, JSON.stringify(lines));
    assert.equal(warning.level, 40);
    assert.match(String(warning.msg), /took .* ms on the request thread .*evaluation workers/);
    await untilOffloaded(app, () => decide(app, 'slow/heavy', { n: 3_000_000 }));
    // With the slow decision on a worker the quick one is answered first; without workers it waits.
    assert.deepEqual(await race(app), ['quick', 'slow']);
    assert.deepEqual(await race(control.app), ['slow', 'quick']);
    // A worker's evaluation that runs past the deadline fails closed, as it would here.
    const { app: strictApp, close: closeStrict } = await makeApp({ ...config, limits: { eval_workers: 1, eval_timeout_ms: 20, offload_paths: ['slow/heavy'] } });
    try {
      await put(strictApp, 'slow.pol', SLOW);
      await untilOffloaded(strictApp, () => decide(strictApp, 'slow/heavy', { n: 1 }));
      const late = await decide(strictApp, 'slow/heavy', { n: 9_000_000 });
      assert.equal(late.statusCode, 500);
      assert.equal(json(late.body).code, 'eval_cancel_error');
    } finally { await closeStrict(); }
  } finally {
    await close();
    await control.close();
  }
});

test(`a path comes back to the request thread after ${FAST_RUN_TO_RETURN} quick evaluations in a row on the workers`, async () => {
  const { app, close } = await makeApp({ policy_api: { writable: true, token: TOKEN }, cache: { enabled: false }, limits: { eval_workers: 1, offload_after_ms: 20 } });
  try {
    await put(app, 'slow.pol', SLOW);
    await decide(app, 'slow/heavy', { n: 3_000_000 });
    await decide(app, 'slow/heavy', { n: 3_000_000 });
    assert.deepEqual(app.pol.service.offloadedPaths, ['slow/heavy']);
    await untilOffloaded(app, () => decide(app, 'slow/heavy', { n: 3_000_000 }));
    // A slow one in the run starts the count again: one more quick one would have made the run.
    for (let i = 0; i < FAST_RUN_TO_RETURN - 1; i++) await decide(app, 'slow/heavy', { n: 1 });
    await decide(app, 'slow/heavy', { n: 3_000_000 });
    await decide(app, 'slow/heavy', { n: 1 });
    assert.deepEqual(app.pol.service.offloadedPaths, ['slow/heavy']);
    // A full run of quick ones brings it back (a pause on the worker, a collection, can count as
    // slow and start the run again: a few runs are allowed).
    let asked = 0;
    while (app.pol.service.offloadedPaths.length > 0 && asked < 10 * FAST_RUN_TO_RETURN) {
      await decide(app, 'slow/heavy', { n: 1 });
      asked++;
    }
    assert.deepEqual(app.pol.service.offloadedPaths, []);
    assert.ok(asked >= FAST_RUN_TO_RETURN - 1, `back after ${asked} quick evaluations`);
    const made = await offloaded(app);
    await decide(app, 'slow/heavy', { n: 1 });
    assert.equal(await offloaded(app), made);
  } finally { await close(); }
});

test('a new policy or new data is answered at once, whether or not the workers have it yet', async () => {
  const { app, close } = await makeApp({ policy_api: { writable: true, token: TOKEN }, cache: { enabled: false }, limits: { eval_workers: 2, offload_paths: ['v/value'] } });
  try {
    const policy = (n: number) => `package v\n\nimport rego.v1\n\nvalue := [${n}, data.v.extra] if data.v.extra\n\nelse := [${n}]\n`;
    await put(app, 'v.pol', policy(1));
    await untilOffloaded(app, () => decide(app, 'v/value', {}));
    for (let n = 2; n < 6; n++) {
      await put(app, 'v.pol', policy(n));
      // Never the last generation's answer: the request thread answers until the workers have compiled this one.
      assert.equal(json((await decide(app, 'v/value', {})).body).result[0], n);
      const w = await app.inject({ method: 'PUT', url: '/v1/data/v/extra', payload: { n }, headers: { authorization: `Bearer ${TOKEN}` } });
      assert.equal(w.statusCode, 204, w.body);
      assert.deepEqual(json((await decide(app, 'v/value', {})).body).result, [n, { n }]);
    }
    await untilOffloaded(app, () => decide(app, 'v/value', {}));
    assert.deepEqual(json((await decide(app, 'v/value', {})).body).result, [5, { n: 5 }]);
  } finally { await close(); }
});

test('configuration: eval_workers and offload settings are checked', async () => {
  for (const limits of [{ eval_workers: -1 }, { eval_workers: 1.5 }, { offload_after_ms: 0 }, { offload_paths: 'x' }, { offload_paths: [''] }]) {
    await assert.rejects(makeApp({ limits }), /limits/, JSON.stringify(limits));
  }
});

function pool(maxPending = 100): EvalPool {
  return new EvalPool({ threads: 1, maxPending, stallGraceMs: 1_000 });
}

function generation(source: string, data = {}) {
  const prepared = compile({ modules: { 'p.pol': source }, data });
  return { revision: prepared.revision, modules: { 'p.pol': source }, data };
}

/** The messages the pool's (first) thread is sent from now on, as they are sent. */
function recordSent(p: EvalPool): Record<string, unknown>[] {
  const sent: Record<string, unknown>[] = [];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const worker = (p as any).threads[0].worker;
  const post = worker.postMessage.bind(worker);
  worker.postMessage = (m: Record<string, unknown>) => { sent.push(m); post(m); };
  return sent;
}

async function untilReady(p: EvalPool, gen: ReturnType<typeof generation>): Promise<void> {
  const stop = Date.now() + 20_000;
  while (!p.readyFor(gen)) {
    if (Date.now() > stop) assert.fail('the worker did not load the generation within 20 s');
    await new Promise(r => setTimeout(r, 10));
  }
}

test('EvalPool: a thread that dies fails what it holds, and a new one takes its place', async () => {
  const p = pool();
  const gen = generation('package p\n\nimport rego.v1\n\nheavy if count([x | some x in numbers.range(1, input.n)]) > 0\n');
  try {
    assert.equal(p.readyFor(gen), false); // starts a thread
    await untilReady(p, gen);
    const done = await p.evaluate(gen, 'p/heavy', { n: 3 }, Date.now() + 10_000, false);
    assert.equal(done.ok && done.result, true);
    const pending = p.evaluate(gen, 'p/heavy', { n: 9_000_000 }, Date.now() + 60_000, false);
    assert.equal(p.waiting, 1);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    await (p as any).threads[0].worker.terminate();
    const failed = await pending;
    assert.equal(failed.ok, false);
    assert.equal(p.lost, 1);
    assert.equal(p.waiting, 0);
    assert.equal(p.size, 0);
    await untilReady(p, gen);
    assert.equal((await p.evaluate(gen, 'p/heavy', { n: 3 }, Date.now() + 10_000, false)).ok, true);
  } finally { await p.close(); }
});

test('EvalPool: past maxPending evaluations are refused at once; a closed pool answers nothing', async () => {
  const p = pool(1);
  const gen = generation('package p\n\nimport rego.v1\n\nheavy if count([x | some x in numbers.range(1, input.n)]) > 0\n');
  try {
    p.readyFor(gen);
    await untilReady(p, gen);
    const first = p.evaluate(gen, 'p/heavy', { n: 1_000_000 }, Date.now() + 10_000, false);
    const second = await p.evaluate(gen, 'p/heavy', { n: 1 }, Date.now() + 10_000, false);
    assert.equal(second.ok, false);
    assert.equal(!second.ok && second.code, POOL_BUSY);
    assert.equal((await first).ok, true);
    // A deadline already past when the thread takes the evaluation is a cancellation, not a result.
    const late = await p.evaluate(gen, 'p/heavy', { n: 1 }, Date.now() - 1, false);
    assert.equal(!late.ok && late.code, 'eval_cancel_error');
  } finally { await p.close(); }
  const after = await p.evaluate(gen, 'p/heavy', { n: 1 }, Date.now() + 10_000, false);
  assert.equal(after.ok, false);
  assert.equal(p.size, 0);
});

async function counter(app: FastifyInstance, name: string): Promise<number> {
  const m = (await app.inject({ url: '/metrics' })).body.match(new RegExp(`^${name} (\\d+)$`, 'm'));
  return m ? Number(m[1]) : 0;
}

test('identical cacheable decisions asked while one is on a worker share its evaluation', async () => {
  const { app, close } = await makeApp({ policy_api: { writable: true, token: TOKEN }, limits: { eval_workers: 1, offload_paths: ['slow/heavy'] } });
  try {
    await put(app, 'slow.pol', SLOW);
    await untilOffloaded(app, () => app.inject({ method: 'POST', url: '/v1/decide', payload: { path: 'slow/heavy', input: { n: 10 + Math.floor(Math.random() * 1e6) } } }));
    const made = await counter(app, 'pol_offloaded_decisions_total');
    const shared = await counter(app, 'pol_offloaded_decisions_shared_total');
    // Eight at once, the same in what the policy reads (`other` is not read); then a different one.
    const burst = await Promise.all(Array.from({ length: 8 }, (_, i) =>
      app.inject({ method: 'POST', url: '/v1/decide', payload: { path: 'slow/heavy', input: { n: 2_000_000, other: i } } })));
    const answers = burst.map(r => json(r.body));
    assert.deepEqual(answers.map(a => [a.result, a.cached]), new Array(8).fill([true, false]));
    assert.equal(new Set(answers.map(a => a.decision_id)).size, 8);
    assert.equal(await counter(app, 'pol_offloaded_decisions_total'), made + 1);
    assert.equal(await counter(app, 'pol_offloaded_decisions_shared_total'), shared + 7);
    // The shared evaluation was cached once; bypassing the cache never shares.
    assert.equal(json((await decide(app, 'slow/heavy', { n: 2_000_000 })).body).cached, false);
    assert.equal(json((await app.inject({ method: 'POST', url: '/v1/decide', payload: { path: 'slow/heavy', input: { n: 2_000_000 } } })).body).cached, true);
    await Promise.all(Array.from({ length: 3 }, () => decide(app, 'slow/heavy', { n: 1_000_000 })));
    assert.equal(await counter(app, 'pol_offloaded_decisions_shared_total'), shared + 7);
  } finally { await close(); }
});

test('a decision made on a worker is logged like any other: its result, input (masked), revision and error', async () => {
  let text = '';
  const stream = new Writable({ write(chunk, _enc, done) { text += String(chunk); done(); } });
  const lines = () => text.split('\n').filter(Boolean).map(l => JSON.parse(l) as Record<string, any>); // eslint-disable-line @typescript-eslint/no-explicit-any
  const { app, close } = await makeApp({
    policy_api: { writable: true, token: TOKEN }, cache: { enabled: false },
    decision_log: { enabled: true, mask: ['/input/secret'] }, limits: { eval_workers: 1, offload_paths: ['shapes/doc', 'shapes/conflict'] },
  }, { decisionLogStream: stream });
  try {
    await put(app, 'shapes.pol', SHAPES);
    await untilOffloaded(app, () => decide(app, 'shapes/doc', { n: 1 }));
    const ok = json((await app.inject({ method: 'POST', url: '/v1/data/shapes/doc', payload: { input: { n: 4, secret: 'hunter2' } } })).body);
    const failed = await app.inject({ method: 'POST', url: '/v1/data/shapes/conflict', payload: { input: { clash: true } } });
    assert.equal(failed.statusCode, 500);
    const revision = app.pol.store.generation!.revision;
    for (let i = 0; i < 400 && !lines().some(l => l.path === 'shapes/conflict'); i++) await new Promise(r => setTimeout(r, 10));
    const line = lines().find(l => l.decision_id === ok.decision_id);
    assert.ok(line, text);
    assert.deepEqual(line.result, ok.result);
    assert.deepEqual(line.input, { n: 4 });
    assert.deepEqual(line.erased, ['/input/secret']);
    assert.equal(line.revision, revision);
    assert.equal(line.cached, false);
    const error = lines().find(l => l.path === 'shapes/conflict');
    assert.ok(error, text);
    assert.match(String(error.error), /^eval_conflict_error: /);
    assert.equal(error.result, undefined);
  } finally { await close(); }
});

test('EvalPool: a Data API write goes to a thread as the write alone, and the thread makes the same data', async () => {
  const p = pool();
  const source = 'package p\n\nimport rego.v1\n\nv := data.store\n';
  const d1 = { store: { a: 1, list: [1, 2, 3] } };
  const gen1 = generation(source, d1);
  const writes = [{ path: ['store', 'b'], value: { deep: true } }, { path: ['store', 'list'], value: [1, 3] }];
  let d2: PlainObject = d1;
  const fresh = new Set<object>();
  for (const w of writes) d2 = applyWrite(d2, w, fresh);
  const gen2 = { ...generation(source, d2), dataDelta: { from: d1, writes } };
  try {
    p.readyFor(gen1);
    await untilReady(p, gen1);
    const sent = recordSent(p);
    p.preload(gen2);
    await untilReady(p, gen2);
    const load = sent.find(m => m.kind === 'load')!;
    assert.deepEqual(Object.keys(load).sort(), ['kind', 'revision', 'writes']);
    const a = await p.evaluate(gen2, 'p/v', undefined, Date.now() + 10_000, false);
    assert.deepEqual(a.ok && a.result, { a: 1, b: { deep: true }, list: [1, 3] });
    // Data not made from what the thread holds goes whole.
    const gen3 = { ...generation(source, { store: { c: 3 } }), dataDelta: { from: d1, writes } };
    p.preload(gen3);
    await untilReady(p, gen3);
    assert.deepEqual(Object.keys(sent.filter(m => m.kind === 'load')[1]!).sort(), ['data', 'kind', 'revision']);
    const c = await p.evaluate(gen3, 'p/v', undefined, Date.now() + 10_000, false);
    assert.deepEqual(c.ok && c.result, { c: 3 });
  } finally { await p.close(); }
});

test('with a worker already holding the policy, a slow evaluation is stopped after offload_after_ms and made on the worker, and its path moves there', async () => {
  const { app, close } = await makeApp({ policy_api: { writable: true, token: TOKEN }, cache: { enabled: false }, limits: { eval_workers: 1, offload_after_ms: 20, offload_paths: ['slow/quick'] } });
  try {
    await put(app, 'slow.pol', SLOW);
    await untilOffloaded(app, () => decide(app, 'slow/quick', { n: 1 }));
    assert.deepEqual(app.pol.service.offloadedPaths, ['slow/quick']);
    const before = await offloaded(app);
    // Made whole on the request thread, the event loop would not turn until it was done.
    const turns = countTurns();
    let first;
    try { first = await decide(app, 'slow/heavy', { n: 3_000_000 }); } finally { turns.stop(); }
    assert.equal(json(first.body).result, true);
    assert.ok(turns.stop() > 5, `only ${turns.stop()} turns of the event loop while the first slow decision was made`);
    assert.equal(await offloaded(app), before + 1, 'the first slow decision was made on the worker');
    assert.deepEqual(app.pol.service.offloadedPaths, ['slow/quick', 'slow/heavy']);
    const made = await offloaded(app);
    assert.equal(json((await decide(app, 'slow/heavy', { n: 3_000_000 })).body).result, true);
    assert.equal(await offloaded(app), made + 1);
  } finally { await close(); }
});

test('EvalPool: large new data goes to a thread in parts between requests, in order with the loads after it, and the thread holds the same data', async () => {
  const p = pool();
  const source = 'package p\n\nimport rego.v1\n\nv := data.app.users[input.u]\n\nkeys := [k | some k, _ in data.app.users]\n\nsize := count(data.app.users)\n';
  const users = (v: number): PlainObject => Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`u${i}`, { roles: ['reader', `r${(i + v) % 9}`], big: 12345678901234567890n }]));
  const withProto = (o: PlainObject): PlainObject => { Object.defineProperty(o, '__proto__', { value: { polluted: true }, enumerable: true, writable: true, configurable: true }); return o; };
  const gen1 = generation(source, { app: { users: users(0) } });
  const d2 = { app: { users: withProto(users(1)) } };
  const gen2 = generation(source, d2);
  const writes = [{ path: ['app', 'users', 'u7'], value: { roles: ['admin'] } }];
  let d3: PlainObject = d2;
  for (const w of writes) d3 = applyWrite(d3, w, new Set());
  const gen3 = { ...generation(source, d3), dataDelta: { from: d2, writes } };
  let turns: { stop(): number } | undefined;
  try {
    p.readyFor(gen1);
    await untilReady(p, gen1);
    const sent = recordSent(p);
    turns = countTurns();
    // New data, then at once a write over it: the write waits for the data's parts.
    p.preload(gen2);
    p.preload(gen3);
    assert.equal(sent.filter(m => m.kind === 'load').length, 0, 'a load was sent before the data it comes after');
    await untilReady(p, gen3);
    const ticks = turns.stop();
    const kinds = sent.map(m => m.kind);
    const parts = kinds.filter(k => k === 'data-part').length;
    assert.ok(parts > 5, `${parts} parts`);
    assert.deepEqual(kinds.slice(parts), ['load', 'load'], 'the parts, then the data\'s load, then the write\'s');
    assert.deepEqual(Object.keys(sent[parts]!).sort(), ['dataParts', 'kind', 'revision']);
    assert.deepEqual(Object.keys(sent[parts + 1]!).sort(), ['kind', 'revision', 'writes']);
    // The request thread turned between parts (sent in one go, it would not have).
    assert.ok(ticks > 5, `only ${ticks} turns of the event loop while the data was sent`);
    // The thread compiled the revision the request thread did (a check of the whole data), and answers alike.
    const ask = async (path: string, input?: Value) => { const a = await p.evaluate(gen3, path, input, Date.now() + 10_000, false); assert.ok(a.ok, a.ok ? "" : `${a.code}: ${a.message}`); return a.result; };
    assert.deepEqual(await ask('p/v', { u: 'u7' }), { roles: ['admin'] });
    assert.deepEqual(await ask('p/v', { u: 'u8' }), { roles: ['reader', 'r0'], big: 12345678901234567890n });
    assert.deepEqual(await ask('p/v', { u: '__proto__' }), { polluted: true });
    assert.equal(await ask('p/size'), 20_001);
    assert.deepEqual(await ask('p/keys'), compile({ modules: { 'p.pol': source }, data: d3 }).evaluate('p/keys', undefined));
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  } finally { turns?.stop(); await p.close(); }
});
