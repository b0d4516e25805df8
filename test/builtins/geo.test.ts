import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Reader } from 'mmdb-lib';
import { check, type Row } from './helpers.js';
import { writeMmdb, type MmdbNetwork } from './fixtures/mmdb-writer.js';
import { BUILTIN_IMPLS } from '../../engine/builtins/registry.js';
import { HaltError, type BuiltinContext, type BuiltinHost } from '../../engine/builtins/types.js';
import { loadGeoDatabase, UNKNOWN_COUNTRY, type GeoDatabase } from '../../engine/builtins/geo.js';
import { embeddedCountryTable, parseCountryTable } from '../../engine/builtins/geo/table.js';
import { compile, PolError } from '../../engine/index.js';
import { equal, type Value } from '../../engine/value.js';
import { serializeJson } from '../../engine/json.js';

const TE = 'eval_type_error' as const;
const GEO = ['geo.country', 'geo.region', 'geo.lookup'] as const;

/** Calls a geo builtin with `host` as the builtin context's host. */
function callWith(host: BuiltinHost, name: string, ...args: Value[]): Value | undefined {
  const ctx: BuiltinContext = { nowNs: () => 0n, memo: new Map(), print: () => {}, host };
  return BUILTIN_IMPLS[name]!(args, ctx);
}

function assertValue(got: Value | undefined, want: Value | undefined, label: string): void {
  const show = (v: Value | undefined): string => (v === undefined ? 'undefined' : serializeJson(v));
  if (want === undefined) assert.equal(got, undefined, `${label}: want undefined, got ${show(got)}`);
  else assert.ok(got !== undefined && equal(got, want), `${label}: want ${show(want)}, got ${show(got)}`);
}

// ---------------------------------------------------------------------------------------------
// The embedded table
// ---------------------------------------------------------------------------------------------

/** Public addresses whose registration country is long-standing (checked against the table). */
const PUBLIC: [string, string][] = [
  ['8.8.8.8', 'US'],                       // Google Public DNS (ARIN)
  ['9.9.9.9', 'US'],                       // Quad9
  ['1.1.1.1', 'AU'],                       // APNIC research prefix (Cloudflare)
  ['193.0.6.139', 'NL'],                   // RIPE NCC
  ['81.2.69.142', 'GB'],                   // RIPE block in the UK
  ['200.160.2.3', 'BR'],                   // NIC.br (LACNIC)
  ['133.1.1.1', 'JP'],                     // JPNIC legacy block
  ['41.0.0.1', 'ZA'],                      // AFRINIC
  ['2001:4860:4860::8888', 'US'],          // Google Public DNS over IPv6
  ['2606:4700:4700::1111', 'US'],          // Cloudflare DNS over IPv6
  ['2a00:1450:4001:80b::200e', 'IE'],      // Google Ireland (RIPE)
  ['2001:67c:2e8:22::c100:68b', 'NL'],     // RIPE NCC over IPv6
  ['2001:dc0:2001:0:4608:20::', 'AU'],     // APNIC
  ['::ffff:8.8.8.8', 'US'],                // IPv4-mapped IPv6 behaves as IPv4
  ['::FFFF:193.0.6.139', 'NL'],
  ['0:0:0:0:0:ffff:c100:68b', 'NL'],       // the same, in hex
];

