/**
 * pol's geo builtins: country, region and a full lookup for an IP address.
 *
 * Answers, in order: a string that is not an IP address → undefined (no result, no error); an
 * address in a special-purpose block (private, loopback, link-local, documentation, ...) → country
 * `ZZ` (ISO's "unknown") with its scope; a public address → the database's country, or `ZZ` when
 * the database has none. `geo.region` is defined only when the database has subdivisions. A
 * configured database that cannot be loaded raises `eval_builtin_error` whatever the strict setting.
 */
import { HaltError, type BuiltinContext, type BuiltinImpl } from './types.js';
import type { PlainObject, Value } from '../value.js';
import { stringOperand } from './time/operands.js';
import { cachedIP } from './net/cache.js';
import { scopeOf, type Scope } from './geo/scope.js';
import { databaseFor } from './geo/database.js';
import type { GeoRecord } from './geo/record.js';

export { loadGeoDatabase } from './geo/database.js';
export type { GeoDatabase, GeoRecord } from './geo/record.js';

/** The country code for addresses with no known country. */
export const UNKNOWN_COUNTRY = 'ZZ';

interface Answer { scope: Scope; record: GeoRecord | undefined; source: string }

/** Longest address text we try to parse (IPv6 with an embedded IPv4 is 45 characters). */
const MAX_IP_TEXT = 64;

function answer(name: string, args: Value[], ctx: BuiltinContext): Answer | undefined {
  const text = stringOperand(name, args, 0);
  if (text.length > MAX_IP_TEXT) return undefined;
  const ip = cachedIP(text);
  if (!ip) return undefined;
  const scope = scopeOf(ip.v6, ip.n);
  let db;
  try {
    db = databaseFor(ctx.host);
  } catch (e) {
    // A host misconfiguration, not a property of the input: it stops evaluation even with strict
    // builtin errors off, so `not geo.country(ip) in blocked` cannot quietly fail open.
    throw new HaltError(`${name}: ${(e as Error).message}`);
  }
  return { scope, record: scope === 'public' ? db.lookup(ip.v6, ip.n) : undefined, source: db.source === 'embedded' ? 'embedded' : 'mmdb' };
}

const country: BuiltinImpl = (args, ctx) => {
  const a = answer('geo.country', args, ctx);
  return a && (a.record?.country ?? UNKNOWN_COUNTRY);
};

const region: BuiltinImpl = (args, ctx) => answer('geo.region', args, ctx)?.record?.region;

const lookup: BuiltinImpl = (args, ctx) => {
  const a = answer('geo.lookup', args, ctx);
  if (!a) return undefined;
  const out: PlainObject = { country: a.record?.country ?? UNKNOWN_COUNTRY, scope: a.scope, source: a.source };
  if (a.record?.region) out.region = a.record.region;
  if (a.record?.city) out.city = a.record.city;
  if (a.record?.continent) out.continent = a.record.continent;
  return out;
};

export const impls: Record<string, BuiltinImpl> = {
  'geo.country': country,
  'geo.region': region,
  'geo.lookup': lookup,
};
