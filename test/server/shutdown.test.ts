/** Shutdown finishes what is in progress but never waits on a slow or stalled client for long. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateKeyPair, exportSPKI } from 'jose';
import { buildApp, resolveConfig, startServer } from '../../server/index.js';
import { fixtureCopy } from './helpers.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

async function start(graceMs?: number) {
  const { dir, cleanup } = fixtureCopy();
  const server = await startServer(resolveConfig({ addr: '127.0.0.1:0', policies: { dir, watch: false }, log_level: 'silent' }), { logger: false, ...(graceMs !== undefined ? { shutdownGraceMs: graceMs } : {}) });
  return { server, port: Number(new URL(server.url).port), cleanup };
}

function collect(socket: Socket): () => string {
  let text = '';
  socket.on('data', (d: Buffer) => { text += d.toString('utf8'); });
  socket.on('error', () => { /* a cut connection is what some tests expect */ });
  return () => text;
}

const BODY = JSON.stringify({ input: { user: 'bob', action: 'read', resource: { type: 'document' } } });

test('a request still uploading at shutdown is answered, and its keep-alive connection closed right after', { timeout: 20_000 }, async () => {
  const { server, port, cleanup } = await start();
  try {
    const socket = connect(port, '127.0.0.1');
    await once(socket, 'connect');
    const received = collect(socket);
    const socketClosed = once(socket, 'close');
    socket.write(`POST /v1/data/rbac/allow HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\nContent-Type: application/json\r\nContent-Length: ${BODY.length}\r\n\r\n${BODY.slice(0, 10)}`);
    await sleep(50);
    const started = Date.now();
    const closing = server.close();
    await sleep(200);
    socket.write(BODY.slice(10));
    await closing;
    // The answer, then the server's close, reach the client after `close` resolves.
    await socketClosed;
    assert.ok(Date.now() - started < 3_000, `shutdown took ${Date.now() - started} ms`);
    assert.match(received(), /^HTTP\/1\.1 200/);
    assert.match(received(), /"result":true/);
  } finally { cleanup(); }
});

test('a stalled upload is cut after the grace period instead of holding shutdown', { timeout: 20_000 }, async () => {
  const { server, port, cleanup } = await start(300);
  try {
    const socket = connect(port, '127.0.0.1');
    await once(socket, 'connect');
    collect(socket);
    socket.write(`POST /v1/data/rbac/allow HTTP/1.1\r\nHost: x\r\nContent-Length: ${BODY.length}\r\n\r\n${BODY.slice(0, 10)}`);
    await sleep(50);
    const started = Date.now();
    const closed = once(socket, 'close');
    await server.close();
    await closed;
    assert.ok(Date.now() - started < 3_000, `shutdown took ${Date.now() - started} ms`);
  } finally { cleanup(); }
});

test('closing stops a bundle fetch in progress instead of waiting for its timeout', { timeout: 20_000 }, async () => {
  let requestClosed: Promise<unknown> | undefined;
  // A bundle server that takes the request and never answers.
  const hanging = createServer((req) => { requestClosed = once(req.socket, 'close'); });
  hanging.listen(0, '127.0.0.1');
  await once(hanging, 'listening');
  try {
    const { publicKey } = await generateKeyPair('ES256', { extractable: true });
    const url = `http://127.0.0.1:${(hanging.address() as AddressInfo).port}/bundle.tar.gz`;
    const app = buildApp(resolveConfig({ bundle: { url, public_key: await exportSPKI(publicKey), algorithm: 'ES256', poll_seconds: 3600 } }), { logger: false });
    for (let i = 0; i < 100 && !requestClosed; i++) await sleep(10);
    assert.ok(requestClosed, 'the fetch started');
    const started = Date.now();
    await app.close();
    await requestClosed;
    assert.ok(Date.now() - started < 3_000, `the fetch was dropped after ${Date.now() - started} ms`);
    assert.equal(await app.pol.initialLoad, false);
  } finally {
    hanging.closeAllConnections();
    hanging.close();
  }
});

test('a decision in progress on an evaluation worker at shutdown is answered before the workers stop', { timeout: 30_000 }, async () => {
  const { dir, cleanup } = fixtureCopy();
  writeFileSync(join(dir, 'slowdown.pol'), 'package slowdown\n\nimport rego.v1\n\nheavy if count([x | some x in numbers.range(1, input.n); x % 7 == 0]) > 0\n');
  const server = await startServer(resolveConfig({
    addr: '127.0.0.1:0', policies: { dir, watch: false }, log_level: 'silent', limits: { eval_workers: 1, offload_paths: ['slowdown/heavy'] },
  }), { logger: false });
  try {
    const ask = (n: number) => fetch(`${server.url}/v1/decide`, { method: 'POST', body: JSON.stringify({ path: 'slowdown/heavy', input: { n }, cache: false }) })
      .then(async r => ({ status: r.status, body: await r.text() }));
    const offloaded = async () => Number((await server.app.inject({ url: '/metrics' })).body.match(/^pol_offloaded_decisions_total (\d+)$/m)?.[1] ?? 0);
    for (let i = 0; i < 400 && await offloaded() === 0; i++) { await ask(10); await sleep(20); }
    assert.ok(await offloaded() > 0, 'no decision was made on the worker');
    const before = await offloaded();
    const inProgress = ask(3_000_000);
    for (let i = 0; i < 500 && await offloaded() === before; i++) await sleep(2);
    assert.equal(await offloaded(), before + 1, 'the decision is on the worker when shutdown starts');
    const started = Date.now();
    const closing = server.close();
    const answer = await inProgress;
    await closing;
    assert.equal(answer.status, 200);
    assert.match(answer.body, /"result":true/);
    assert.ok(Date.now() - started < 10_000, `shutdown took ${Date.now() - started} ms`);
  } finally { cleanup(); }
});