/** Special-purpose addresses and the scope `geo.lookup` gives them. */
const SPECIAL: [string, string][] = [
  ['10.1.2.3', 'private'], ['172.16.5.4', 'private'], ['172.31.255.255', 'private'], ['192.168.1.1', 'private'],
  ['fc00::1', 'private'], ['fd12:3456:789a::1', 'private'], ['64:ff9b:1::1', 'private'], ['::ffff:10.0.0.1', 'private'],
  ['127.0.0.1', 'loopback'], ['127.255.255.254', 'loopback'], ['::1', 'loopback'], ['::ffff:127.0.0.1', 'loopback'],
  ['169.254.169.254', 'link_local'], ['fe80::1', 'link_local'], ['febf:ffff::1', 'link_local'],
  ['100.64.0.1', 'shared'], ['100.127.255.255', 'shared'],
  ['192.0.2.1', 'documentation'], ['198.51.100.7', 'documentation'], ['203.0.113.9', 'documentation'],
  ['2001:db8::1', 'documentation'], ['2001:db8:ffff:ffff:ffff:ffff:ffff:ffff', 'documentation'], ['3fff::1', 'documentation'],
  ['224.0.0.1', 'multicast'], ['239.255.255.250', 'multicast'], ['ff02::1', 'multicast'], ['ff0e::101', 'multicast'],
  ['0.0.0.0', 'unspecified'], ['::', 'unspecified'], ['0:0:0:0:0:0:0:0', 'unspecified'],
  ['0.1.2.3', 'reserved'], ['240.0.0.1', 'reserved'], ['255.255.255.255', 'reserved'], ['198.18.0.1', 'reserved'],
  ['192.0.0.8', 'reserved'], ['192.88.99.1', 'reserved'], ['fec0::1', 'reserved'], ['100::1', 'reserved'],
  ['2001::1', 'reserved'], ['4000::1', 'reserved'], ['::2', 'reserved'], ['::1.2.3.4', 'reserved'],
];

/** Addresses just outside special-purpose blocks. */
const BOUNDARIES = ['9.255.255.255', '11.0.0.0', '100.63.255.255', '100.128.0.0', '172.15.255.255', '172.32.0.0',
  '192.167.255.255', '192.169.0.0', '223.255.255.255', '2001:db7:ffff::1', '2001:db9::1', '2001:200::1'];

/** Text that is not an IP address: undefined from every geo builtin, never an error. */
const MALFORMED = ['', '999.1.1.1', '1.2.3', 'abc', 'x'.repeat(10_000), '1'.repeat(65), '1.2.3.4/24', '2001:db8::/32',
  '01.2.3.4', '1.2.3.4 ', ' 1.2.3.4', '1.2.3.4.5', '8.8.8.8:53', '[::1]', 'fe80::1%eth0', '1:2:3:4:5:6:7:8:9', ':::1',
  '::ffff:1.2.3', '1.2.3.-4', '0x1.2.3.4', 'localhost', '١.٢.٣.٤'];

test('geo.country: well-known public addresses in the embedded table', () => {
  check('geo.country', PUBLIC.map(([ip, cc]) => ({ args: [ip], want: cc })));
  for (const [ip, cc] of PUBLIC) {
    assertValue(callWith({}, 'geo.lookup', ip), { country: cc, scope: 'public', source: 'embedded' }, `geo.lookup(${ip})`);
  }
});

test('geo: special-purpose addresses are ZZ with their scope, never looked up', () => {
  check('geo.country', SPECIAL.map(([ip]) => ({ args: [ip], want: UNKNOWN_COUNTRY })));
  check('geo.lookup', SPECIAL.map(([ip, scope]) => ({ args: [ip], want: { country: 'ZZ', scope, source: 'embedded' } })));
  check('geo.region', SPECIAL.map(([ip]) => ({ args: [ip], want: undefined })));
  for (const ip of BOUNDARIES) {
    const got = callWith({}, 'geo.lookup', ip) as { scope?: string } | undefined;
    assert.equal(got?.scope, 'public', `geo.lookup(${ip}).scope`);
  }
});

test('geo: text that is not an IP address is undefined', () => {
  for (const name of GEO) check(name, MALFORMED.map(ip => ({ args: [ip], want: undefined })));
});

test('geo: a non-string operand is a type error', () => {
  for (const name of GEO) {
    const rows: Row[] = [
      { args: [1], error: TE, message: `${name}: operand 1 must be string but got number` },
      { args: [null], error: TE, message: `${name}: operand 1 must be string but got null` },
      { args: [['8.8.8.8']], error: TE, message: `${name}: operand 1 must be string but got array` },
      { args: [{ ip: '8.8.8.8' }], error: TE, message: `${name}: operand 1 must be string but got object` },
    ];
    check(name, rows);
  }
});

