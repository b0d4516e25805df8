// How a bundle is fetched: redirects and credentials, start-up while the bundle server stalls,
// errors cleared by a 304, content encodings, servers without ETags, and the messages given.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import { gunzipSync, gzipSync } from 'node:zlib';
import { generateKeyPair, exportPKCS8, exportSPKI } from 'jose';
import { buildApp, resolveConfig, signBundle, startServer, writeTarGz, PolicyStore, BundlePoller } from '../../server/index.js';
import { readTar, readTarInBackground } from '../../server/policy-store/tar.js';
import { json } from './helpers.js';

const RBAC = 'package rbac\nimport rego.v1\ndefault allow := false\nallow if input.user == data.owner\n';

let privateKeyPem: string;
let publicKeyPem: string;
let otherPrivateKeyPem: string;

before(async () => {
  const kp = await generateKeyPair('ES256', { extractable: true });
  privateKeyPem = await exportPKCS8(kp.privateKey);
  publicKeyPem = await exportSPKI(kp.publicKey);
  otherPrivateKeyPem = await exportPKCS8((await generateKeyPair('ES256', { extractable: true })).privateKey);
});

/** A signed `.tar.gz` bundle whose data says who the owner is. */
async function bundleOf(owner: string, extra: Record<string, string> = {}, key = privateKeyPem): Promise<Buffer> {
  const files = new Map([['rbac.pol', RBAC], ['data.json', JSON.stringify({ owner })], ...Object.entries(extra)]);
  return writeTarGz(await signBundle(files, { algorithm: 'ES256', privateKeyPem: key }));
}

interface TestServer { base: string; requests: { url: string; headers: IncomingHttpHeaders }[]; close(): Promise<void> }

/** An HTTP server on 127.0.0.1 that records every request and answers with `handle`. */
async function serve(handle: (req: IncomingMessage, res: ServerResponse) => void): Promise<TestServer> {
  const requests: TestServer['requests'] = [];
  const server = createServer((req, res) => { requests.push({ url: req.url!, headers: req.headers }); handle(req, res); });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => { server.closeAllConnections(); return new Promise(r => server.close(() => r())); },
  };
}

function bundleConfig(url: string, extra: Record<string, unknown> = {}) {
  return resolveConfig({ bundle: { url, public_key: publicKeyPem, algorithm: 'ES256', poll_seconds: 3600, ...extra } }).bundle!;
}

function poller(url: string, extra: Record<string, unknown> = {}, fetchTimeoutMs?: number) {
  const store = new PolicyStore();
  const swaps: unknown[] = [];
  store.on('swap', g => swaps.push(g));
  return { store, swaps, poller: new BundlePoller(store, bundleConfig(url, extra), fetchTimeoutMs ? { fetchTimeoutMs } : {}) };
}

test('bundle headers reach only the configured origin across redirects; redirects are bounded and http(s) only', async () => {
  const bundle = await bundleOf('alice');
  const other = await serve((req, res) => {
    if (req.url === '/b.tar.gz') res.writeHead(200).end(bundle);
    else res.writeHead(500).end();
  });
  const origin = await serve((req, res) => {
    const to = ({ '/moved': '/bundle', '/bundle': `${other.base}/b.tar.gz`, '/loop': '/loop', '/ftp': 'ftp://127.0.0.1/b.tar.gz', '/to-broken': `${other.base}/broken?X-Amz-Signature=s3cr3t` } as Record<string, string>)[req.url!];
    if (to) res.writeHead(302, { location: to }).end(); else res.writeHead(404).end();
  });
  const headers = { Authorization: 'Bearer token', 'X-Bundle-Key': 'SECRET' };
  try {
    const p = poller(`${origin.base}/moved`, { headers });
    assert.equal(await p.poller.pollOnce(), 'updated');
    // Both hops on the configured origin carry the headers (a same-origin redirect keeps them) ...
    assert.deepEqual(origin.requests.map(r => [r.url, r.headers['x-bundle-key'], r.headers.authorization]), [['/moved', 'SECRET', 'Bearer token'], ['/bundle', 'SECRET', 'Bearer token']]);
    // ... another port is another origin: neither header reaches it.
    assert.equal(other.requests.length, 1);
    assert.equal(other.requests[0]!.headers['x-bundle-key'], undefined);
    assert.equal(other.requests[0]!.headers.authorization, undefined);

    const loop = poller(`${origin.base}/loop`, { headers });
    assert.equal(await loop.poller.pollOnce(), 'failed');
    assert.match(loop.store.lastError!.message, /^more than 5 redirects fetching the bundle; the last from http:\/\/127\.0\.0\.1:\d+\/loop$/);
    assert.equal(origin.requests.filter(r => r.url === '/loop').length, 6);

    const ftp = poller(`${origin.base}/ftp`, { headers });
    assert.equal(await ftp.poller.pollOnce(), 'failed');
    assert.match(ftp.store.lastError!.message, /redirected http:\/\/127\.0\.0\.1:\d+\/ftp to a `ftp:` URL; only http and https are followed/);

    // An error names the URL that failed, without its query (a storage signature), and where the redirect started.
    const broken = poller(`${origin.base}/to-broken`, { headers });
    assert.equal(await broken.poller.pollOnce(), 'failed');
    const message = broken.store.lastError!.message;
    assert.equal(message, `bundle server answered 500 for ${other.base}/broken?… (redirected from ${origin.base}/to-broken)`);
  } finally {
    await origin.close();
    await other.close();
  }
});

