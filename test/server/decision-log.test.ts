import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, DecisionLog, DecisionLogOpenError, resolveConfig, type DecisionRecord } from '../../server/index.js';
import { makeApp, json } from './helpers.js';
import { parseJson } from '../../engine/json.js';

/** Waits (bounded) until `cond` holds: drains happen after the current I/O phase, later under load. */
async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !cond(); i++) await sleep(10);
}

/** Ends the log's writer thread as a crash would. */
async function terminateWriterThread(log: DecisionLog): Promise<void> {
  await (log as unknown as { thread: { terminate(): Promise<number> } }).thread.terminate();
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
  assert.ok((log as unknown as { quotes: { quotes: Map<string, string> } }).quotes.quotes.size <= 256);
  await log.close();
});

test('through the writer thread, each line has its own API, path and revision, in runs that share them or not', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pol-log-'));
  try {
    const file = join(dir, 'decisions.log');
    const log = new DecisionLog({ destination: file, mask: [], buffer: 10_000 });
    // Runs of equal strings (sent once per run), changes inside a run, a revision that comes and
    // goes, strings that must travel quoted, and enough records for several messages.
    const expected = Array.from({ length: 3000 }, (_, i) => ({
      api: i % 500 < 250 ? 'decide' : i % 97 === 0 ? 'da\u0000ta' : 'data',
      path: i % 10 < 7 ? 'bench/allow' : `p/${i % 3}`,
      revision: i % 13 === 0 ? undefined : i % 200 < 100 ? 'rev-1' : `rev"${i % 2}`,
    }));
    expected.forEach((e, i) => assert.equal(log.record({ decision_id: String(i), ...e, input: { i }, result: true, latency_ns: i, cached: false }), true));
    await log.close();
    const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean).map(l => JSON.parse(l) as Record<string, unknown>);
    assert.equal(lines.length, expected.length);
    lines.forEach((line, i) => {
      assert.equal(line.decision_id, String(i));
      assert.equal(line.api, expected[i]!.api, `api of line ${i}`);
      assert.equal(line.path, expected[i]!.path, `path of line ${i}`);
      assert.equal(line.revision, expected[i]!.revision, `revision of line ${i}`);
      assert.equal('revision' in line, expected[i]!.revision !== undefined);
    });
  } finally { rmSync(dir, { recursive: true, force: true }); }
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

