import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateKeyPair, exportPKCS8, exportSPKI } from 'jose';
import { buildApp, resolveConfig, signBundle, writeTarGz, readTarGz, verifyBundle, ConfigError } from '../../server/index.js';
import { bundleVerifyKey, checkBundleKey } from '../../server/policy-store/bundle.js';
import { json } from './helpers.js';

let server: Server;
let url: string;
let bundle: Buffer = Buffer.alloc(0);
let etag = '"0"';
let fetches = 0;
let notModified = 0;
let privateKeyPem: string;
let publicKeyPem: string;

const RBAC_V1 = 'package rbac\nimport rego.v1\ndefault allow := false\nallow if input.user == data.owner\n';

async function publish(files: Map<string, string>, key = privateKeyPem, revision?: string): Promise<void> {
  const signed = await signBundle(files, { algorithm: 'ES256', privateKeyPem: key }, revision);
  bundle = writeTarGz(signed);
  etag = `"${Number(etag.slice(1, -1)) + 1}"`;
}

before(async () => {
  const kp = await generateKeyPair('ES256', { extractable: true });
  privateKeyPem = await exportPKCS8(kp.privateKey);
  publicKeyPem = await exportSPKI(kp.publicKey);
  server = createServer((req, res) => {
    fetches++;
    if (req.headers['if-none-match'] === etag) { notModified++; res.writeHead(304).end(); return; }
    res.writeHead(200, { etag, 'content-type': 'application/gzip' }).end(bundle);
  });
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/bundle.tar.gz`;
});
after(() => new Promise<void>(r => server.close(() => r())));

function makeInstance() {
  return buildApp(resolveConfig({ bundle: { url, public_key: publicKeyPem, algorithm: 'ES256', poll_seconds: 3600 } }), { logger: false });
}

test('tar round trip and signature verification reject tampering', async () => {
  const files = new Map([['rbac.pol', RBAC_V1], ['data.json', '{"owner":"alice"}']]);
  const signed = await signBundle(files, { algorithm: 'ES256', privateKeyPem });
  const read = readTarGz(writeTarGz(signed), 1 << 20);
  assert.deepEqual([...read.keys()].sort(), ['.signatures.json', 'data.json', 'rbac.pol']);
  await verifyBundle(read, { algorithm: 'ES256', publicKeyPem });
  const tampered = new Map(read).set('data.json', Buffer.from('{"owner":"mallory"}'));
  await assert.rejects(verifyBundle(tampered, { algorithm: 'ES256', publicKeyPem }), /does not match its signed digest/);
  const extra = new Map(read).set('evil.pol', Buffer.from('package evil\n'));
  await assert.rejects(verifyBundle(extra, { algorithm: 'ES256', publicKeyPem }), /not covered by the signature/);
  const unsigned = new Map(read);
  unsigned.delete('.signatures.json');
  await assert.rejects(verifyBundle(unsigned, { algorithm: 'ES256', publicKeyPem }), /not signed/);
  await assert.rejects(verifyBundle(read, { algorithm: 'HS256', secret: 'x'.repeat(32) }), /bad bundle signature/);
});

test('archives with unsafe paths or over the size limit are rejected', async () => {
  const { gzipSync } = await import('node:zlib');
  const header = (name: string, size: number): Buffer => {
    const h = Buffer.alloc(512, 0);
    h.write(name, 0);
    h.write(size.toString(8).padStart(11, '0') + '\0', 124);
    h.write('0', 156);
    return h;
  };
  const evil = gzipSync(Buffer.concat([header('../escape.pol', 4), Buffer.from('abcd'), Buffer.alloc(508 + 1024, 0)]));
  assert.throws(() => readTarGz(evil, 1 << 20), /unsafe path/);
  const abs = gzipSync(Buffer.concat([header('/etc/x.pol', 4), Buffer.from('abcd'), Buffer.alloc(508 + 1024, 0)]));
  assert.throws(() => readTarGz(abs, 1 << 20), /unsafe path/);
  const big = writeTarGz(new Map([['a.pol', 'x'.repeat(100_000)]]));
  assert.ok(big.length < 10_000, 'compresses well');
  assert.throws(() => readTarGz(big, 50_000), /cannot decompress/);
});

test('two instances load one signed bundle, converge on one revision, and use ETags', async () => {
  await publish(new Map([['rbac.pol', RBAC_V1], ['data.json', '{"owner":"alice"}']]), privateKeyPem, 'v1');
  const a = makeInstance();
  const b = makeInstance();
  try {
    assert.equal(await a.pol.initialLoad, true);
    assert.equal(await b.pol.initialLoad, true);
    assert.equal(a.pol.store.generation!.revision, b.pol.store.generation!.revision);
    assert.equal(a.pol.store.generation!.bundleRevision, 'v1');
    const allow = await a.inject({ method: 'POST', url: '/v1/data/rbac/allow', payload: { input: { user: 'alice' } } });
    assert.deepEqual(json(allow.body), { result: true });

    assert.equal(await a.pol.bundle!.pollOnce(), 'not_modified');
    assert.ok(notModified >= 1);

    // An update reaches both.
    await publish(new Map([['rbac.pol', RBAC_V1], ['data.json', '{"owner":"bob"}']]), privateKeyPem, 'v2');
    assert.equal(await a.pol.bundle!.pollOnce(), 'updated');
    assert.equal(await b.pol.bundle!.pollOnce(), 'updated');
    assert.equal(a.pol.store.generation!.revision, b.pol.store.generation!.revision);
    const after = await a.inject({ method: 'POST', url: '/v1/data/rbac/allow', payload: { input: { user: 'alice' } } });
    assert.deepEqual(json(after.body), { result: false });
    const rev = a.pol.store.generation!.revision;

    // A bundle signed with another key is rejected and reported; the working policy stays.
    const other = await generateKeyPair('ES256', { extractable: true });
    await publish(new Map([['rbac.pol', 'package rbac\nimport rego.v1\nallow := true\n']]), await exportPKCS8(other.privateKey));
    assert.equal(await a.pol.bundle!.pollOnce(), 'failed');
    assert.equal(a.pol.store.generation!.revision, rev);
    const policies = json((await a.inject({ method: 'GET', url: '/v1/policies' })).body);
    assert.equal(policies.last_error.code, 'bundle_signature_error');
    const ready = json((await a.inject({ method: 'GET', url: '/ready' })).body);
    assert.equal(ready.ready, true);
    assert.match(ready.last_error.message, /signature/);

    // A correctly signed bundle with a broken policy is rejected the same way.
    await publish(new Map([['rbac.pol', 'package rbac\nallow if {']]));
    assert.equal(await a.pol.bundle!.pollOnce(), 'failed');
    assert.equal(a.pol.store.generation!.revision, rev);
    assert.equal(a.pol.store.lastError!.origin, 'bundle');
  } finally {
    await a.close();
    await b.close();
  }
});

test('an instance whose first bundle is bad is not ready and fails closed', async () => {
  await publish(new Map([['rbac.pol', RBAC_V1]]), (await exportPKCS8((await generateKeyPair('ES256', { extractable: true })).privateKey)));
  const c = makeInstance();
  try {
    assert.equal(await c.pol.initialLoad, false);
    assert.equal((await c.inject({ method: 'GET', url: '/ready' })).statusCode, 503);
    assert.equal((await c.inject({ method: 'POST', url: '/v1/data/rbac/allow', payload: { input: { user: 'alice' } } })).statusCode, 503);
  } finally { await c.close(); }
  assert.ok(fetches > 0);
});

test('a bundle key that cannot be read or used is a configuration error naming the key, at start-up', async () => {
  const cfg = (bundle: Record<string, unknown>) => resolveConfig({ bundle: { url, algorithm: 'ES256', ...bundle } }).bundle!;
  // Thrown by buildApp, before any poll.
  assert.throws(() => buildApp(resolveConfig({ bundle: { url, public_key_file: '/nonexistent/bundle.pub.pem' } }), { logger: false }),
    (e: unknown) => e instanceof ConfigError && /^bundle\.public_key_file: cannot read \/nonexistent\/bundle\.pub\.pem/.test(e.message));
  assert.throws(() => bundleVerifyKey(cfg({ public_key: 'garbage' })), (e: unknown) => e instanceof ConfigError && /^bundle\.public_key: not a PEM public key/.test(e.message));
  // An ES256 key is parsed, but cannot verify RS256.
  await assert.rejects(checkBundleKey(cfg({ public_key: publicKeyPem, algorithm: 'RS256' })), (e: unknown) => e instanceof ConfigError && /^bundle\.public_key: cannot be used to verify `RS256`/.test(e.message));
  await checkBundleKey(cfg({ public_key: publicKeyPem }));
  await checkBundleKey(cfg({ secret: 'x'.repeat(20), algorithm: 'HS256' }));
});
