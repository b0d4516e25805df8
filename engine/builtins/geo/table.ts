/**
 * The embedded country table (see `data/NOTICE.md`): sorted segment starts with a country index,
 * searched by binary search. IPv6 starts are four 32-bit words, most significant first.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import type { GeoDatabase, GeoRecord } from './record.js';

const MAGIC = 'POLGEO01';

export interface CountryTable extends GeoDatabase {
  readonly meta: Record<string, unknown>;
  readonly v4Count: number;
  readonly v6Count: number;
}

/** Parses a table image (the uncompressed generator output). Throws on a malformed image. */
export function parseCountryTable(buf: Buffer, source = 'embedded'): CountryTable {
  if (buf.toString('latin1', 0, 8) !== MAGIC) throw new Error('not a pol country table');
  let o = 8;
  const u32 = () => { const v = buf.readUInt32LE(o); o += 4; return v; };
  const metaLen = u32();
  const meta = JSON.parse(buf.toString('utf8', o, o + metaLen)) as Record<string, unknown>;
  o += metaLen;
  const codeCount = u32();
  const codes: (GeoRecord | undefined)[] = [];
  for (let i = 0; i < codeCount; i++, o += 2) {
    const cc = buf.toString('latin1', o, o + 2);
    codes.push(i === 0 ? undefined : Object.freeze({ country: cc }));
  }
  const n4 = u32();
  const v4 = new Uint32Array(n4);
  for (let i = 0; i < n4; i++) v4[i] = u32();
  const c4 = Uint8Array.from(buf.subarray(o, o + n4)); o += n4;
  const n6 = u32();
  const v6 = new Uint32Array(n6 * 4);
  for (let i = 0; i < n6 * 4; i++) v6[i] = u32();
  const c6 = Uint8Array.from(buf.subarray(o, o + n6)); o += n6;
  if (o !== buf.length) throw new Error('country table has trailing bytes');
  for (const c of [c4, c6]) for (const x of c) if (x >= codeCount) throw new Error('country table index out of range');

  const find4 = (x: number): number => {
    let lo = 0, hi = n4 - 1;
    while (lo < hi) { const mid = (lo + hi + 1) >>> 1; if (v4[mid]! <= x) lo = mid; else hi = mid - 1; }
    return lo;
  };
  const cmp6 = (i: number, w: number[]): number => {
    for (let k = 0; k < 4; k++) { const a = v6[i * 4 + k]!, b = w[k]!; if (a !== b) return a < b ? -1 : 1; }
    return 0;
  };
  const find6 = (w: number[]): number => {
    let lo = 0, hi = n6 - 1;
    while (lo < hi) { const mid = (lo + hi + 1) >>> 1; if (cmp6(mid, w) <= 0) lo = mid; else hi = mid - 1; }
    return lo;
  };
  return {
    source, meta, v4Count: n4, v6Count: n6,
    lookup(isV6, n) {
      if (!isV6) return n4 ? codes[c4[find4(Number(n))]!] : undefined;
      if (!n6) return undefined;
      const w = [Number((n >> 96n) & 0xffffffffn), Number((n >> 64n) & 0xffffffffn), Number((n >> 32n) & 0xffffffffn), Number(n & 0xffffffffn)];
      return codes[c6[find6(w)]!];
    },
  };
}

/**
 * Where the table lives: next to this module when the data folder is copied beside the compiled
 * code, otherwise in the source tree (`dist/engine/...` → `engine/...`).
 */
function tableCandidates(): string[] {
  return [
    fileURLToPath(new URL('./data/country.bin.gz', import.meta.url)),
    fileURLToPath(new URL('../../../../engine/builtins/geo/data/country.bin.gz', import.meta.url)),
  ];
}

let embedded: CountryTable | undefined;

/** The embedded table, loaded on first use (about 1.7 MB compressed). */
export function embeddedCountryTable(): CountryTable {
  if (embedded) return embedded;
  let lastError: unknown;
  for (const path of tableCandidates()) {
    let raw: Buffer;
    try { raw = readFileSync(path); } catch (e) { lastError = e; continue; }
    embedded = parseCountryTable(gunzipSync(raw));
    return embedded;
  }
  throw new Error(`embedded geo table not found: ${(lastError as Error)?.message ?? 'no candidate path'}`);
}