test('geo: type errors are undefined unless builtin errors are strict', () => {
  const policy = compile({ modules: { 'p.pol': 'package p\n\nc := geo.country(input.ip)\nl := geo.lookup(input.ip)\nr := geo.region(input.ip)\n' } });
  for (const rule of ['c', 'l', 'r']) {
    assert.equal(policy.evaluate(`p/${rule}`, { ip: 7 }), undefined, rule);
    assert.throws(() => policy.evaluate(`p/${rule}`, { ip: 7 }, { strictBuiltinErrors: true }),
      (e: unknown) => e instanceof PolError && e.code === TE && /operand 1 must be string but got number/.test(e.message), rule);
  }
  assert.equal(policy.evaluate('p/c', { ip: '1.2.3' }, { strictBuiltinErrors: true }), undefined, 'not an address: no error, even strict');
  assert.equal(policy.evaluate('p/c', { ip: '8.8.8.8' }), 'US');
  assert.deepEqual(policy.evaluate('p/l', { ip: '10.0.0.1' }), { country: 'ZZ', scope: 'private', source: 'embedded' });
  // A constant non-string argument is caught by the type checker.
  assert.throws(() => compile({ modules: { 'q.pol': 'package q\n\nc := geo.country(1)\n' } }), (e: unknown) => e instanceof PolError && e.code === 'rego_type_error');
});

test('geo.region is undefined with the embedded (country-only) table', () => {
  check('geo.region', [...PUBLIC.map(([ip]) => ({ args: [ip], want: undefined })), { args: ['abc'], want: undefined }]);
});

test('geo: the embedded table loads and describes itself', () => {
  const t = embeddedCountryTable();
  assert.equal(t.source, 'embedded');
  assert.ok(t.v4Count > 100_000 && t.v6Count > 100_000, `${t.v4Count} / ${t.v6Count} segments`);
  assert.match(String(t.meta.source), /geo-whois-asn-country/);
  assert.equal(embeddedCountryTable(), t, 'loaded once');
});

/** A table image in the generator's layout (engine/builtins/geo/data/generate.mjs). */
function tableImage(codes: string[], v4: [number, number][], v6: [bigint, number][]): Buffer {
  const meta = Buffer.from(JSON.stringify({ source: 'test' }));
  const parts: Buffer[] = [Buffer.from('POLGEO01', 'latin1')];
  const u32 = (n: number): Buffer => { const b = Buffer.alloc(4); b.writeUInt32LE(n); return b; };
  parts.push(u32(meta.length), meta, u32(codes.length), Buffer.from(codes.map(c => c || '--').join(''), 'latin1'));
  parts.push(u32(v4.length), ...v4.map(([s]) => u32(s)), Buffer.from(v4.map(([, c]) => c)));
  parts.push(u32(v6.length));
  for (const [s] of v6) for (let w = 3; w >= 0; w--) parts.push(u32(Number((s >> BigInt(32 * w)) & 0xffffffffn)));
  parts.push(Buffer.from(v6.map(([, c]) => c)));
  return Buffer.concat(parts);
}

test('geo: country table segments apply from their start up to the next start', () => {
  const ip4 = (s: string): number => s.split('.').reduce((n, p) => n * 256 + Number(p), 0);
  const t = parseCountryTable(tableImage(['', 'DE', 'FR', 'US'],
    [[0, 0], [ip4('8.0.0.0'), 3], [ip4('9.0.0.0'), 0], [ip4('81.0.0.0'), 1], [ip4('81.2.0.0'), 2], [ip4('81.3.0.0'), 1], [ip4('255.255.255.255'), 3]],
    [[0n, 0], [0x2001n << 112n, 1], [(0x2001n << 112n) | (0xdb8n << 96n), 2], [(0x2001n << 112n) | (0xdb9n << 96n), 0], [(1n << 128n) - 1n, 3]]), 'test');
  const v4 = (s: string): string | undefined => t.lookup(false, BigInt(ip4(s)))?.country;
  assert.equal(v4('0.0.0.0'), undefined);
  assert.equal(v4('7.255.255.255'), undefined);
  assert.equal(v4('8.0.0.0'), 'US');
  assert.equal(v4('8.255.255.255'), 'US');
  assert.equal(v4('9.0.0.0'), undefined);
  assert.equal(v4('81.1.255.255'), 'DE');
  assert.equal(v4('81.2.0.0'), 'FR');
  assert.equal(v4('81.2.255.255'), 'FR');
  assert.equal(v4('81.3.0.0'), 'DE');
  assert.equal(v4('255.255.255.254'), 'DE');
  assert.equal(v4('255.255.255.255'), 'US');
  const v6 = (n: bigint): string | undefined => t.lookup(true, n)?.country;
  assert.equal(v6(1n), undefined);
  assert.equal(v6((0x2001n << 112n) - 1n), undefined);
  assert.equal(v6(0x2001n << 112n), 'DE');
  assert.equal(v6((0x2001n << 112n) | (0xdb8n << 96n) | 5n), 'FR');
  assert.equal(v6((0x2001n << 112n) | (0xdb9n << 96n)), undefined);
  assert.equal(v6((1n << 128n) - 2n), undefined);
  assert.equal(v6((1n << 128n) - 1n), 'US');
  // IPv6 words compare as unsigned 32-bit numbers (a high bit must not read as negative).
  const hi = parseCountryTable(tableImage(['', 'JP'], [], [[0n, 0], [0xffff0000n << 96n, 1]]));
  assert.equal(hi.lookup(true, 0x7fffffffn << 96n), undefined);
  assert.equal(hi.lookup(true, 0xffff0001n << 96n)?.country, 'JP');
  assert.equal(hi.lookup(false, 1n), undefined, 'no IPv4 segments');

  assert.throws(() => parseCountryTable(Buffer.from('NOTATABLE')), /not a pol country table/);
  assert.throws(() => parseCountryTable(Buffer.concat([tableImage(['', 'DE'], [[0, 1]], []), Buffer.alloc(1)])), /trailing bytes/);
  assert.throws(() => parseCountryTable(tableImage(['', 'DE'], [[0, 2]], [])), /index out of range/);
});