test('pol listens at once while the first bundle fetch stalls; /ready is 503 with the reason until a policy loads', { timeout: 20_000 }, async () => {
  const bundle = await bundleOf('alice');
  let release!: () => void;
  const released = new Promise<void>(r => { release = r; });
  const stalling = await serve((_req, res) => { void released.then(() => res.writeHead(200).end(bundle)); });
  const tooSlow = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('startServer waited for the bundle fetch')), 5_000).unref());
  const config = resolveConfig({ addr: '127.0.0.1:0', bundle: { url: `${stalling.base}/b.tar.gz`, public_key: publicKeyPem, algorithm: 'ES256', poll_seconds: 3600 } });
  const server = await Promise.race([startServer(config, { logger: false }), tooSlow]);
  try {
    for (let i = 0; i < 200 && stalling.requests.length === 0; i++) await new Promise(r => setTimeout(r, 10));
    assert.equal(stalling.requests.length, 1, 'the fetch is in progress');
    assert.equal((await fetch(`${server.url}/health`)).status, 200);
    const notReady = await fetch(`${server.url}/ready`);
    assert.equal(notReady.status, 503);
    const body = await notReady.json() as { code: string; message: string; ready: boolean };
    assert.equal(body.code, 'not_ready');
    assert.equal(body.ready, false);
    assert.match(body.message, /no policy loaded/);
    release();
    assert.equal(await server.app.pol.initialLoad, true);
    assert.equal((await fetch(`${server.url}/ready`)).status, 200);
  } finally {
    release();
    await server.close();
    await stalling.close();
  }
});

test('a stalled fetch times out, and a failed fetch says why and from where', async () => {
  const hanging = await serve(() => {});
  const closed = await serve(() => {});
  await closed.close();
  try {
    const slow = poller(`${hanging.base}/b.tar.gz`, {}, 200);
    assert.equal(await slow.poller.pollOnce(), 'failed');
    assert.equal(slow.store.lastError!.message, `cannot fetch bundle from ${hanging.base}/b.tar.gz: no complete answer within 200 ms (timed out)`);
    const refused = poller(`${closed.base}/b.tar.gz`);
    assert.equal(await refused.poller.pollOnce(), 'failed');
    assert.equal(refused.store.lastError!.code, 'bundle_fetch_error');
    assert.match(refused.store.lastError!.message, new RegExp(`^cannot fetch bundle from ${closed.base}/b\\.tar\\.gz: connect ECONNREFUSED `));
  } finally {
    await hanging.close();
  }
});

test('a bad data file inside a bundle is named in the error', async () => {
  const bundle = await bundleOf('alice', { 'app/data.json': '{"a":' });
  const s = await serve((_req, res) => res.writeHead(200).end(bundle));
  try {
    const p = poller(`${s.base}/b.tar.gz`);
    assert.equal(await p.poller.pollOnce(), 'failed');
    assert.match(p.store.lastError!.message, /^app\/data\.json: invalid JSON: /);
  } finally { await s.close(); }
});

test('a 304 for the loaded bundle clears an earlier fetch error; a 304 for a rejected bundle keeps its error', async () => {
  let body = await bundleOf('alice');
  let etag = '"1"';
  let failing = false;
  const s = await serve((req, res) => {
    if (failing) res.writeHead(500).end();
    else if (req.headers['if-none-match'] === etag) res.writeHead(304).end();
    else res.writeHead(200, { etag }).end(body);
  });
  const app = buildApp(resolveConfig({ bundle: { url: `${s.base}/b.tar.gz`, public_key: publicKeyPem, algorithm: 'ES256', poll_seconds: 3600 } }), { logger: false });
  const lastErrors = async () => [
    json((await app.inject({ method: 'GET', url: '/ready' })).body).last_error?.code ?? null,
    json((await app.inject({ method: 'GET', url: '/v1/policies' })).body).last_error?.code ?? null,
  ];
  try {
    assert.equal(await app.pol.initialLoad, true);
    const bundlePoller = app.pol.bundle!;
    failing = true;
    assert.equal(await bundlePoller.pollOnce(), 'failed');
    assert.deepEqual(await lastErrors(), ['bundle_fetch_error', 'bundle_fetch_error']);
    failing = false;
    assert.equal(await bundlePoller.pollOnce(), 'not_modified');
    assert.deepEqual(await lastErrors(), [null, null], 'healthy and up to date again');

    // A rejected bundle: the server answers 304 to its ETag, and its error stays.
    const working = app.pol.store.generation;
    const good = body;
    body = await bundleOf('mallory', {}, otherPrivateKeyPem);
    etag = '"2"';
    assert.equal(await bundlePoller.pollOnce(), 'failed');
    assert.equal(await bundlePoller.pollOnce(), 'not_modified');
    assert.equal(s.requests.at(-1)!.headers['if-none-match'], '"2"', 'the rejected bundle is not downloaded again');
    assert.deepEqual(await lastErrors(), ['bundle_signature_error', 'bundle_signature_error']);
    // A passing fetch error does not hide the rejection once the server answers again.
    failing = true;
    assert.equal(await bundlePoller.pollOnce(), 'failed');
    failing = false;
    assert.equal(await bundlePoller.pollOnce(), 'not_modified');
    assert.deepEqual(await lastErrors(), ['bundle_signature_error', 'bundle_signature_error']);

    // The server goes back to the working bundle: nothing to reload, and the error is over.
    body = good;
    etag = '"3"';
    const reloads = app.pol.store.reloads.success;
    assert.equal(await bundlePoller.pollOnce(), 'not_modified');
    assert.equal(app.pol.store.generation, working);
    assert.equal(app.pol.store.reloads.success, reloads);
    assert.deepEqual(await lastErrors(), [null, null]);
  } finally {
    await app.close();
    await s.close();
  }
});

