/**
 * Bounded memo of parsed addresses and networks. Policies test a constant allow-list CIDR against
 * each request's address, so the CIDR text is parsed once per process, not once per request.
 * A full memo is cleared rather than trimmed entry by entry: V8 maps keep deleted slots until they
 * rehash, so "drop the oldest" under churn (a new client address per request) walks ever more
 * holes, while clearing costs one re-parse of the constant entries.
 */
import { parseCIDR, parseIP, type IP, type Net } from './ip.js';

const LIMIT = 4096;
const cidrs = new Map<string, Net | null>();
const ips = new Map<string, IP | null>();

function remember<T>(map: Map<string, T | null>, key: string, value: T | undefined): T | undefined {
  if (map.size >= LIMIT) map.clear();
  map.set(key, value ?? null);
  return value;
}

export function cachedCIDR(text: string): Net | undefined {
  const hit = cidrs.get(text);
  if (hit !== undefined) return hit ?? undefined;
  return remember(cidrs, text, text.length > 80 ? undefined : parseCIDR(text));
}

export function cachedIP(text: string): IP | undefined {
  const hit = ips.get(text);
  if (hit !== undefined) return hit ?? undefined;
  return remember(ips, text, parseIP(text));
}