test('through the server, bodies too large for the ring and small ones are logged once each, in order, whole', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pol-log-'));
  try {
    const file = join(dir, 'decisions.log');
    // A long flush interval keeps the small records in the ring while a big one, a message's
    // worth on its own, is sent at once: the writer thread must take the ring's records first.
    const { app, close } = await makeApp({ decision_log: { enabled: true, path: file, flush_ms: 1_000 }, limits: { body_bytes: 4 * 1024 * 1024 } });
    const big = (i: number) => i % 10 === 3;
    try {
      for (let i = 0; i < 40; i++) {
        const input = { user: 'bob', n: i, pad: big(i) ? 'é'.repeat(1_100_000) : 'x' };
        const res = await app.inject({ method: 'POST', url: '/v1/decide', payload: { path: 'rbac/allow', input } });
        assert.equal(res.statusCode, 200);
      }
    } finally { await close(); }
    const lines = stableLines(file);
    assert.deepEqual(lines.map(l => (l.input as { n: number }).n), Array.from({ length: 40 }, (_, i) => i));
    assert.deepEqual(lines.map(l => (l.input as { pad: string }).pad.length), Array.from({ length: 40 }, (_, i) => big(i) ? 1_100_000 : 1));
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

/** The lines of a log file, without the fields that differ between two runs. */
function stableLines(file: string): Record<string, unknown>[] {
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map(l => {
    const o = JSON.parse(l) as Record<string, unknown>;
    delete o.time; delete o.decision_id; delete o.latency_ns;
    return o;
  });
}

test('the writer thread writes the same lines as the request thread would, whatever the records hold', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pol-log-'));
  try {
    const mask = ['/input/secret', '/input/nested/token', '/result/token'];
    const records: DecisionRecord[] = [
      { decision_id: 'a\u0000b', api: 'decide', path: 'p/\u0000q"', input: { n: 12345678901234567890n, s: 'x"<y>\n\u2028', secret: 's', nested: { token: 't', keep: [1, 2.5, null] } }, result: { allow: true, token: 't0k' }, revision: 'r\u00001', latency_ns: 42, cached: true },
      { decision_id: 'b', api: 'data', path: 'p', input: undefined, result: undefined, revision: undefined, latency_ns: 7, cached: false, error: 'eval_conflict_error: boom \u0000' },
      { decision_id: 'c', api: 'data', path: 'p', input: JSON.parse('{"__proto__":{"x":1},"constructor":2}') as Record<string, number>, result: [1, 'two'], revision: 'r', latency_ns: 1, cached: false },
      // The request's own JSON text: pretty-printed, a repeated key (the last one counts, as when it was decided), an exact integer.
      { decision_id: 'd', api: 'decide', path: 'p', input: { user: 'bob', n: 123456789012345678901234567890n, secret: 'x' }, input_text: '{\n  "path": "p",\n  "input": {"user": "alice", "user": "bob", "n": 123456789012345678901234567890, "secret": "x"}\n}', input_member: true, result: true, result_json: 'true', revision: 'r', latency_ns: 1, cached: false },
      { decision_id: 'e', api: 'data_v0', path: 'p', input: [1, { a: 'b' }], input_text: ' [1, {"a": "b"}] ', input_member: false, result: false, revision: 'r', latency_ns: 1, cached: true },
    ];
    const files = {
      thread: join(dir, 'thread.log'), inline: join(dir, 'inline.log'), threadNoMask: join(dir, 'thread-nomask.log'), inlineNoMask: join(dir, 'inline-nomask.log'),
      threadWhole: join(dir, 'thread-whole.log'), inlineWhole: join(dir, 'inline-whole.log'),
    };
    const logs = {
      thread: new DecisionLog({ destination: files.thread, mask, buffer: 100 }),
      inline: new DecisionLog({ destination: files.inline, mask, buffer: 100, writer: 'inline' }),
      threadNoMask: new DecisionLog({ destination: files.threadNoMask, mask: [], buffer: 100 }),
      inlineNoMask: new DecisionLog({ destination: files.inlineNoMask, mask: [], buffer: 100, writer: 'inline' }),
      // The whole input masked: no input at all, and the mask named.
      threadWhole: new DecisionLog({ destination: files.threadWhole, mask: ['/input', '/result/token'], buffer: 100 }),
      inlineWhole: new DecisionLog({ destination: files.inlineWhole, mask: ['/input', '/result/token'], buffer: 100, writer: 'inline' }),
    };
    for (const log of Object.values(logs)) for (const r of records) assert.equal(log.record(r), true);
    for (const log of Object.values(logs)) await log.close();
    const thread = stableLines(files.thread);
    assert.equal(thread.length, records.length);
    assert.deepEqual(thread, stableLines(files.inline));
    assert.deepEqual(stableLines(files.threadNoMask), stableLines(files.inlineNoMask));
    const whole = stableLines(files.threadWhole);
    assert.deepEqual(whole, stableLines(files.inlineWhole));
    assert.equal(whole.some(l => 'input' in l), false);
    assert.deepEqual(whole[0]!.erased, ['/input', '/result/token']);
    // Spot checks on what the thread wrote.
    const raw = readFileSync(files.thread, 'utf8').split('\n');
    assert.equal((JSON.parse(raw[0]!) as { decision_id: string }).decision_id, 'a\u0000b');
    assert.equal(thread[0]!.path, 'p/\u0000q"');
    assert.deepEqual(thread[0]!.erased, ['/input/secret', '/input/nested/token', '/result/token']);
    assert.match(raw[0]!, /"n":12345678901234567890[,}]/);
    assert.equal(thread[1]!.error, 'eval_conflict_error: boom \u0000');
    assert.deepEqual(thread[3]!.input, { user: 'bob', n: 1.2345678901234568e+29 });
    assert.match(raw[3]!, /"input":\{"user":"bob","n":123456789012345678901234567890\}/);
    assert.deepEqual(thread[4]!.input, [1, { a: 'b' }]);
    assert.equal(logs.thread.written, records.length);
    assert.equal(logs.thread.dropped, 0);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('the writer thread\'s lines are byte for byte the request thread\'s, copied inputs or not', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pol-log-'));
  try {
    const mask = ['/input/request/headers/authorization', '/input/password'];
    const base = { api: 'decide', path: 'rbac/allow', result: true, result_json: 'true', revision: 'rev-1', latency_ns: 1234, cached: true };
    const texts: [string, boolean][] = [
      ['{"path":"rbac/allow","input":{"user":"bob","action":"read","resource":{"type":"document","id":"42"}}}', true],
      ['{"input":{"request":{"headers":{"accept":"json","x":"ünï € \u2028"}},"n":-1.5,"ok":[true,null,{}]}}', true],
      ['{"user":"alice","list":[1,2,3]}', false],
      // Not copyable (masked key, repeated key, space, long integer, astral character): made the slow way, same bytes.
      ['{"input":{"password":"hunter2","user":"bob"}}', true],
      ['{"input":{"request":{"headers":{"Authorization":"Bearer x"}}}}', true],
      ['{"input":{"a":1,"a":2}}', true],
      ['{"input":{"a": 1}}', true],
      ['{"input":{"n":123456789012345678901234567890}}', true],
      ['{"input":{"s":"😀"}}', true],
    ];
    const records: DecisionRecord[] = [];
    texts.forEach(([text, member], i) => {
      // As the server parses bodies (exact integers), so both writers see the input that was decided.
      const parsed = parseJson(text) as Record<string, unknown>;
      records.push({ ...base, decision_id: `id-${i}`, input: (member ? parsed.input : parsed) as DecisionRecord['input'], input_text: text, input_member: member });
    });
    // The other fields' variants: no revision, not cached, no result, a result object, quoting needed, an error, a lone surrogate.
    const plain = records[0]!;
    records.push({ ...plain, decision_id: 'no-rev', revision: undefined, cached: false });
    records.push({ ...plain, decision_id: 'no-result', result: undefined, result_json: undefined });
    records.push({ ...plain, decision_id: 'object', result: { allow: true, headers: { 'x-user': 'bob' } }, result_json: '{"allow":true,"headers":{"x-user":"bob"}}' });
    records.push({ ...plain, decision_id: 'quote"d', path: 'a\\b' });
    records.push({ ...plain, decision_id: 'error', error: 'eval_conflict_error: two values' });
    records.push({ ...plain, decision_id: 'lone', path: 'p\udc00' });
    records.push({ ...plain, decision_id: 'lone-input', input: { s: 'x\ud800' }, input_text: '{"input":{"s":"x\ud800"}}' });
    // Inputs without request text (proxy requests): serialised with their masks on the request thread, copied by the writer thread.
    records.push({ ...plain, decision_id: 'value', input: { password: 'p', request: { headers: { Authorization: 'Bearer x', accept: 'json' } }, user: 'bob' }, input_text: undefined, input_member: undefined });
    records.push({ ...plain, decision_id: 'value-plain', input: { request: { headers: { accept: 'json' } }, n: 12345678901234567890n }, input_text: undefined, input_member: undefined });
    records.push({ ...plain, decision_id: 'value-string', input: 'text', input_text: undefined, input_member: undefined });
    const files = { thread: join(dir, 'thread.log'), inline: join(dir, 'inline.log') };
    const thread = new DecisionLog({ destination: files.thread, mask, buffer: 100 });
    const inline = new DecisionLog({ destination: files.inline, mask, buffer: 100, writer: 'inline' });
    for (const r of records) { assert.equal(thread.record(r), true); assert.equal(inline.record(r), true); }
    await thread.close();
    await inline.close();
    const raw = (file: string) => readFileSync(file, 'utf8').replace(/"time":"[^"]*"/g, '"time":"T"').split('\n');
    const fromThread = raw(files.thread), fromInline = raw(files.inline);
    assert.equal(fromThread.length, records.length + 1);
    for (let i = 0; i < fromThread.length; i++) assert.equal(fromThread[i], fromInline[i], `line ${i}`);
    assert.match(fromThread[0]!, /^\{"level":30,"time":"T","decision_id":"id-0","api":"decide","path":"rbac\/allow","input":\{"user":"bob","action":"read","resource":\{"type":"document","id":"42"\}\},"result":true,"revision":"rev-1","latency_ns":1234,"cached":true,"msg":"decision"\}$/);
    const byId = new Map(fromThread.filter(Boolean).map(l => [(JSON.parse(l) as { decision_id: string }).decision_id, l]));
    assert.equal((JSON.parse(byId.get('lone')!) as { path: string }).path, 'p\udc00');
    assert.equal((JSON.parse(byId.get('lone-input')!) as { input: { s: string } }).input.s, 'x\ud800');
    assert.match(byId.get('value')!, /"input":\{"request":\{"headers":\{"accept":"json"\}\},"user":"bob"\},.*"erased":\["\/input\/request\/headers\/authorization","\/input\/password"\]/);
    assert.match(byId.get('value-plain')!, /"input":\{"request":\{"headers":\{"accept":"json"\}\},"n":12345678901234567890\},/);
    assert.doesNotMatch(byId.get('value-plain')!, /erased/);
    assert.match(byId.get('value-string')!, /"input":"text",/);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('an input text that does not parse leaves the input out of the line and says so', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pol-log-'));
  try {
    const file = join(dir, 'decisions.log');
    const log = new DecisionLog({ destination: file, mask: [], buffer: 10 });
    log.record({ decision_id: 'a', api: 'decide', path: 'p', input: { a: 1 }, input_text: '{"input": [1,', input_member: true, result: true, revision: 'r', latency_ns: 1, cached: false });
    await log.close();
    const [line] = stableLines(file);
    assert.equal('input' in line!, false);
    assert.match(String(line!.error), /^input not logged: /);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('the writer thread\'s buffer is bounded too: records beyond it are dropped and counted', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pol-log-'));
  try {
    const file = join(dir, 'decisions.log');
    const log = new DecisionLog({ destination: file, mask: [], buffer: 3 });
    const rec = (i: number) => ({ decision_id: String(i), api: 't', path: 'p', input: { i }, result: true, revision: 'r', latency_ns: 1, cached: false });
    assert.deepEqual([0, 1, 2, 3, 4].map(i => log.record(rec(i))), [true, true, true, false, false]);
    assert.equal(log.dropped, 2);
    await until(() => log.written === 3);
    assert.equal(log.record(rec(5)), true, 'room again once the thread has written');
    await log.close();
    assert.deepEqual(stableLines(file).map(l => (l.input as { i: number }).i), [0, 1, 2, 5]);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('large records on their way to the writer thread are bounded by size, not only by count', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pol-log-'));
  try {
    const file = join(dir, 'decisions.log');
    const log = new DecisionLog({ destination: file, mask: [], buffer: 1000, maxPendingChars: 1000 });
    const rec = (i: number) => ({ decision_id: String(i), api: 't', path: 'p', input: { i, pad: 'x'.repeat(600) }, result: true, revision: 'r', latency_ns: 1, cached: false });
    // The first is taken whatever its size; the second would pass the bound.
    assert.deepEqual([0, 1, 2].map(i => log.record(rec(i))), [true, false, false]);
    await until(() => log.written === 1);
    assert.equal(log.record(rec(3)), true, 'room again once the thread has taken it');
    await log.close();
    assert.deepEqual(stableLines(file).map(l => (l.input as { i: number }).i), [0, 3]);
    assert.equal(log.dropped, 2);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('when the writer thread fails, the failure is reported and the lines are written from the request thread', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pol-log-'));
  try {
    const file = join(dir, 'decisions.log');
    const errors: string[] = [];
    const log = new DecisionLog({ destination: file, mask: [], buffer: 100, onWriteError: e => errors.push(e.message) });
    // Odd records come with their request's JSON text (compact in the ring), even ones without (text).
    const rec = (i: number) => ({ decision_id: String(i), api: 't', path: 'p', input: { i }, result: true, revision: 'r', latency_ns: 1, cached: false,
      ...(i % 2 ? { input_text: JSON.stringify({ input: { i } }), input_member: true } : {}) });
    log.record(rec(0));
    await until(() => existsSync(file) && readFileSync(file, 'utf8').length > 0);
    // A record made just before the thread dies (not yet sent to it) is written all the same.
    log.record(rec(1));
    await terminateWriterThread(log);
    await until(() => errors.length > 0);
    assert.match(errors[0]!, /writer thread failed/);
    log.record(rec(2));
    await log.close();
    const written = stableLines(file).map(l => (l.input as { i: number }).i);
    assert.deepEqual(written.filter(i => i !== 1), [0, 2]);
    // Record 1 reached the thread as it died: written, or counted as dropped, or both when the
    // thread wrote it without a report reaching this side (a loss is never left uncounted).
    assert.ok(written.length + log.dropped >= 3, `${written.length} written, ${log.dropped} dropped`);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('records held back for a long flush interval wait for it, unless there are many of them', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pol-log-'));
  try {
    const file = join(dir, 'decisions.log');
    const log = new DecisionLog({ destination: file, mask: [], buffer: 100_000, flushMs: 10_000 });
    const rec = (i: number) => ({ decision_id: String(i), api: 't', path: 'p', input: { i, pad: 'x'.repeat(1000) }, result: true, revision: 'r', latency_ns: 1, cached: false });
    // A few records: the writer thread is not woken for them.
    for (let i = 0; i < 5; i++) assert.equal(log.record(rec(i)), true);
    await sleep(300);
    assert.equal(log.written, 0, 'a few records wait for the flush interval');
    // About 1.1 Mi characters: past half the ring and past what one message holds, so the
    // writer thread takes them now.
    for (let i = 5; i < 1100; i++) assert.equal(log.record(rec(i)), true);
    await until(() => log.written > 0);
    assert.ok(log.written > 0, 'many records are taken without waiting for the flush interval');
    await log.close();
    assert.deepEqual(stableLines(file).map(l => (l.input as { i: number }).i), Array.from({ length: 1100 }, (_, i) => i));
    assert.equal(log.dropped, 0);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('a writer thread idle for a while is woken by the next record', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pol-log-'));
  try {
    const file = join(dir, 'decisions.log');
    const log = new DecisionLog({ destination: file, mask: [], buffer: 100, flushMs: 5 });
    // Odd records come with their request's JSON text (compact in the ring), even ones without (text).
    const rec = (i: number) => ({ decision_id: String(i), api: 't', path: 'p', input: { i }, result: true, revision: 'r', latency_ns: 1, cached: false,
      ...(i % 2 ? { input_text: JSON.stringify({ input: { i } }), input_member: true } : {}) });
    log.record(rec(0));
    await until(() => log.written === 1);
    // Well past the idle threshold: the thread now waits for a record, not a timer.
    await sleep(400);
    log.record(rec(1));
    await until(() => log.written === 2);
    assert.equal(log.written, 2);
    await log.close();
    assert.deepEqual(stableLines(file).map(l => (l.input as { i: number }).i), [0, 1]);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('through a small ring that wraps and overflows, with records it cannot carry, every line comes out once and in order', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pol-log-'));
  try {
    const file = join(dir, 'decisions.log');
    // The ring is at most `maxPendingChars` bytes: a few records' worth here.
    const log = new DecisionLog({ destination: file, mask: [], buffer: 100_000, flushMs: 1, maxPendingChars: 4_096 });
    const rec = (i: number) => ({
      decision_id: String(i), api: i % 3 ? 'decide' : 'data', path: i % 7 ? 'p' : 'p\ud800', input: { i, pad: 'é'.repeat(i % 97) }, result: true, revision: 'r', latency_ns: i, cached: false,
    });
    let next = 0;
    for (let round = 0; round < 150; round++) {
      // Bursts beyond the ring's room go as messages; a lone surrogate always does.
      const burst = 1 + (round % 12);
      for (let k = 0; k < burst; k++, next++) assert.equal(log.record(rec(next)), true, `record ${next}`);
      await until(() => log.written === next);
    }
    await log.close();
    const lines = stableLines(file);
    assert.deepEqual(lines.map(l => (l.input as { i: number }).i), Array.from({ length: next }, (_, i) => i));
    assert.deepEqual(lines.map(l => l.path), Array.from({ length: next }, (_, i) => i % 7 ? 'p' : 'p\ud800'));
    assert.deepEqual(lines.map(l => l.api), Array.from({ length: next }, (_, i) => i % 3 ? 'decide' : 'data'));
    assert.equal(log.dropped, 0);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('a decision log left open does not keep the process alive', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pol-log-'));
  try {
    const index = new URL('../../server/index.js', import.meta.url).href;
    const script = `import { DecisionLog } from ${JSON.stringify(index)};
      const log = new DecisionLog({ destination: ${JSON.stringify(join(dir, 'decisions.log'))}, mask: [], buffer: 10 });
      log.record({ decision_id: '1', api: 't', path: 'p', input: {}, result: true, latency_ns: 1, cached: false });`;
    // Run from a file: run with `-e`, the process ended even while the thread held it.
    const file = join(dir, 'left-open.mjs');
    writeFileSync(file, script);
    const run = spawnSync(process.execPath, [file], { timeout: 20_000, encoding: 'utf8' });
    assert.equal(run.error, undefined, 'the process ended on its own');
    assert.equal(run.status, 0, run.stderr);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('when the writer thread fails with many records not yet sent, they are all written from the request thread, in order', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pol-log-'));
  try {
    const file = join(dir, 'decisions.log');
    const errors: string[] = [];
    const log = new DecisionLog({ destination: file, mask: [], buffer: 100_000, flushMs: 10_000, onWriteError: e => errors.push(e.message) });
    const COUNT = 250;
    // Every third record comes with its request's JSON text (compact in the ring).
    const rec = (i: number) => ({ decision_id: String(i), api: i % 2 ? 'a' : 'b', path: 'p', input: { i, pad: 'y'.repeat(40) }, result: true, revision: 'r', latency_ns: 1, cached: false,
      ...(i % 3 === 0 ? { input_text: JSON.stringify({ path: 'p', input: { i, pad: 'y'.repeat(40) } }), input_member: true } : {}) });
    // About 24 KiB, held back by the flush interval: less than would wake the writer thread
    // before it (`WAKE_BYTES`).
    for (let i = 0; i < COUNT; i++) log.record(rec(i));
    assert.equal(log.written, 0);
    await terminateWriterThread(log);
    await until(() => errors.length > 0);
    assert.match(errors[0]!, /writer thread failed/);
    await log.close();
    const lines = stableLines(file);
    assert.deepEqual(lines.map(l => (l.input as { i: number }).i), Array.from({ length: COUNT }, (_, i) => i));
    assert.deepEqual(lines.map(l => l.api), Array.from({ length: COUNT }, (_, i) => i % 2 ? 'a' : 'b'));
    assert.equal(log.dropped, 0);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('through the APIs, lines made from the request\'s own JSON text match lines made from the decided values', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pol-log-'));
  const inline = collector();
  const file = join(dir, 'decisions.log');
  const config = { decision_log: { enabled: true, path: file, mask: ['/input/password'] } };
  const thread = await makeApp(config);
  const viaStream = await makeApp(config, { decisionLogStream: inline.stream });
  try {
    const input = '{"user": "bob", "user": "alice",\n "action": "read", "resource": {"type": "document"}, "password": "hunter2", "n": 98765432109876543210, "__proto__": {"admin": true}}';
    const requests = [
      { method: 'POST' as const, url: '/v1/decide', payload: `{"path": "rbac/allow",\n"input": ${input}}` },
      { method: 'POST' as const, url: '/v1/data/rbac/allow', payload: `{"input": ${input}}` },
      { method: 'GET' as const, url: `/v1/data/rbac/allow?input=${encodeURIComponent(input)}` },
      { method: 'POST' as const, url: '/v0/data/rbac/allow', payload: input },
      { method: 'POST' as const, url: '/v1/data/rbac/allow', payload: '{}' },
      { method: 'GET' as const, url: '/v1/forward-auth', headers: { 'x-original-method': 'GET', 'x-original-uri': '/docs', authorization: 'Bearer bob-token' } },
    ];
    for (const app of [thread.app, viaStream.app]) {
      for (const r of requests) {
        const res = await app.inject({ ...r, headers: { 'content-type': 'application/json', ...r.headers } });
        assert.equal(res.statusCode, 200, `${r.method} ${r.url}: ${res.body}`);
      }
    }
    await thread.close();
    await until(() => inline.lines().length >= requests.length);
    const got = stableLines(file);
    const want = inline.lines().map(o => { delete o.time; delete o.decision_id; delete o.latency_ns; return o; });
    assert.equal(got.length, requests.length);
    assert.deepEqual(got, want);
    const first = got[0] as { input: Record<string, unknown>; erased: string[] };
    assert.equal(first.input.user, 'alice', 'the last of repeated keys, as decided');
    assert.deepEqual(first.erased, ['/input/password']);
    assert.match(readFileSync(file, 'utf8'), /"n":98765432109876543210[,}]/);
  } finally {
    await viaStream.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('masks under a `headers` object match header names in any case, on the value path and the text copy', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pol-log-'));
  try {
    const mask = ['/input/request/headers/authorization', '/input/request/headers/X-Api-Key', '/input/Other/Secret'];
    const text = '{"input":{"request":{"headers":{"Authorization":"Bearer SECRET1","x-api-key":"SECRET2","Accept":"json"}},"Other":{"secret":"kept","Secret":"gone"}}}';
    const input = (JSON.parse(text) as { input: DecisionRecord['input'] }).input;
    const record = (withText: boolean) => ({ decision_id: 'd', api: 'data', path: 'p', input, ...(withText ? { input_text: text, input_member: true } : {}), result: true, revision: 'r', latency_ns: 1, cached: false });
    const files = { thread: join(dir, 'thread.log'), inline: join(dir, 'inline.log') };
    const thread = new DecisionLog({ destination: files.thread, mask, buffer: 10 });
    const inline = new DecisionLog({ destination: files.inline, mask, buffer: 10, writer: 'inline' });
    for (const log of [thread, inline]) { log.record(record(true)); log.record(record(false)); await log.close(); }
    for (const file of Object.values(files)) {
      const lines = readFileSync(file, 'utf8').trim().split('\n');
      assert.equal(lines.length, 2);
      for (const line of lines) {
        assert.doesNotMatch(line, /SECRET|gone/, line);
        const parsed = JSON.parse(line) as { input: { request: { headers: Record<string, string> }; Other: Record<string, string> }; erased: string[] };
        assert.deepEqual(parsed.input.request.headers, { Accept: 'json' });
        // Only header names are case-insensitive: elsewhere a pointer names one key exactly.
        assert.deepEqual(parsed.input.Other, { secret: 'kept' });
        assert.deepEqual(parsed.erased, mask);
      }
    }
  } finally { rmSync(dir, { recursive: true, force: true }); }
});
