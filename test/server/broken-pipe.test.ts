/**
 * `pol serve` whose stdout reader has gone away (a log collector that died, `| head`): the server
 * keeps answering, counts the decision log's failed writes, and still shuts down promptly.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '../integration/harness.js';
import { fixtureCopy } from './helpers.js';

const POL = fileURLToPath(new URL('../../cli/pol.js', import.meta.url));

async function get(url: string, init?: RequestInit): Promise<{ status: number; body: string } | undefined> {
  try {
    const r = await fetch(url, { ...init, signal: AbortSignal.timeout(2_000) });
    return { status: r.status, body: await r.text() };
  } catch { return undefined; }
}

test('a broken stdout pipe neither stops nor hangs the server', { timeout: 30_000 }, async () => {
  const { dir, cleanup } = fixtureCopy();
  const port = await freePort();
  const child = spawn(process.execPath, [POL, 'serve', '--policies', dir, '--addr', `127.0.0.1:${port}`, '--decision-log', '--no-watch'], { stdio: ['ignore', 'pipe', 'ignore'] });
  // The reader goes away before the server writes anything: every write to stdout fails with EPIPE.
  child.stdout!.destroy();
  const exited = once(child, 'exit');
  try {
    const base = `http://127.0.0.1:${port}`;
    let health;
    for (let i = 0; i < 100 && !(health = await get(`${base}/health`)); i++) await sleep(100);
    assert.equal(health?.status, 200, 'the server answers with its stdout broken');
    const decided = await get(`${base}/v1/data/rbac/allow`, { method: 'POST', body: JSON.stringify({ input: { user: 'bob', action: 'read', resource: { type: 'document' } } }) });
    assert.equal(decided?.status, 200);
    assert.equal(JSON.parse(decided!.body).result, true);
    let metrics = '';
    for (let i = 0; i < 50 && !/decision_log_write_failed"\} [1-9]/.test(metrics); i++) { await sleep(50); metrics = (await get(`${base}/metrics`))?.body ?? ''; }
    assert.match(metrics, /pol_errors_total\{code="decision_log_write_failed"\} [1-9]/, 'the lost decision log lines are counted');
    const started = Date.now();
    child.kill('SIGTERM');
    const [code] = await Promise.race([exited, sleep(10_000).then(() => ['timeout'])]);
    assert.equal(code, 0);
    assert.ok(Date.now() - started < 4_000, `shutdown took ${Date.now() - started} ms`);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    cleanup();
  }
});