// ---------------------------------------------------------------------------------------------
// MaxMind-format databases
// ---------------------------------------------------------------------------------------------

const LONDON = { country: { iso_code: 'GB' }, subdivisions: [{ iso_code: 'ENG' }], city: { names: { en: 'London', de: 'London' } }, continent: { code: 'EU' } };

const V4_NETWORKS: MmdbNetwork[] = [
  { cidr: '81.0.0.0/8', data: { country: { iso_code: 'FR' } } },           // overridden below for 81.2.69.0/24
  { cidr: '81.2.69.0/24', data: LONDON },
  { cidr: '203.0.113.0/24', data: { country: { iso_code: 'US' } } },       // documentation: never looked up
  { cidr: '10.0.0.0/8', data: { country: { iso_code: 'US' } } },           // private: never looked up
  { cidr: '216.160.83.0/24', data: { country: { iso_code: 'US' }, subdivisions: [{ iso_code: 'WA' }, { iso_code: 'X' }], city: { names: { en: 'Milton' } }, continent: { code: 'NA' } } },
  { cidr: '89.160.20.0/24', data: { registered_country: { iso_code: 'se' } } },
  { cidr: '2.125.160.0/24', data: { country_code: 'FR', state1: 'Île-de-France', city: 'Paris', continent_code: 'EU' } },
  { cidr: '175.16.199.0/24', data: { country: { iso_code: 'XYZ' }, city: { names: { en: 'Nowhere' } } } },
  { cidr: '67.43.156.0/24', data: { country: { iso_code: 'BT' }, subdivisions: [{ iso_code: 'too-long' }], continent: { code: 'Asia' } } },
  { cidr: '149.101.100.0/24', data: 'not a map' },
];
const V6_NETWORKS: MmdbNetwork[] = [
  ...V4_NETWORKS,
  { cidr: '2a02:ff0::/32', data: { country: { iso_code: 'DE' }, continent: { code: 'EU' } } },
  { cidr: '2001:db8::/32', data: { country: { iso_code: 'US' } } },
];

