import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp, ConfigError, loadConfigFile, resolveConfig, type ServerConfig } from '../../server/index.js';
import { runServe } from '../../cli/serve.js';
import { writeMmdb } from '../builtins/fixtures/mmdb-writer.js';
import { fixtureCopy, json, serveIO } from './helpers.js';
import { pol } from '../cli/helpers.js';

const GEO_POLICY = `package geotest

where := geo.lookup(input.ip)

region := geo.region(input.ip)

default allow := false

allow if geo.country(input.ip) in {"GB", "US"}
`;

const LONDON = '81.2.69.142';
const LONDON_ANSWER = { country: 'GB', region: 'GB-ENG', city: 'London', continent: 'EU', scope: 'public', source: 'mmdb' };

let dir: string;
let mmdb: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'pol-geo-config-'));
  mmdb = join(dir, 'city.mmdb');
  writeFileSync(mmdb, writeMmdb([
    { cidr: '81.2.69.0/24', data: { country: { iso_code: 'GB' }, subdivisions: [{ iso_code: 'ENG' }], city: { names: { en: 'London' } }, continent: { code: 'EU' } } },
    { cidr: '203.0.113.0/24', data: { country: { iso_code: 'US' } } },
  ], { ipVersion: 6, recordSize: 24, databaseType: 'GeoIP2-City' }));
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** An app over the fixture policies plus the geo policy, with `config` merged in. */
async function geoApp(config: Record<string, unknown>, cwd?: string) {
  const { dir: policies, cleanup } = fixtureCopy();
  writeFileSync(join(policies, 'geotest.pol'), GEO_POLICY);
  let app;
  try {
    app = buildApp(resolveConfig({ ...config, policies: { dir: policies, watch: false } }), { logger: false, ...(cwd ? { cwd } : {}) });
  } catch (e) { cleanup(); throw e; }
  assert.equal(await app.pol.initialLoad, true, 'policies load');
  const data = async (path: string, input: unknown) => json((await app.inject({ method: 'POST', url: `/v1/data/${path}`, payload: { input } })).body);
  return { app, data, close: async () => { await app.close(); cleanup(); } };
}

test('geo_database is an optional path in the configuration', () => {
  assert.equal(resolveConfig({}).geo_database, undefined);
  assert.equal(resolveConfig({ geo_database: '/x/city.mmdb' }).geo_database, '/x/city.mmdb');
  assert.throws(() => resolveConfig({ geo_database: '' }, 'pol.yaml'), (e: unknown) => e instanceof ConfigError && /pol\.yaml at `\/geo_database`/.test(e.message));
  assert.throws(() => resolveConfig({ geo_database: 7 }, 'pol.yaml'), /at `\/geo_database`: must be string/);
  assert.throws(() => resolveConfig({ geo: { database: 'x' } }, 'pol.yaml'), /unknown key `geo`/);
  const yaml = join(dir, 'pol.yaml');
  writeFileSync(yaml, `geo_database: ${mmdb}\npolicies:\n  dir: ./policies\n`);
  assert.equal(loadConfigFile(yaml).geo_database, mmdb);
});

test('the server answers geo builtins from the configured .mmdb', async () => {
  const { app, data, close } = await geoApp({ geo_database: mmdb });
  try {
    assert.equal(app.pol.geoDatabase?.source, mmdb);
    assert.deepEqual(await data('geotest/where', { ip: LONDON }), { result: LONDON_ANSWER });
    assert.deepEqual(await data('geotest/where', { ip: `::ffff:${LONDON}` }), { result: LONDON_ANSWER });
    assert.deepEqual(await data('geotest/region', { ip: LONDON }), { result: 'GB-ENG' });
    assert.deepEqual(await data('geotest/allow', { ip: LONDON }), { result: true });
    // Documentation addresses are never looked up, even when the database lists them.
    assert.deepEqual(await data('geotest/where', { ip: '203.0.113.5' }), { result: { country: 'ZZ', scope: 'documentation', source: 'mmdb' } });
    assert.deepEqual(await data('geotest/allow', { ip: '203.0.113.5' }), { result: false });
    // A public address the database does not know: unknown, no fall-back to the embedded table.
    assert.deepEqual(await data('geotest/where', { ip: '8.8.8.8' }), { result: { country: 'ZZ', scope: 'public', source: 'mmdb' } });
    assert.deepEqual(await data('geotest/where', { ip: 'not an address' }), {});
    const d = json((await app.inject({ method: 'POST', url: '/v1/decide', payload: { path: 'geotest/where', input: { ip: LONDON } } })).body);
    assert.deepEqual(d.result, LONDON_ANSWER);
    // The database survives a policy reload (the host belongs to the store, not one generation).
    app.pol.store.loadBase({ modules: { 'geotest.pol': GEO_POLICY }, data: {} }, 'directory');
    assert.deepEqual(await data('geotest/region', { ip: LONDON }), { result: 'GB-ENG' });
  } finally { await close(); }
});

