/** Requests refused before any route sees them still get the server's `{ code, message }` body. */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { once } from 'node:events';
import { resolveConfig, startServer, type RunningServer } from '../../server/index.js';
import { fixtureCopy, json } from './helpers.js';

let server: RunningServer;
let cleanup: () => void;
let port: number;
before(async () => {
  const copy = fixtureCopy();
  cleanup = copy.cleanup;
  server = await startServer(resolveConfig({ addr: '127.0.0.1:0', policies: { dir: copy.dir, watch: false }, log_level: 'silent' }), { logger: false });
  port = Number(new URL(server.url).port);
});
after(async () => { await server.close(); cleanup(); });

/** Sends raw bytes and reads until the server closes: the status line and the parsed JSON body. */
async function raw(text: string): Promise<{ status: number; body: { code: string; message: string }; head: string }> {
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  let reply = '';
  socket.on('data', (d: Buffer) => { reply += d.toString('utf8'); });
  socket.on('error', () => { /* the server closes after answering */ });
  socket.write(text);
  await once(socket, 'close');
  const [head, body] = reply.split('\r\n\r\n');
  return { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head ?? '')?.[1]), body: JSON.parse(body ?? '') as { code: string; message: string }, head: head ?? '' };
}

test('requests Node refuses (unknown method, bad Content-Length, oversized headers) get a JSON { code, message }', async () => {
  const method = await raw('FOO / HTTP/1.1\r\nHost: x\r\n\r\n');
  assert.equal(method.status, 400);
  assert.equal(method.body.code, 'invalid_parameter');
  assert.match(method.body.message, /malformed HTTP request/);
  assert.match(method.head, /content-type: application\/json/i);
  const length = await raw('POST /v1/data/rbac/allow HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n');
  assert.equal(length.status, 400);
  assert.equal(length.body.code, 'invalid_parameter');
  const big = await raw(`GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
  assert.equal(big.status, 431);
  assert.equal(big.body.code, 'request_header_fields_too_large');
});

test('an HTTP/1.1 request without Host is a 400 in the same format; HTTP/1.0 needs none', async () => {
  const r = await raw('GET /health HTTP/1.1\r\n\r\n');
  assert.equal(r.status, 400);
  assert.equal(r.body.code, 'invalid_parameter');
  assert.match(r.body.message, /Host header/);
  assert.match(r.head, /content-type: application\/json/i);
  const old = await raw('GET /health HTTP/1.0\r\n\r\n');
  assert.equal(old.status, 200);
  // Timeouts fastify would set on its own server are kept.
  assert.equal(server.app.server.requestTimeout, 30_000);
  assert.ok(server.app.server.keepAliveTimeout > 0);
});

test('a URL fastify cannot decode is a 400 in the same format', async () => {
  const r = await server.app.inject({ method: 'GET', url: '/v1/data/rbac%ZZallow' });
  assert.equal(r.statusCode, 400);
  const body = json(r.body);
  assert.deepEqual(Object.keys(body).sort(), ['code', 'message']);
  assert.equal(body.code, 'invalid_parameter');
});