let dir: string;
let v4Path: string;
let v6Path: string;
let v6Path32: string;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'pol-geo-'));
  v4Path = join(dir, 'city-v4.mmdb');
  v6Path = join(dir, 'city-v6.mmdb');
  v6Path32 = join(dir, 'city-v6-32.mmdb');
  writeFileSync(v4Path, writeMmdb(V4_NETWORKS, { ipVersion: 4, recordSize: 24, databaseType: 'GeoIP2-City' }));
  writeFileSync(v6Path, writeMmdb(V6_NETWORKS, { ipVersion: 6, recordSize: 28, databaseType: 'GeoIP2-City' }));
  writeFileSync(v6Path32, writeMmdb(V6_NETWORKS, { ipVersion: 6, recordSize: 32 }));
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('mmdb-lib reads the test databases', () => {
  for (const path of [v4Path, v6Path, v6Path32]) {
    const r = new Reader<Record<string, unknown>>(readFileSync(path));
    assert.equal(r.metadata.binaryFormatMajorVersion, 2);
    assert.deepEqual(r.get('81.2.69.142'), LONDON, path);
    assert.deepEqual(r.get('81.2.70.1'), { country: { iso_code: 'FR' } }, path);
    assert.equal(r.get('8.8.8.8'), null, path);
  }
  assert.equal(new Reader(readFileSync(v4Path)).metadata.ipVersion, 4);
  const r6 = new Reader<Record<string, unknown>>(readFileSync(v6Path));
  assert.equal(r6.metadata.ipVersion, 6);
  assert.equal(r6.metadata.recordSize, 28);
  assert.deepEqual(r6.get('2a02:ff0:1::1'), { country: { iso_code: 'DE' }, continent: { code: 'EU' } });
});

/** What every test database answers for IPv4 (and IPv4-mapped) addresses. */
const MMDB_V4: [string, Record<string, string> | undefined][] = [
  ['81.2.69.142', { country: 'GB', region: 'GB-ENG', city: 'London', continent: 'EU', scope: 'public' }],
  ['::ffff:81.2.69.160', { country: 'GB', region: 'GB-ENG', city: 'London', continent: 'EU', scope: 'public' }],
  ['81.2.70.1', { country: 'FR', scope: 'public' }],
  ['216.160.83.56', { country: 'US', region: 'US-WA', city: 'Milton', continent: 'NA', scope: 'public' }],
  ['89.160.20.112', { country: 'SE', scope: 'public' }],                           // registered_country, upper-cased
  ['2.125.160.216', { country: 'FR', city: 'Paris', continent: 'EU', scope: 'public' }], // flat layout; a region name is not a code
  ['175.16.199.1', { country: 'ZZ', scope: 'public' }],                            // no valid country: unknown
  ['67.43.156.1', { country: 'BT', scope: 'public' }],                             // invalid subdivision and continent dropped
  ['149.101.100.1', { country: 'ZZ', scope: 'public' }],                           // a record that is not a map
  ['8.8.8.8', { country: 'ZZ', scope: 'public' }],                                 // not in the database: no fallback to the embedded table
  ['203.0.113.7', { country: 'ZZ', scope: 'documentation' }],
  ['10.1.1.1', { country: 'ZZ', scope: 'private' }],
  ['127.0.0.1', { country: 'ZZ', scope: 'loopback' }],
  ['not-an-ip', undefined],
];

function checkDatabase(host: BuiltinHost, rows: [string, Record<string, string> | undefined][], label: string): void {
  for (const [ip, want] of rows) {
    const at = `${label} ${ip}`;
    if (want === undefined) {
      for (const name of GEO) assertValue(callWith(host, name, ip), undefined, `${at} ${name}`);
      continue;
    }
    const { scope, ...rec } = want;
    assertValue(callWith(host, 'geo.lookup', ip), { ...rec, scope: scope!, source: 'mmdb' }, `${at} geo.lookup`);
    assertValue(callWith(host, 'geo.country', ip), rec.country!, `${at} geo.country`);
    assertValue(callWith(host, 'geo.region', ip), rec.region, `${at} geo.region`);
  }
}

test('geo with an IPv4 .mmdb database, by path and loaded', () => {
  const v6Rows: [string, Record<string, string>][] = [
    ['2001:4860:4860::8888', { country: 'ZZ', scope: 'public' }],   // an IPv4-only database knows no IPv6 address
    ['2001:db8::1', { country: 'ZZ', scope: 'documentation' }],
  ];
  checkDatabase({ geoDatabase: v4Path }, [...MMDB_V4, ...v6Rows], 'path');
  const db = loadGeoDatabase(v4Path);
  assert.equal(db.source, v4Path);
  checkDatabase({ geoDatabase: db }, [...MMDB_V4, ...v6Rows], 'loaded');
});