test('without geo_database the embedded table answers', async () => {
  const { app, data, close } = await geoApp({});
  try {
    assert.equal(app.pol.geoDatabase, undefined);
    assert.deepEqual(await data('geotest/where', { ip: LONDON }), { result: { country: 'GB', scope: 'public', source: 'embedded' } });
    assert.deepEqual(await data('geotest/region', { ip: LONDON }), {});
  } finally { await close(); }
});

test('a relative geo_database is resolved against the working directory', async () => {
  const { data, close } = await geoApp({ geo_database: 'city.mmdb' }, dir);
  try {
    assert.deepEqual(await data('geotest/region', { ip: LONDON }), { result: 'GB-ENG' });
  } finally { await close(); }
});

test('a missing or corrupt geo_database fails start-up with the file named', () => {
  const missing = join(dir, 'nope.mmdb');
  const config: ServerConfig = resolveConfig({ geo_database: missing, policies: { dir, watch: false } });
  assert.throws(() => buildApp(config, { logger: false }), (e: unknown) =>
    e instanceof ConfigError && e.message === `geo_database: cannot load geo database ${missing}: no such file`);
  const corrupt = join(dir, 'corrupt.mmdb');
  writeFileSync(corrupt, 'this is not a database');
  assert.throws(() => buildApp({ ...config, geo_database: corrupt }, { logger: false }), (e: unknown) =>
    e instanceof ConfigError && e.message.startsWith(`geo_database: cannot load geo database ${corrupt}: not a MaxMind DB`));
});


test('pol serve --geo-database loads the file, and refuses to start without it', async () => {
  const { dir: policies, cleanup } = fixtureCopy();
  writeFileSync(join(policies, 'geotest.pol'), GEO_POLICY);
  try {
    const t = serveIO();
    const done = runServe(['--policies', policies, '--addr', '127.0.0.1:0', '--no-watch', '--geo-database', mmdb], t.io);
    const url = await t.url;
    const r = await fetch(`${url}/v1/data/geotest/where`, { method: 'POST', body: JSON.stringify({ input: { ip: LONDON } }) });
    assert.deepEqual(await r.json(), { result: LONDON_ANSWER });
    t.stop();
    assert.equal(await done, 0);

    // The flag overrides pol.yaml's geo_database.
    const yaml = join(dir, 'serve.yaml');
    writeFileSync(yaml, `geo_database: ${join(dir, 'absent.mmdb')}\n`);
    const o = serveIO();
    const overridden = runServe(['--config', yaml, '--policies', policies, '--addr', '127.0.0.1:0', '--no-watch', '--geo-database', mmdb], o.io);
    await o.url;
    o.stop();
    assert.equal(await overridden, 0);

    const missing = join(dir, 'absent.mmdb');
    const m = serveIO();
    assert.equal(await runServe(['--policies', policies, '--addr', '127.0.0.1:0', '--geo-database', missing], m.io), 2);
    assert.equal(m.err(), `pol serve: geo_database: cannot load geo database ${missing}: no such file\n`);
    const y = serveIO();
    assert.equal(await runServe(['--config', yaml, '--policies', policies, '--addr', '127.0.0.1:0'], y.io), 2);
    assert.match(y.err(), /geo_database: cannot load geo database .*absent\.mmdb: no such file/);
    const e = serveIO();
    assert.equal(await runServe(['--policies', policies, '--geo-database', ''], e.io), 2);
    assert.match(e.err(), /--geo-database/);
    const h = serveIO();
    assert.equal(await runServe(['--help'], h.io), 0);
    assert.match(h.out(), /--geo-database <file>/);
  } finally { cleanup(); }
});

