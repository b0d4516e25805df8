import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConfig, loadConfigFile, parseAddr, ConfigError, defaultConfig } from '../../server/index.js';

test('defaults are filled in and partial sections merge', () => {
  const c = resolveConfig({ cache: { ttl_ms: 5 }, policies: { dir: 'p' } });
  assert.equal(c.addr, '127.0.0.1:8181');
  assert.equal(c.cache.ttl_ms, 5);
  assert.equal(c.cache.max_entries, defaultConfig().cache.max_entries);
  assert.equal(c.policies!.watch, true);
});

test('unknown keys are rejected with the key and where it is', () => {
  assert.throws(() => resolveConfig({ cache: { enabled: true, ttl: 5 } }, 'pol.yaml'), (e: unknown) =>
    e instanceof ConfigError && /pol\.yaml: unknown key `ttl` at `\/cache`/.test(e.message));
  assert.throws(() => resolveConfig({ polices: { dir: 'x' } }, 'pol.yaml'), /unknown key `polices` at the top level/);
  assert.throws(() => resolveConfig({ forward_auth: { deny_status: 404 } }), /must be one of 401, 403/);
});

test('bundles must be verifiable, and exclusive with a directory', () => {
  assert.throws(() => resolveConfig({ bundle: { url: 'http://x/b.tar.gz' } }), /exactly one of/);
  assert.throws(() => resolveConfig({ bundle: { url: 'http://x/b.tar.gz', secret: 'x'.repeat(20), algorithm: 'RS256' } }), /does not match/);
  assert.throws(() => resolveConfig({ bundle: { url: 'http://x/b.tar.gz', secret: 'x'.repeat(20) }, policies: { dir: 'p' } }), /either/);
  assert.equal(resolveConfig({ bundle: { url: 'http://x/b.tar.gz', secret: 'x'.repeat(20) } }).bundle!.algorithm, 'HS256');
});

test('a writable policy API needs a token unless openness is spelled out', () => {
  assert.throws(() => resolveConfig({ policy_api: { writable: true } }, 'pol.yaml'), (e: unknown) =>
    e instanceof ConfigError && /pol\.yaml at `\/policy_api`: `writable: true` needs a `token`/.test(e.message) && /unauthenticated: true/.test(e.message));
  assert.equal(resolveConfig({ policy_api: { writable: true, token: 'x'.repeat(16) } }).policy_api.writable, true);
  assert.equal(resolveConfig({ policy_api: { writable: true, unauthenticated: true } }).policy_api.unauthenticated, true);
  // A token without writes, or the flag alone, changes nothing and is accepted.
  assert.equal(resolveConfig({ policy_api: { unauthenticated: true } }).policy_api.writable, false);
  assert.throws(() => resolveConfig({ policy_api: { writable: true, token: 'short' } }), /must NOT have fewer than 16 characters/);
});

test('pol.yaml is read with the JSON schema of YAML and validated', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pol-config-'));
  try {
    const good = join(dir, 'pol.yaml');
    writeFileSync(good, 'addr: 127.0.0.1:9999\npolicies:\n  dir: ./policies\ndecision_log:\n  enabled: true\n  mask: [/input/password]\n');
    const c = loadConfigFile(good);
    assert.equal(c.addr, '127.0.0.1:9999');
    assert.ok(c.decision_log.mask.includes('/input/password'));
    assert.ok(c.decision_log.mask.includes('/input/request/headers/authorization'), 'credential masks always apply');
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'cache:\n  enabled: yes-please\n');
    assert.throws(() => loadConfigFile(bad), /bad\.yaml at `\/cache\/enabled`: must be boolean/);
    writeFileSync(bad, 'a: [\n');
    assert.throws(() => loadConfigFile(bad), ConfigError);
    assert.throws(() => loadConfigFile(join(dir, 'missing.yaml')), /cannot read/);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('addresses', () => {
  assert.deepEqual(parseAddr('127.0.0.1:8181'), { host: '127.0.0.1', port: 8181 });
  assert.deepEqual(parseAddr('[::1]:80'), { host: '::1', port: 80 });
  assert.deepEqual(parseAddr(':8181'), { host: '127.0.0.1', port: 8181 });
  assert.throws(() => parseAddr('nope'), ConfigError);
});

test('numbers are bounded and the address is checked when the configuration is read', () => {
  assert.equal(resolveConfig({ policies: { dir: 'p', debounce_ms: 60_000 } }).policies!.debounce_ms, 60_000);
  assert.throws(() => resolveConfig({ policies: { dir: 'p', debounce_ms: 1e20 } }, 'pol.yaml'), /pol\.yaml at `\/policies\/debounce_ms`: must be <= 60000/);
  assert.throws(() => resolveConfig({ cache: { max_entries: 1e20 } }, 'pol.yaml'), /pol\.yaml at `\/cache\/max_entries`: must be <= 10000000/);
  assert.throws(() => resolveConfig({ bundle: { url: 'http://x/b.tar.gz', secret: 'x'.repeat(20), poll_seconds: 1e20 } }), /`\/bundle\/poll_seconds`: must be <= 86400/);
  assert.throws(() => resolveConfig({ addr: '127.0.0.1:99999' }, '--addr'), (e: unknown) =>
    e instanceof ConfigError && /^--addr at `\/addr`: invalid address `127\.0\.0\.1:99999`/.test(e.message));
  assert.throws(() => parseAddr('127.0.0.1:65536'), ConfigError);
  assert.equal(resolveConfig({ addr: '127.0.0.1:65535' }).addr, '127.0.0.1:65535');
});