test('geo with IPv6 .mmdb databases (IPv4 subtree, 28- and 32-bit records)', () => {
  const v6Rows: [string, Record<string, string>][] = [
    ['2a02:ff0:1234::1', { country: 'DE', continent: 'EU', scope: 'public' }],
    ['2001:4860:4860::8888', { country: 'ZZ', scope: 'public' }],
    ['2001:db8::1', { country: 'ZZ', scope: 'documentation' }],
    ['fe80::1', { country: 'ZZ', scope: 'link_local' }],
  ];
  for (const path of [v6Path, v6Path32]) {
    checkDatabase({ geoDatabase: path }, [...MMDB_V4, ...v6Rows], path);
    checkDatabase({ geoDatabase: loadGeoDatabase(path) }, [...MMDB_V4, ...v6Rows], `loaded ${path}`);
  }
});

test('geo: the engine passes the compile host to the builtins', () => {
  const modules = { 'g.pol': 'package g\n\nlookup := geo.lookup(input.ip)\nregion := geo.region(input.ip)\nblocked if geo.country(input.ip) in {"GB"}\n' };
  const withDb = compile({ modules, host: { geoDatabase: loadGeoDatabase(v6Path) } });
  assert.deepEqual(withDb.evaluate('g/lookup', { ip: '81.2.69.142' }),
    { country: 'GB', region: 'GB-ENG', city: 'London', continent: 'EU', scope: 'public', source: 'mmdb' });
  assert.equal(withDb.evaluate('g/region', { ip: '81.2.69.142' }), 'GB-ENG');
  assert.equal(withDb.entrypoint('g/blocked').evaluate({ ip: '81.2.69.142' }), true);
  assert.equal(withDb.entrypoint('g/blocked').evaluate({ ip: '203.0.113.1' }), undefined);
  const byPath = compile({ modules, host: { geoDatabase: v4Path } });
  assert.equal(byPath.evaluate('g/region', { ip: '216.160.83.56' }), 'US-WA');
  const embedded = compile({ modules });
  assert.equal(embedded.evaluate('g/region', { ip: '81.2.69.142' }), undefined);
  assert.deepEqual(embedded.evaluate('g/lookup', { ip: '81.2.69.142' }), { country: 'GB', scope: 'public', source: 'embedded' });
});

test('geo: a database object from elsewhere is used as is', () => {
  const custom: GeoDatabase = { source: 'custom', lookup: (v6, n) => (v6 || n !== 0x08080808n ? undefined : { country: 'CH', city: 'Bern' }) };
  assertValue(callWith({ geoDatabase: custom }, 'geo.lookup', '8.8.8.8'), { country: 'CH', city: 'Bern', scope: 'public', source: 'mmdb' }, 'custom');
  assertValue(callWith({ geoDatabase: custom }, 'geo.country', '9.9.9.9'), 'ZZ', 'custom miss');
  assertValue(callWith({ geoDatabase: '' }, 'geo.country', '8.8.8.8'), 'US', 'empty path: embedded');
  assertValue(callWith({ geoDatabase: null }, 'geo.country', '8.8.8.8'), 'US', 'null: embedded');
});

/** The error every geo builtin raises for `host`: a halting eval_builtin_error naming the problem. */
function assertGeoError(host: BuiltinHost, pattern: RegExp, label: string): void {
  for (const name of GEO) {
    for (const ip of ['81.2.69.142', '10.0.0.1']) {
      assert.throws(() => callWith(host, name, ip), (e: unknown) =>
        e instanceof HaltError && e.code === 'eval_builtin_error' && e.message.startsWith(`${name}: `) && pattern.test(e.message),
      `${label}: ${name}(${ip})`);
    }
  }
}

