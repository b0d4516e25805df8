#!/usr/bin/env node
/**
 * Builds pol's embedded country table (`country.bin.gz`) from the numeric CSV files of the npm
 * package `@ip-location-db/geo-whois-asn-country` (data: CC BY 4.0, NRO; packaging: CC0):
 *
 *   npm pack @ip-location-db/geo-whois-asn-country && tar xzf ip-location-db-*.tgz
 *   node engine/builtins/geo/data/generate.mjs package engine/builtins/geo/data/country.bin.gz
 *
 * The CSV rows are inclusive ranges `start,end,CC`; some ranges nest inside wider ones, and the
 * narrowest range wins. The output is a sorted list of segment starts, each with the country that
 * applies up to the next start (index 0 means "no country"), for IPv4 (32-bit) and IPv6 (128-bit).
 *
 * Layout (little-endian): "POLGEO01", u32 metaLen + JSON meta, u32 codeCount + 2 ASCII bytes per
 * code, u32 n4 + n4 u32 starts + n4 u8 codes, u32 n6 + n6 x 4 u32 words (most significant first)
 * + n6 u8 codes.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const [dir, out] = process.argv.slice(2);
if (!dir || !out) {
  console.error('usage: generate.mjs <package dir with *-num.csv> <output .bin.gz>');
  process.exit(2);
}

function readRanges(file) {
  const rows = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line) continue;
    const [s, e, cc] = line.split(',');
    if (!/^[A-Z]{2}$/.test(cc)) throw new Error(`bad country code in ${file}: ${line}`);
    rows.push({ start: BigInt(s), end: BigInt(e), cc });
  }
  return rows;
}

/** Min-heap of active ranges by size, so the narrowest containing range wins. */
class Heap {
  items = [];
  push(x) {
    const a = this.items; a.push(x);
    let i = a.length - 1;
    while (i > 0) { const p = (i - 1) >> 1; if (a[p].size <= a[i].size) break; [a[p], a[i]] = [a[i], a[p]]; i = p; }
  }
  top() { return this.items[0]; }
  pop() {
    const a = this.items; const last = a.pop();
    if (a.length === 0) return;
    a[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1, r = l + 1; let m = i;
      if (l < a.length && a[l].size < a[m].size) m = l;
      if (r < a.length && a[r].size < a[m].size) m = r;
      if (m === i) break;
      [a[m], a[i]] = [a[i], a[m]]; i = m;
    }
  }
}

function segments(ranges) {
  for (const r of ranges) r.size = r.end - r.start;
  const points = new Set([0n]);
  for (const r of ranges) { points.add(r.start); points.add(r.end + 1n); }
  const sorted = [...points].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const byStart = [...ranges].sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  const heap = new Heap();
  const out = [];
  let next = 0;
  for (const p of sorted) {
    while (next < byStart.length && byStart[next].start <= p) heap.push(byStart[next++]);
    while (heap.top() && heap.top().end < p) heap.pop();
    const cc = heap.top()?.cc ?? '';
    if (out.length && out[out.length - 1].cc === cc) continue;
    out.push({ start: p, cc });
  }
  return out;
}

const v4 = segments(readRanges(join(dir, 'geo-whois-asn-country-ipv4-num.csv')));
const v6 = segments(readRanges(join(dir, 'geo-whois-asn-country-ipv6-num.csv')));
const codes = [''];
const index = new Map([['', 0]]);
for (const s of [...v4, ...v6]) if (!index.has(s.cc)) { index.set(s.cc, codes.length); codes.push(s.cc); }
codes.splice(1, codes.length - 1, ...codes.slice(1).sort());
codes.forEach((c, i) => index.set(c, i));
if (codes.length > 256) throw new Error('too many country codes for one byte');

const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
const meta = Buffer.from(JSON.stringify({
  source: `${pkg.name}@${pkg.version}`,
  license: 'Data CC BY 4.0, Number Resource Organization (nro.net); packaging CC0-1.0 (ip-location-db)',
  generated: new Date().toISOString().slice(0, 10),
}));

const size = 8 + 4 + meta.length + 4 + 2 * codes.length + 4 + 5 * v4.length + 4 + 17 * v6.length;
const buf = Buffer.alloc(size);
let o = buf.write('POLGEO01', 0, 'latin1');
o = buf.writeUInt32LE(meta.length, o); o += meta.copy(buf, o);
o = buf.writeUInt32LE(codes.length, o);
for (const c of codes) o += buf.write((c || '--'), o, 'latin1');
o = buf.writeUInt32LE(v4.length, o);
for (const s of v4) o = buf.writeUInt32LE(Number(s.start), o);
for (const s of v4) o = buf.writeUInt8(index.get(s.cc), o);
o = buf.writeUInt32LE(v6.length, o);
for (const s of v6) for (let w = 3; w >= 0; w--) o = buf.writeUInt32LE(Number((s.start >> BigInt(32 * w)) & 0xffffffffn), o);
for (const s of v6) o = buf.writeUInt8(index.get(s.cc), o);
if (o !== size) throw new Error(`size mismatch ${o} != ${size}`);
writeFileSync(out, gzipSync(buf, { level: 9 }));
console.log(`${v4.length} IPv4 and ${v6.length} IPv6 segments, ${codes.length - 1} countries, ${size} bytes before gzip`);
