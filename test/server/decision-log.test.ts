import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, DecisionLog, DecisionLogOpenError, resolveConfig } from '../../server/index.js';
import { makeApp, json } from './helpers.js';

/** Waits (bounded) until `cond` holds: drains happen after the current I/O phase, later under load. */
async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !cond(); i++) await sleep(10);
}

function collector(): { stream: Writable; lines: () => Record<string, unknown>[] } {
  let text = '';
  const stream = new Writable({ write(chunk, _enc, cb) { text += String(chunk); cb(); } });
  return { stream, lines: () => text.split('\n').filter(Boolean).map(l => JSON.parse(l) as Record<string, unknown>) };
}

test('one JSON line per decision, with masked fields erased and the decision id returned by the API', async () => {
  const out = collector();
  const { app, close } = await makeApp({ decision_log: { enabled: true, mask: ['/input/password'] } }, { decisionLogStream: out.stream });
  try {
    const r = json((await app.inject({ method: 'POST', url: '/v1/data/rbac/allow', payload: { input: { user: 'bob', action: 'read', resource: { type: 'document' }, password: 'hunter2' } } })).body);
    assert.equal(r.result, true);
    assert.match(r.decision_id, /^[0-9a-f-]{36}$/);
    await app.inject({ method: 'GET', url: '/v1/forward-auth', headers: { 'x-original-method': 'GET', 'x-original-uri': '/docs', authorization: 'Bearer bob-token' } });
    // An undefined document answers the decision id alone.
    const none = json((await app.inject({ method: 'POST', url: '/v1/data/rbac/no_such_rule', payload: { input: {} } })).body);
    assert.deepEqual(Object.keys(none), ['decision_id']);
    await until(() => out.lines().length >= 3);
    const lines = out.lines();
    assert.equal(lines.length, 3);
    const [first, second] = lines as [Record<string, any>, Record<string, any>]; // eslint-disable-line @typescript-eslint/no-explicit-any
    assert.equal(first.decision_id, r.decision_id);
    assert.equal(first.path, 'rbac/allow');
    assert.equal(first.result, true);
    assert.equal(first.cached, false);
    assert.equal(typeof first.revision, 'string');
    assert.equal(typeof first.latency_ns, 'number');
    assert.equal(first.input.password, undefined);
    assert.equal(first.input.user, 'bob');
    assert.deepEqual(first.erased, ['/input/password']);
    // Credentials forwarded by proxies are erased by default.
    assert.equal(second.api, 'forward_auth');
    assert.equal(second.input.request.headers.authorization, undefined);
    assert.deepEqual(second.erased, ['/input/request/headers/authorization']);
  } finally { await close(); }
});

test('a full buffer drops and counts instead of growing', async () => {
  const out = collector();
  const log = new DecisionLog({ destination: out.stream, mask: [], buffer: 3 });
  const rec = (i: number) => ({ decision_id: String(i), api: 't', path: 'p', input: { i }, result: true, revision: 'r', latency_ns: 1, cached: false });
  const kept = [0, 1, 2, 3, 4].map(i => log.record(rec(i)));
  assert.deepEqual(kept, [true, true, true, false, false]);
  assert.equal(log.dropped, 2);
  await until(() => out.lines().length >= 3);
  assert.equal(out.lines().length, 3);
  assert.equal(log.record(rec(5)), true, 'room again once drained');
  await log.close();
  assert.equal(out.lines().length, 4);
});

