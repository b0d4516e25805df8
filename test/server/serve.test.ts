import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runServe } from '../../cli/serve.js';
import { fixtureCopy, serveIO } from './helpers.js';


test('pol serve listens, prints a curl line per API, answers, and stops cleanly', async () => {
  const { dir, cleanup } = fixtureCopy();
  const t = serveIO();
  try {
    const done = runServe(['--policies', dir, '--addr', '127.0.0.1:0', '--no-watch'], t.io);
    const url = await t.url;
    const r = await fetch(`${url}/v1/data/rbac/allow`, { method: 'POST', body: JSON.stringify({ input: { user: 'bob', action: 'read', resource: { type: 'document' } } }) });
    assert.deepEqual(await r.json(), { result: true });
    for (const api of ['/v1/decide', '/v1/data/', '/v0/data/', '/access/v1/evaluation', '/v1/forward-auth', '/v1/ext-authz/', '/v1/policies', '/metrics']) {
      assert.ok(t.out().includes(`curl -s`) && t.out().includes(api), `banner mentions ${api}`);
    }
    t.stop();
    assert.equal(await done, 0);
  } finally { cleanup(); }
});

test('pol serve reports configuration mistakes as usage errors', async () => {
  const t = serveIO();
  assert.equal(await runServe(['--bogus'], t.io), 2);
  assert.match(t.err(), /pol serve: unknown option '--bogus'/i);
  const u = serveIO();
  assert.equal(await runServe([], u.io), 2);
  assert.match(u.err(), /nothing to serve/);
  const v = serveIO();
  assert.equal(await runServe(['--policies', '.', '--addr', 'nope'], v.io), 2);
  assert.match(v.err(), /addr/);
});

/** Runs `pol serve` expecting it to stop at start-up: the exit code (-1 if it listened) and stderr. */
async function startUpFailure(argv: string[]): Promise<{ code: number; err: string }> {
  const t = serveIO();
  const done = runServe(argv, t.io);
  const code = await Promise.race([done, t.url.then(() => { t.stop(); return done.then(() => -1); })]);
  return { code, err: t.err() };
}

test('pol serve: every configuration mistake exits 2 naming the key, before anything is loaded or listens', async () => {
  const { dir, cleanup } = fixtureCopy();
  const cfgDir = mkdtempSync(join(tmpdir(), 'pol-serve-cfg-'));
  const yaml = (name: string, text: string): string => { const f = join(cfgDir, name); writeFileSync(f, text); return f; };
  const bundle = 'bundle:\n  url: http://127.0.0.1:9/bundle.tar.gz\n';
  const ecKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const cases: [string[], RegExp][] = [
    [['--config', yaml('k1.yaml', `${bundle}  public_key_file: ${join(cfgDir, 'missing.pem')}\n`)], /^pol serve: bundle\.public_key_file: cannot read .*missing\.pem/],
    [['--config', yaml('k2.yaml', `${bundle}  public_key: garbage\n`)], /^pol serve: bundle\.public_key: not a PEM public key/],
    [['--config', yaml('k3.yaml', `${bundle}  algorithm: RS256\n  public_key: ${JSON.stringify(ecKey)}\n`)], /^pol serve: bundle\.public_key: cannot be used to verify `RS256`/],
    [['--policies', dir, '--config', yaml('c.yaml', 'cache:\n  max_entries: 1e20\n')], /^pol serve: .*c\.yaml at `\/cache\/max_entries`: must be <= /],
    [['--config', yaml('d.yaml', `policies:\n  dir: ${JSON.stringify(dir)}\n  debounce_ms: 1e20\n`)], /^pol serve: .*d\.yaml at `\/policies\/debounce_ms`: must be <= 60000/],
    // Checked before the geo database (or the policies) are loaded.
    [['--policies', dir, '--geo-database', join(cfgDir, 'missing.mmdb'), '--addr', '127.0.0.1:99999'], /^pol serve: --addr at `\/addr`: invalid address `127\.0\.0\.1:99999`/],
  ];
  try {
    for (const [argv, want] of cases) {
      const { code, err } = await startUpFailure(['--addr', '127.0.0.1:0', ...argv]);
      assert.equal(code, 2, `${argv.join(' ')}: ${err}`);
      assert.match(err, want);
    }
  } finally {
    cleanup();
    rmSync(cfgDir, { recursive: true, force: true });
  }
});

test('pol serve warns when unauthenticated policy writes listen beyond loopback, and not on loopback', async () => {
  const { dir, cleanup } = fixtureCopy();
  const cfgDir = mkdtempSync(join(tmpdir(), 'pol-serve-open-'));
  try {
    const cfg = join(cfgDir, 'open.yaml');
    writeFileSync(cfg, 'policy_api:\n  writable: true\n  unauthenticated: true\n');
    for (const [addr, warned] of [['0.0.0.0:0', true], ['127.0.0.1:0', false]] as const) {
      const t = serveIO();
      const done = runServe(['--policies', dir, '--addr', addr, '--no-watch', '--config', cfg], t.io);
      await t.url;
      t.stop();
      assert.equal(await done, 0);
      assert.equal(/warning: policy_api\.unauthenticated is on and .* is not a loopback address/.test(t.err()), warned, `${addr}: ${t.err()}`);
    }
  } finally {
    cleanup();
    rmSync(cfgDir, { recursive: true, force: true });
  }
});
