/**
 * MaxMind-format (`.mmdb`) databases through mmdb-lib. Understands the common record layouts:
 * GeoIP2/GeoLite2 and DB-IP (`country.iso_code`, `subdivisions[0].iso_code`, `city.names.en`,
 * `continent.code`, falling back to `registered_country`) and flat ones (`country_code`).
 */
import { readFileSync } from 'node:fs';
import { Reader } from 'mmdb-lib';
import { formatIP } from '../net/ip.js';
import { COUNTRY_CODE, type GeoDatabase, type GeoRecord } from './record.js';

type Json = Record<string, unknown>;

const isRecord = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const own = (o: unknown, k: string): unknown => (isRecord(o) && Object.prototype.hasOwnProperty.call(o, k) ? o[k] : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** Turns one database record into pol's shape; undefined when it names no valid country. */
export function recordOf(raw: unknown): GeoRecord | undefined {
  if (!isRecord(raw)) return undefined;
  const code = str(own(own(raw, 'country'), 'iso_code')) ?? str(own(own(raw, 'registered_country'), 'iso_code'))
    ?? str(own(raw, 'country_code')) ?? str(own(raw, 'country'));
  const country = code?.toUpperCase();
  if (!country || !COUNTRY_CODE.test(country)) return undefined;
  const rec: GeoRecord = { country };
  const subdivisions = own(raw, 'subdivisions');
  const sub = Array.isArray(subdivisions) ? str(own(subdivisions[0], 'iso_code')) : str(own(raw, 'region_code')) ?? str(own(raw, 'state1'));
  if (sub && /^[A-Za-z0-9]{1,3}$/.test(sub)) rec.region = `${country}-${sub.toUpperCase()}`;
  const city = str(own(own(own(raw, 'city'), 'names'), 'en')) ?? str(own(raw, 'city'));
  if (city) rec.city = city;
  const continent = str(own(own(raw, 'continent'), 'code')) ?? str(own(raw, 'continent_code'));
  if (continent && /^[A-Z]{2}$/.test(continent)) rec.continent = continent;
  return Object.freeze(rec);
}

/** The marker that starts an MMDB file's metadata section (`\xAB\xCD\xEFMaxMind.com`). */
const METADATA_MARKER = Buffer.from('abcdef4d61784d696e642e636f6d', 'hex');

function readError(e: unknown): string {
  const code = (e as NodeJS.ErrnoException)?.code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'is a directory';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return (e as Error)?.message ?? String(e);
}

/**
 * Opens an `.mmdb` file. Throws (with the path) when it cannot be read or is not a usable MMDB
 * file: no metadata section, metadata mmdb-lib rejects, or a search tree the file cannot hold.
 */
export function openMmdb(path: string): GeoDatabase {
  const fail = (why: string): Error => new Error(`cannot load geo database ${path}: ${why}`);
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (e) {
    throw fail(readError(e));
  }
  const markerAt = buf.lastIndexOf(METADATA_MARKER);
  if (markerAt < 0) throw fail('not a MaxMind DB (.mmdb) file (no metadata section)');
  let reader: Reader<Json>;
  try {
    reader = new Reader<Json>(buf);
  } catch (e) {
    throw fail(`corrupt MaxMind DB file (${(e as Error).message})`);
  }
  const m = reader.metadata;
  if (m.binaryFormatMajorVersion !== 2) throw fail(`unsupported MaxMind DB format version ${String(m.binaryFormatMajorVersion)}`);
  if (m.ipVersion !== 4 && m.ipVersion !== 6) throw fail(`corrupt MaxMind DB file (ip_version ${String(m.ipVersion)})`);
  if (!Number.isInteger(m.nodeCount) || m.nodeCount < 1 || m.searchTreeSize + 16 > markerAt) {
    throw fail(`corrupt MaxMind DB file (a search tree of ${String(m.nodeCount)} nodes does not fit in ${buf.length} bytes)`);
  }
  const ipv4Only = m.ipVersion === 4;
  return {
    source: path,
    lookup(v6, n) {
      if (v6 && ipv4Only) return undefined;
      try {
        return recordOf(reader.get(formatIP(v6, n)));
      } catch {
        return undefined; // a corrupt record answers "unknown", never a crash
      }
    },
  };
}