test('pol eval --geo-database', async () => {
  writeFileSync(join(dir, 'geotest.pol'), GEO_POLICY);
  writeFileSync(join(dir, 'input.json'), JSON.stringify({ ip: LONDON }));
  const withDb = await pol(['eval', '-d', 'geotest.pol', '-i', 'input.json', '--geo-database', 'city.mmdb', '-f', 'pretty', 'data.geotest.where'], dir);
  assert.equal(withDb.code, 0, withDb.stderr);
  assert.deepEqual(JSON.parse(withDb.stdout), LONDON_ANSWER);
  const without = await pol(['eval', '-d', 'geotest.pol', '-i', 'input.json', '-f', 'pretty', 'data.geotest.where'], dir);
  assert.deepEqual(JSON.parse(without.stdout), { country: 'GB', scope: 'public', source: 'embedded' });
  const bad = await pol(['eval', '-d', 'geotest.pol', '--geo-database', 'nope.mmdb', 'data.geotest.where'], dir);
  assert.equal(bad.code, 2);
  assert.equal(bad.stderr, `pol eval: --geo-database: cannot load geo database ${join(dir, 'nope.mmdb')}: no such file\n`);
  const help = await pol(['eval', '--help'], dir);
  assert.match(help.stdout, /--geo-database <file>/);
});

async function offloadedCount(app: { inject: (o: { url: string }) => Promise<{ body: string }> }): Promise<number> {
  const m = (await app.inject({ url: '/metrics' })).body.match(/^pol_offloaded_decisions_total (\d+)$/m);
  return m ? Number(m[1]) : 0;
}

test('evaluation workers answer geo builtins from the same .mmdb; one that cannot read it leaves decisions on the request thread', async () => {
  const { app, data, close } = await geoApp({ geo_database: mmdb, limits: { eval_workers: 1, offload_paths: ['geotest/where'] } });
  try {
    const stop = Date.now() + 20_000;
    while (await offloadedCount(app) === 0) {
      assert.ok(Date.now() < stop, 'no decision was made on an evaluation worker within 20 s');
      assert.deepEqual(await data('geotest/where', { ip: LONDON }), { result: LONDON_ANSWER });
      await new Promise(r => setTimeout(r, 20));
    }
    const before = await offloadedCount(app);
    assert.deepEqual(await data('geotest/where', { ip: LONDON }), { result: LONDON_ANSWER });
    assert.equal(await offloadedCount(app), before + 1);
  } finally { await close(); }
  // The file is gone by the time the worker starts: it cannot load, and the request thread answers.
  const gone = join(dir, 'gone.mmdb');
  writeFileSync(gone, readFileSync(mmdb));
  const { app: app2, close: close2 } = await geoApp({ geo_database: gone, limits: { eval_workers: 1, offload_paths: ['geotest/where'] } });
  try {
    rmSync(gone);
    const stop = Date.now() + 20_000;
    let failures = 0;
    while (failures === 0) {
      assert.ok(Date.now() < stop, 'the worker did not report its failure within 20 s');
      const r = json((await app2.inject({ method: 'POST', url: '/v1/data/geotest/where', payload: { input: { ip: LONDON } } })).body);
      assert.deepEqual(r, { result: LONDON_ANSWER });
      const m = (await app2.inject({ url: '/metrics' })).body.match(/^pol_errors_total\{code="eval_worker_failure"\} (\d+)$/m);
      failures = m ? Number(m[1]) : 0;
      await new Promise(r => setTimeout(r, 20));
    }
    assert.equal(await offloadedCount(app2), 0);
  } finally { await close2(); }
});
