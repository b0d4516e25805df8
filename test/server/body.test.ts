/**
 * Request bodies over real sockets: bodies arriving in many chunks (multi-byte characters split
 * between them), gzip inflated as it arrives and bounded by the body limit, bad or truncated gzip,
 * and encodings on requests without a body.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { gzipSync } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import { makeApp } from './helpers.js';
import { PassThrough } from 'node:stream';
import { readBodyText } from '../../server/body-reader.js';
import { HttpError } from '../../server/errors.js';

let app: FastifyInstance;
let close: () => Promise<void>;
let port = 0;
before(async () => {
  ({ app, close } = await makeApp({ decision_log: { enabled: false }, limits: { body_bytes: 64 * 1024 } }));
  await app.listen({ host: '127.0.0.1', port: 0 });
  const a = app.server.address();
  port = typeof a === 'object' && a ? a.port : 0;
});
after(() => close());

interface Answer { status: number; body: string }

/** Opens a connection, lets `write` send on it, and reads the answer until the server closes it. */
function exchange(write: (socket: Socket) => void | Promise<void>): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const received: Buffer[] = [];
    socket.on('data', d => received.push(d));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(received).toString('utf8');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
      resolve({ status, body: text.slice(text.indexOf('\r\n\r\n') + 4) });
    });
    socket.on('connect', () => { void write(socket); });
  });
}

/** Sends a raw HTTP request in the given pieces (each its own write, a tick apart) and reads the answer. */
function send(head: string, pieces: Buffer[]): Promise<Answer> {
  return exchange(async socket => {
    socket.write(head);
    for (const p of pieces) {
      socket.write(p);
      await new Promise(r => setTimeout(r, 2));
    }
  });
}

