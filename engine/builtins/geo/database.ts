/**
 * Which geo database a lookup uses: `host.geoDatabase` when the host configured one (a database
 * from `loadGeoDatabase`, or an `.mmdb` path opened once per process), else the embedded table.
 * A configured database that cannot be opened is an error, never a silent fallback.
 */
import type { BuiltinHost } from '../types.js';
import type { GeoDatabase } from './record.js';
import { openMmdb } from './mmdb.js';
import { embeddedCountryTable } from './table.js';

const byPath = new Map<string, GeoDatabase>();

/**
 * Loads a MaxMind-format database (GeoIP2/GeoLite2 Country or City, DB-IP, ip-location-db MMDB).
 * Call at start-up so a bad file fails fast; put the result (or the path) in `host.geoDatabase`.
 * Loading the same path again re-reads the file (use it to pick up an updated database).
 */
export function loadGeoDatabase(path: string): GeoDatabase {
  const db = openMmdb(path);
  byPath.set(path, db);
  return db;
}

function isDatabase(v: unknown): v is GeoDatabase {
  return typeof v === 'object' && v !== null && typeof (v as GeoDatabase).lookup === 'function';
}

export function databaseFor(host: BuiltinHost): GeoDatabase {
  const configured = host.geoDatabase;
  if (configured === undefined || configured === null || configured === '') return embeddedCountryTable();
  if (isDatabase(configured)) return configured;
  if (typeof configured === 'string') return byPath.get(configured) ?? loadGeoDatabase(configured);
  throw new Error('host.geoDatabase must be a path or a database from loadGeoDatabase');
}
