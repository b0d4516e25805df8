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

/** Opens an `.mmdb` file. Throws (with the path) when it cannot be read or is not an MMDB file. */
export function openMmdb(path: string): GeoDatabase {
  let reader: Reader<Json>;
  try {
    reader = new Reader<Json>(readFileSync(path));
  } catch (e) {
    throw new Error(`cannot load geo database ${path}: ${(e as Error).message}`);
  }
  const ipv4Only = reader.metadata.ipVersion === 4;
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