test('geo: a missing or corrupt database is a clear error naming the file', () => {
  const esc = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const missing = join(dir, 'missing.mmdb');
  assertGeoError({ geoDatabase: missing }, new RegExp(`cannot load geo database ${esc(missing)}: no such file`), 'missing');
  assert.throws(() => loadGeoDatabase(missing), new RegExp(`cannot load geo database ${esc(missing)}: no such file`));

  const sub = join(dir, 'a-directory.mmdb');
  mkdirSync(sub);
  assert.throws(() => loadGeoDatabase(sub), new RegExp(`${esc(sub)}: is a directory`));

  const good = readFileSync(v4Path);
  const markerAt = good.lastIndexOf(Buffer.from('abcdef4d61784d696e642e636f6d', 'hex'));
  const corrupt: [string, Buffer, RegExp][] = [
    ['empty.mmdb', Buffer.alloc(0), /not a MaxMind DB \(\.mmdb\) file/],
    ['text.mmdb', Buffer.from('hello, world\n'.repeat(100)), /not a MaxMind DB \(\.mmdb\) file/],
    ['cut-in-metadata.mmdb', good.subarray(0, good.length - 20), /corrupt MaxMind DB file/],
    ['cut-in-marker.mmdb', good.subarray(0, markerAt + 5), /not a MaxMind DB \(\.mmdb\) file/],
    ['no-tree.mmdb', good.subarray(markerAt - 20), /corrupt MaxMind DB file \(a search tree of \d+ nodes does not fit/],
    ['bad-metadata.mmdb', Buffer.concat([Buffer.alloc(64), Buffer.from('abcdef4d61784d696e642e636f6d', 'hex'), Buffer.from([0xff, 0xff])]), /corrupt MaxMind DB file/],
    ['record-size.mmdb', writeMmdbWithRecordSize(good, 20), /corrupt MaxMind DB file \(Unsupported record size\)/],
  ];
  for (const [name, bytes, pattern] of corrupt) {
    const path = join(dir, name);
    writeFileSync(path, bytes);
    assert.throws(() => loadGeoDatabase(path), (e: unknown) => e instanceof Error && e.message.startsWith(`cannot load geo database ${path}: `) && pattern.test(e.message), name);
    assertGeoError({ geoDatabase: path }, pattern, name);
  }

  // Not a silent fallback: with strict builtin errors off, evaluation still stops.
  const policy = compile({ modules: { 'p.pol': 'package p\n\nc := geo.country(input.ip)\n' }, host: { geoDatabase: missing } });
  for (const strictBuiltinErrors of [false, true]) {
    assert.throws(() => policy.evaluate('p/c', { ip: '8.8.8.8' }, { strictBuiltinErrors }), (e: unknown) =>
      e instanceof PolError && e.code === 'eval_builtin_error' && e.message.includes(`geo.country: cannot load geo database ${missing}`));
  }
  // A string that is not an address is still simply undefined.
  assert.equal(policy.evaluate('p/c', { ip: 'nope' }), undefined);
  assertGeoError({ geoDatabase: 42 }, /host\.geoDatabase must be a path or a database from loadGeoDatabase/, 'number');
});

/** A copy of a 24-bit database whose metadata claims another record size (same encoded width). */
function writeMmdbWithRecordSize(image: Buffer, size: number): Buffer {
  const key = Buffer.from('record_size', 'utf8');
  const at = image.lastIndexOf(key);
  const out = Buffer.from(image);
  // `record_size` is followed by its uint16 value: control byte 0xa1 (uint16, 1 byte) and the byte.
  assert.equal(out[at + key.length], 0xa1);
  out[at + key.length + 1] = size;
  return out;
}

test('geo: a failed path keeps failing until it loads; a loaded one survives a failed reload', () => {
  const path = join(dir, 'later.mmdb');
  assertGeoError({ geoDatabase: path }, /no such file/, 'not there yet');
  writeFileSync(path, readFileSync(v4Path));
  assertGeoError({ geoDatabase: path }, /no such file/, 'the failure is remembered, not retried per call');
  assert.equal(loadGeoDatabase(path).source, path);
  assertValue(callWith({ geoDatabase: path }, 'geo.region', '81.2.69.142'), 'GB-ENG', 'after loadGeoDatabase');

  writeFileSync(path, 'garbage');
  assert.throws(() => loadGeoDatabase(path), /not a MaxMind DB/);
  assertValue(callWith({ geoDatabase: path }, 'geo.region', '81.2.69.142'), 'GB-ENG', 'the working database is kept');
  writeFileSync(path, writeMmdb([{ cidr: '81.2.69.0/24', data: { country: { iso_code: 'IE' } } }], { ipVersion: 4 }));
  loadGeoDatabase(path);
  assertValue(callWith({ geoDatabase: path }, 'geo.country', '81.2.69.142'), 'IE', 'reloaded');
});