test('a file destination receives every line, flushed on close', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pol-log-'));
  try {
    const file = join(dir, 'decisions.log');
    const log = new DecisionLog({ destination: file, mask: [], buffer: 100 });
    for (let i = 0; i < 5; i++) log.record({ decision_id: String(i), api: 't', path: 'p', input: { i, big: 123456789012345678901234567890n }, result: true, revision: 'r', latency_ns: 1, cached: false });
    await log.close();
    const lines = readFileSync(file, 'utf8').trim().split('\n').map(l => JSON.parse(l) as { decision_id: string; msg: string });
    assert.deepEqual(lines.map(l => l.decision_id), ['0', '1', '2', '3', '4']);
    assert.equal(lines[0]!.msg, 'decision');
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('lines keep pino\'s format; results can be masked too; errors and exact integers are written', async () => {
  const out = collector();
  const log = new DecisionLog({ destination: out.stream, mask: ['/result/token', '/input/missing'], buffer: 10, flushMs: 5 });
  log.record({ decision_id: 'a', api: 'decide', path: 'p/q', input: { n: 12345678901234567890n, s: 'x"<y>\n' }, result: { allow: true, token: 't0k' }, revision: 'r1', latency_ns: 42, cached: true });
  log.record({ decision_id: 'b', api: 'data', path: 'p/q', input: undefined, result: undefined, revision: 'r1', latency_ns: 7, cached: false, error: 'eval_conflict_error: boom' });
  await until(() => out.lines().length >= 2);
  const text = out.lines();
  const [first, second] = text as [Record<string, any>, Record<string, any>]; // eslint-disable-line @typescript-eslint/no-explicit-any
  assert.equal(first.level, 30);
  assert.equal(first.msg, 'decision');
  assert.ok(!Number.isNaN(Date.parse(first.time)), 'ISO time');
  assert.deepEqual(first.result, { allow: true });
  assert.deepEqual(first.erased, ['/result/token'], 'only what was present is listed');
  assert.equal(first.input.s, 'x"<y>\n');
  assert.equal(first.cached, true);
  assert.equal(first.latency_ns, 42);
  assert.equal(second.error, 'eval_conflict_error: boom');
  assert.ok(!('input' in second) && !('result' in second), 'undefined values are left out');
  await log.close();
});

test('the exact integer text survives in the line', async () => {
  let text = '';
  const stream = new Writable({ write(chunk, _enc, cb) { text += String(chunk); cb(); } });
  const log = new DecisionLog({ destination: stream, mask: [], buffer: 10, flushMs: 0 });
  log.record({ decision_id: 'a', api: 'decide', path: 'p', input: { n: 12345678901234567890n }, result: true, revision: 'r', latency_ns: 1, cached: false });
  await log.close();
  assert.match(text, /"input":\{"n":12345678901234567890\}/);
});

test('masks may only name fields under /input or /result', () => {
  assert.throws(() => resolveConfig({ decision_log: { enabled: true, mask: ['/revision'] } }), ConfigError);
  assert.ok(resolveConfig({ decision_log: { enabled: true, mask: ['/result/token', '/input'] } }).decision_log.mask.includes('/input'));
});

test('a large flush is written in chunks below 128 KiB, every line whole and in order', async () => {
  const writes: string[] = [];
  const stream = new Writable({ write(chunk, _enc, cb) { writes.push(String(chunk)); cb(); } });
  const log = new DecisionLog({ destination: stream, mask: [], buffer: 10_000, flushMs: 30 });
  const count = 3000;
  const padding = 'x'.repeat(200);
  // Records made over several I/O phases land in one flush (flushMs later).
  for (let i = 0; i < count; i++) {
    log.record({ decision_id: String(i), api: 't', path: 'p', input: { i, padding }, result: true, revision: 'r', latency_ns: 1, cached: false });
    if (i % 500 === 499) await new Promise(r => setImmediate(r));
  }
  await until(() => writes.join('').split('\n').length > count);
  const text = writes.join('');
  const ids = text.split('\n').filter(Boolean).map(l => (JSON.parse(l) as { decision_id: string }).decision_id);
  assert.deepEqual(ids, Array.from({ length: count }, (_, i) => String(i)));
  assert.ok(text.length > 512 * 1024, `enough text to need several chunks (${text.length})`);
  assert.ok(writes.length >= 8, `written in chunks (${writes.length} writes)`);
  for (const w of writes) {
    assert.ok(w.length < 128 * 1024, `a write of ${w.length} characters`);
    assert.ok(w.endsWith('\n'), 'writes end at a line end');
  }
  await log.close();
});

test('paths, API names and revisions are quoted correctly however many there are, escapes included', async () => {
  const { stream, lines } = collector();
  const log = new DecisionLog({ destination: stream, mask: [], buffer: 10_000, flushMs: 0 });
  // More distinct strings than the log keeps quoted, some needing escapes, each seen twice.
  const paths = Array.from({ length: 600 }, (_, i) => (i % 7 === 0 ? `p"${i}\\\n\u2028` : `pkg/rule${i}`));
  const all = [...paths, ...paths];
  all.forEach((path, i) => log.record({ decision_id: String(i), api: i % 2 ? 'data' : 'a"pi', path, input: undefined, result: true, revision: `rev\t${i % 300}`, latency_ns: 1, cached: false }));
  await until(() => lines().length >= all.length);
  const got = lines();
  assert.equal(got.length, all.length);
  got.forEach((line, i) => {
    assert.equal(line.path, all[i]);
    assert.equal(line.api, i % 2 ? 'data' : 'a"pi');
    assert.equal(line.revision, `rev\t${i % 300}`);
  });
  // Paths come from requests: what the log remembers stays bounded.
  assert.ok((log as unknown as { quotes: Map<string, string> }).quotes.size <= 256);
  await log.close();
});

test('masking copies keep __proto__ as a plain key and never touch the input', async () => {
  const { stream, lines } = collector();
  const log = new DecisionLog({ destination: stream, mask: ['/input/headers/authorization'], buffer: 10, flushMs: 0 });
  const input = JSON.parse('{"__proto__": {"x": 1}, "headers": {"authorization": "secret", "__proto__": "h", "accept": "json"}}');
  log.record({ decision_id: '1', api: 'forward_auth', path: 'p', input, result: true, revision: 'r', latency_ns: 1, cached: false });
  await until(() => lines().length === 1);
  const text = JSON.stringify(lines()[0]!.input);
  assert.equal(text, '{"__proto__":{"x":1},"headers":{"__proto__":"h","accept":"json"}}');
  assert.equal(input.headers.authorization, 'secret', 'the input itself is untouched');
  assert.equal(Object.getPrototypeOf({}).x, undefined);
  await log.close();
});

test('masks leave out exactly the fields they name: nested, overlapping, whole fields, through arrays never', async () => {
  const masks = ['/input/user/password', '/input/user', '/input/list/0', '/input/a~1b', '/result/token', '/input/deep/x/y', '/input/missing/z'];
  const { stream, lines } = collector();
  const log = new DecisionLog({ destination: stream, mask: masks, buffer: 100, flushMs: 0 });
  const inputs = [
    { user: { name: 'n', password: 'p' }, list: [{ a: 1 }], 'a/b': 1, keep: true, deep: { x: { y: 1, z: 2 }, w: 3 } },
    { user: 'plain', deep: { x: [1] }, other: null },
    { list: { 0: 'object, not array' }, deep: { x: { z: 1 } } },
    { nothing: 'masked' },
  ];
  // The oracle: copy, delete along each path that is present, serialise. A field inside one
  // erased whole is not listed again (shorter paths first).
  const expect = (v: Record<string, unknown>, root: string): { value: unknown; erased: string[] } => {
    const copy = JSON.parse(JSON.stringify(v)) as Record<string, unknown>;
    const erased: string[] = [];
    for (const m of [...masks].sort((x, y) => x.split('/').length - y.split('/').length)) {
      const [r, ...path] = m.split('/').slice(1).map(s => s.replace(/~1/g, '/').replace(/~0/g, '~'));
      if (r !== root) continue;
      let cur: unknown = copy;
      for (const k of path.slice(0, -1)) cur = cur && typeof cur === 'object' && !Array.isArray(cur) && Object.hasOwn(cur, k) ? (cur as Record<string, unknown>)[k] : undefined;
      const last = path[path.length - 1]!;
      if (cur && typeof cur === 'object' && !Array.isArray(cur) && Object.hasOwn(cur, last)) { delete (cur as Record<string, unknown>)[last]; erased.push(m); }
    }
    return { value: copy, erased };
  };
  inputs.forEach((input, i) => log.record({ decision_id: String(i), api: 'data', path: 'p', input: input as never, result: { token: 't', ok: true }, revision: 'r', latency_ns: 1, cached: false }));
  await until(() => lines().length === inputs.length);
  lines().forEach((line, i) => {
    const want = expect(inputs[i]! as Record<string, unknown>, 'input');
    assert.deepEqual(line.input, want.value, `input ${i}`);
    const erased = [...want.erased, '/result/token'].sort((x, y) => masks.indexOf(x) - masks.indexOf(y));
    assert.deepEqual(line.erased, erased, `erased ${i}`);
    assert.deepEqual(line.result, { ok: true });
  });
  await log.close();
  // A mask on the whole input leaves it out.
  const whole = collector();
  const wholeLog = new DecisionLog({ destination: whole.stream, mask: ['/input'], buffer: 10, flushMs: 0 });
  wholeLog.record({ decision_id: 'w', api: 'data', path: 'p', input: { a: 1 }, result: true, revision: 'r', latency_ns: 1, cached: false });
  await until(() => whole.lines().length === 1);
  assert.equal('input' in whole.lines()[0]!, false);
  assert.deepEqual(whole.lines()[0]!.erased, ['/input']);
  await wholeLog.close();
});

test('a decision log file that cannot be opened fails start-up with the path and the reason', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pol-log-'));
  try {
    const missing = join(dir, 'no-such-dir', 'decisions.log');
    assert.throws(() => new DecisionLog({ destination: missing, mask: [], buffer: 10 }),
      (e: Error) => e instanceof DecisionLogOpenError && e.message.includes(missing) && /ENOENT/.test(e.message));
    // A directory is not a file to append to.
    assert.throws(() => new DecisionLog({ destination: dir, mask: [], buffer: 10 }), DecisionLogOpenError);
    await assert.rejects(makeApp({ decision_log: { enabled: true, path: missing } }),
      (e: Error) => e instanceof ConfigError && e.message.startsWith('decision_log.path: cannot open'));
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('a relative decision log path is relative to the configured working directory', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pol-log-'));
  try {
    const { app, close } = await makeApp({ decision_log: { enabled: true, path: 'decisions.log', flush_ms: 0 } }, { cwd: dir });
    try {
      await app.inject({ method: 'POST', url: '/v1/data/rbac/allow', payload: { input: { user: 'bob' } } });
    } finally { await close(); }
    assert.equal(readFileSync(join(dir, 'decisions.log'), 'utf8').trim().split('\n').length, 1);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

const DEV_FULL = '/dev/full';
const hasDevFull = existsSync(DEV_FULL);

test('failed writes (a full disk) are counted and reported, memory stays bounded, and close gives up in time', { skip: !hasDevFull && 'no /dev/full here' }, async () => {
  const errors: string[] = [];
  const log = new DecisionLog({ destination: DEV_FULL, mask: [], buffer: 1_000, flushMs: 0, closeTimeoutMs: 200, maxUnwritten: 4_096, onWriteError: e => errors.push((e as NodeJS.ErrnoException).code ?? '') });
  const record = (i: number) => log.record({ decision_id: String(i), api: 't', path: 'p', input: { pad: 'x'.repeat(100) }, result: true, revision: 'r', latency_ns: 1, cached: false });
  for (let i = 0; i < 10; i++) record(i);
  await until(() => log.writeErrors > 0);
  assert.ok(log.writeErrors > 0);
  assert.equal(errors[0], 'ENOSPC');
  // Lines keep coming while the disk stays full: past `maxUnwritten` they are dropped and counted.
  for (let i = 0; i < 200; i++) { record(i); if (i % 20 === 0) await sleep(1); }
  await until(() => log.dropped > 0);
  assert.ok(log.dropped > 0, 'lines beyond the unwritten limit are dropped and counted');
  const started = Date.now();
  await log.close();
  assert.ok(Date.now() - started < 3_000, 'close does not wait on a full disk forever');
  assert.equal(log.lostOnClose, true);
});

test('the server keeps answering while decision log writes fail, and counts the failures', { skip: !hasDevFull && 'no /dev/full here' }, async () => {
  const { app, close } = await makeApp({ decision_log: { enabled: true, path: DEV_FULL, flush_ms: 0 } });
  try {
    for (let i = 0; i < 3; i++) {
      const r = await app.inject({ method: 'POST', url: '/v1/data/rbac/allow', payload: { input: { user: 'bob', action: 'read', resource: { type: 'document' } } } });
      assert.equal(r.statusCode, 200);
      assert.equal(json(r.body).result, true);
      await until(() => (app.pol.decisionLog?.writeErrors ?? 0) > i);
    }
    const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    assert.match(metrics, /pol_errors_total\{code="decision_log_write_failed"\} [1-9]/);
  } finally { await close(); }
});
