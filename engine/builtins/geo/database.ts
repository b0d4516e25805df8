/**
 * Which geo database a lookup uses: `host.geoDatabase` when the host configured one (a database
 * from `loadGeoDatabase`, or an `.mmdb` path opened once per process), else the embedded table.
 * A configured database that cannot be opened is an error, never a silent fallback; a path that
 * failed keeps failing (without re-reading the file on every call) until `loadGeoDatabase` succeeds,
 * and a path that loaded keeps its database when a later reload fails.
 */
import type { BuiltinHost } from '../types.js';
import type { GeoDatabase } from './record.js';
import { openMmdb } from './mmdb.js';
import { embeddedCountryTable } from './table.js';

const byPath = new Map<string, GeoDatabase>();
const failedPaths = new Map<string, Error>();

/**
 * Loads a MaxMind-format database (GeoIP2/GeoLite2 Country or City, DB-IP, ip-location-db MMDB).
 * Call at start-up so a bad file fails fast; put the result (or the path) in `host.geoDatabase`.
 * Loading the same path again re-reads the file (use it to pick up an updated database).
 */
export function loadGeoDatabase(path: string): GeoDatabase {
  let db: GeoDatabase;
  try {
    db = openMmdb(path);
  } catch (e) {
    failedPaths.set(path, e as Error);
    throw e;
  }
  failedPaths.delete(path);
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
  if (typeof configured === 'string') {
    const loaded = byPath.get(configured);
    if (loaded) return loaded;
    const failed = failedPaths.get(configured);
    if (failed) throw failed;
    return loadGeoDatabase(configured);
  }
  throw new Error('host.geoDatabase must be a path or a database from loadGeoDatabase');
}