test('a server without ETags causes no reload while the bundle is unchanged; Last-Modified comes back as If-Modified-Since', async () => {
  let body = await bundleOf('alice');
  const plain = await serve((_req, res) => res.writeHead(200).end(body));
  const lastModified = 'Tue, 01 Dec 2026 06:00:00 GMT';
  const dated = await serve((req, res) => {
    if (req.headers['if-modified-since'] === lastModified) res.writeHead(304).end();
    else res.writeHead(200, { 'last-modified': lastModified }).end(body);
  });
  try {
    const p = poller(`${plain.base}/b.tar.gz`);
    assert.equal(await p.poller.pollOnce(), 'updated');
    assert.equal(await p.poller.pollOnce(), 'not_modified');
    assert.equal(await p.poller.pollOnce(), 'not_modified');
    assert.equal(p.swaps.length, 1);
    assert.equal(p.store.reloads.success, 1);

    // A rejected bundle is reported once, not at every poll.
    body = await bundleOf('mallory', {}, otherPrivateKeyPem);
    assert.equal(await p.poller.pollOnce(), 'failed');
    assert.equal(await p.poller.pollOnce(), 'not_modified');
    assert.equal(p.store.reloads.failure, 1);
    assert.equal(p.store.lastError!.code, 'bundle_signature_error');

    body = await bundleOf('bob');
    assert.equal(await p.poller.pollOnce(), 'updated');
    assert.equal(p.swaps.length, 2);
    assert.equal(p.store.lastError, undefined);

    const d = poller(`${dated.base}/b.tar.gz`);
    assert.equal(await d.poller.pollOnce(), 'updated');
    assert.equal(await d.poller.pollOnce(), 'not_modified');
    assert.equal(dated.requests[1]!.headers['if-modified-since'], lastModified);
  } finally {
    await plain.close();
    await dated.close();
  }
});

test('a bundle served with Content-Encoding: gzip loads; the inflated size is still bounded', async () => {
  const bundle = await bundleOf('alice');
  const bomb = gzipSync(Buffer.alloc(2_000_000));
  const s = await serve((req, res) => res.writeHead(200, { 'content-encoding': 'gzip' }).end(req.url === '/bomb' ? bomb : bundle));
  try {
    const p = poller(`${s.base}/b.tar.gz`);
    assert.equal(await p.poller.pollOnce(), 'updated');
    assert.equal(p.store.lastError, undefined);
    const b = poller(`${s.base}/bomb`, { max_bytes: 100_000 });
    assert.equal(await b.poller.pollOnce(), 'failed');
    assert.match(b.store.lastError!.message, /is larger than 100000 bytes \(bundle\.max_bytes\)/);
  } finally { await s.close(); }

  // By the bytes: gzip is inflated (bounded), a plain tar is read, anything else is refused.
  const tar = gunzipSync(bundle);
  assert.deepEqual([...readTar(tar, 1 << 20).keys()].sort(), [...readTar(bundle, 1 << 20).keys()].sort());
  assert.throws(() => readTar(tar, 1000), /larger than 1000 bytes/);
  assert.throws(() => readTar(gzipSync(Buffer.alloc(1 << 20)), 1000), /cannot decompress/);
  assert.throws(() => readTar(Buffer.from('<html>not found</html>'.padEnd(1024)), 1 << 20), /neither gzip-compressed .* nor a tar archive/);
  // Inflated on the thread pool (as a poll does): the same files, the same refusals.
  assert.deepEqual(await readTarInBackground(bundle, 1 << 20), readTar(bundle, 1 << 20));
  assert.deepEqual(await readTarInBackground(tar, 1 << 20), readTar(tar, 1 << 20));
  await assert.rejects(readTarInBackground(tar, 1000), /larger than 1000 bytes/);
  await assert.rejects(readTarInBackground(gzipSync(Buffer.alloc(1 << 20)), 1000), (e: Error) => {
    assert.throws(() => readTar(gzipSync(Buffer.alloc(1 << 20)), 1000), { message: e.message });
    return e.name === 'TarError' && /cannot decompress/.test(e.message);
  });
});