function post(path: string, body: Buffer, headers: Record<string, string>, pieceSize = body.length): Promise<Answer> {
  const lines = [`POST ${path} HTTP/1.1`, 'host: localhost', 'connection: close', `content-length: ${body.length}`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
  const pieces: Buffer[] = [];
  for (let i = 0; i < body.length; i += pieceSize) pieces.push(body.subarray(i, i + pieceSize));
  return send(lines.join('\r\n') + '\r\n\r\n', pieces);
}

const JSON_TYPE = { 'content-type': 'application/json' };

test('a body in many small pieces, with multi-byte characters split between them, parses whole', async () => {
  // Three- and four-byte UTF-8 sequences, cut at every position by pieces of 1, 3 and 7 bytes.
  const input = { user: 'bob', action: 'read', resource: { type: 'document' }, note: '€uro 😀 ünïcode'.repeat(20) };
  const body = Buffer.from(JSON.stringify({ input }));
  for (const size of [1, 3, 7]) {
    const r = await post('/v1/data/rbac/allow', body, JSON_TYPE, size);
    assert.equal(r.status, 200, r.body);
    assert.deepEqual(JSON.parse(r.body), { result: true });
  }
  // Echoed back: the text must arrive intact, not just parse.
  const echo = await post('/v1/data/echo/value', Buffer.from(JSON.stringify({ input })), JSON_TYPE, 5);
  assert.equal(echo.status, 200, echo.body);
  assert.deepEqual(JSON.parse(echo.body).result, input);
});

test('gzip bodies are inflated as they arrive, in one piece or many', async () => {
  const body = gzipSync(Buffer.from(JSON.stringify({ input: { user: 'bob', action: 'read', resource: { type: 'document' } } })));
  for (const size of [body.length, 1, 4]) {
    const r = await post('/v1/data/rbac/allow', body, { ...JSON_TYPE, 'content-encoding': 'gzip' }, size);
    assert.equal(r.status, 200, r.body);
    assert.deepEqual(JSON.parse(r.body), { result: true });
  }
  const input = { note: 'ünïcode € 😀 '.repeat(200) };
  const echoed = await post('/v1/data/echo/value', gzipSync(Buffer.from(JSON.stringify({ input }))), { ...JSON_TYPE, 'content-encoding': 'gzip' }, 3);
  assert.deepEqual(JSON.parse(echoed.body).result, input);
  const upper = await post('/v1/data/rbac/allow', body, { ...JSON_TYPE, 'content-encoding': ' GZIP ' });
  assert.deepEqual(JSON.parse(upper.body), { result: true }, 'the encoding name is case- and space-insensitive');
});

test('a gzip body that inflates past the limit is a 413, and the server carries on', async () => {
  const bomb = gzipSync(Buffer.from(JSON.stringify({ input: 'x'.repeat(50_000_000) })));
  assert.ok(bomb.length < 64 * 1024, 'the compressed body itself is within the limit');
  const started = Date.now();
  const r = await post('/v1/data/rbac/allow', bomb, { ...JSON_TYPE, 'content-encoding': 'gzip' });
  assert.equal(r.status, 413, r.body);
  assert.equal(JSON.parse(r.body).code, 'request_too_large');
  assert.match(JSON.parse(r.body).message, /decompressed/);
  assert.ok(Date.now() - started < 5_000);
  const ok = await post('/v1/data/rbac/allow', Buffer.from(JSON.stringify({ input: { user: 'bob', action: 'read', resource: { type: 'document' } } })), JSON_TYPE);
  assert.deepEqual(JSON.parse(ok.body), { result: true });
});

test('a chunked body past the limit is a 413 however it is encoded, and the server carries on', async () => {
  const chunked = (body: Buffer, extra: string[]): Promise<Answer> => {
    const head = ['POST /v1/data/rbac/allow HTTP/1.1', 'host: localhost', 'connection: close', 'transfer-encoding: chunked', 'content-type: application/json', ...extra].join('\r\n') + '\r\n\r\n';
    const pieces: Buffer[] = [];
    for (let i = 0; i < body.length; i += 16 * 1024) {
      const part = body.subarray(i, i + 16 * 1024);
      pieces.push(Buffer.from(`${part.length.toString(16)}\r\n`), part, Buffer.from('\r\n'));
    }
    pieces.push(Buffer.from('0\r\n\r\n'));
    return send(head, pieces);
  };
  // No Content-Length to refuse up front: the bytes received are counted.
  const plain = await chunked(Buffer.from(JSON.stringify({ input: 'x'.repeat(100_000) })), []);
  assert.equal(plain.status, 413, plain.body);
  assert.equal(JSON.parse(plain.body).code, 'request_too_large');
  // Received bytes count too: stored (level 0) gzip past the limit around a text within it.
  const text = JSON.stringify({ input: 'x'.repeat(64 * 1024 - 20) });
  const stored = gzipSync(Buffer.from(text), { level: 0 });
  assert.ok(text.length <= 64 * 1024 && stored.length > 64 * 1024);
  const gz = await chunked(stored, ['content-encoding: gzip']);
  assert.equal(gz.status, 413, gz.body);
  assert.equal(JSON.parse(gz.body).message, 'request body is larger than the configured limit');
  const small = await chunked(Buffer.from(JSON.stringify({ input: { user: 'bob', action: 'read', resource: { type: 'document' } } })), []);
  assert.equal(small.status, 200, small.body);
  assert.deepEqual(JSON.parse(small.body), { result: true });
});

test('a declared Content-Length past the limit is refused before the body is read', { timeout: 10_000 }, async () => {
  const r = await send('POST /v1/data/rbac/allow HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\ncontent-length: 10000000\r\n\r\n', []);
  assert.equal(r.status, 413, r.body);
});

test('a body that ends short of its Content-Length is a 400 (read straight from a stream)', async () => {
  const payload = new PassThrough();
  const answer = new Promise<{ err: Error | null; text?: string }>(resolve => readBodyText({ 'content-length': '10' }, payload as never, 1000, (err, text) => resolve({ err, text })));
  payload.end('{"a":1}');
  const { err } = await answer;
  assert.ok(err instanceof HttpError && err.status === 400 && /Content-Length/.test(err.message), String(err));
  const zipped = new PassThrough();
  const short = new Promise<Error | null>(resolve => readBodyText({ 'content-length': '1000', 'content-encoding': 'gzip' }, zipped as never, 10_000, err => resolve(err)));
  zipped.end(gzipSync('{"a":1}'));
  assert.match(String(await short), /Content-Length/);
  const whole = new PassThrough();
  const ok = new Promise<string | undefined>(resolve => readBodyText({ 'content-length': '7' }, whole as never, 1000, (_e, text) => resolve(text)));
  whole.end('{"a":1}');
  assert.equal(await ok, '{"a":1}');
});

test('bad, truncated and empty gzip bodies are 400s with a JSON error', async () => {
  const good = gzipSync(Buffer.from(JSON.stringify({ input: {} })));
  for (const body of [Buffer.from('not gzip at all'), good.subarray(0, good.length - 6), Buffer.alloc(0)]) {
    const r = await post('/v1/data/rbac/allow', body, { ...JSON_TYPE, 'content-encoding': 'gzip' });
    assert.equal(r.status, 400, `${body.length} bytes: ${r.body}`);
    const e = JSON.parse(r.body);
    assert.equal(e.code, 'invalid_parameter');
    assert.match(e.message, /gzip/);
  }
});

test('other encodings are 415s; an encoding on a request without a body changes nothing', async () => {
  const br = await post('/v1/data/rbac/allow', Buffer.from('x'), { ...JSON_TYPE, 'content-encoding': 'br' });
  assert.equal(br.status, 415);
  assert.equal(JSON.parse(br.body).code, 'unsupported_media_type');
  const health = await send('GET /health HTTP/1.1\r\nhost: localhost\r\nconnection: close\r\ncontent-encoding: gzip\r\n\r\n', []);
  assert.equal(health.status, 200, health.body);
});

test('a Content-Length that disagrees with the gzip bytes sent is a 400', async () => {
  const body = gzipSync(Buffer.from(JSON.stringify({ input: {} })));
  const head = ['POST /v1/data/rbac/allow HTTP/1.1', 'host: localhost', 'connection: close', `content-length: ${body.length + 5}`, 'content-type: application/json', 'content-encoding: gzip'].join('\r\n') + '\r\n\r\n';
  // Sends fewer bytes than announced, then half-closes: the request can never be complete.
  const r = await exchange(socket => { socket.write(head); socket.end(body); });
  assert.notEqual(r.status, 200, 'an incomplete request is never answered as a decision');
});

test('a client that half-closes after a gzip body still gets its answer', async () => {
  // Inflating takes a trip through the thread pool: by then Node would have ended a half-closed
  // socket, unanswered, unless the server allows half-open connections.
  const body = gzipSync(JSON.stringify({ path: 'rbac/allow', input: { user: 'bob', action: 'read', resource: { type: 'document' } } }));
  const head = ['POST /v1/decide HTTP/1.1', 'host: localhost', `content-length: ${body.length}`, 'content-encoding: gzip', 'content-type: application/json'].join('\r\n') + '\r\n\r\n';
  const r = await exchange(socket => { socket.write(head); socket.end(body); });
  assert.equal(r.status, 200);
  assert.equal(JSON.parse(r.body).result, true);
  // An idle connection the client half-closes is closed by the server (nothing waits on it).
  const idle = await exchange(socket => { socket.end(); });
  assert.equal(idle.status, 0);
});
