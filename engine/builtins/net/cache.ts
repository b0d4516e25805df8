/**
 * Bounded memo of parsed addresses and networks. Policies test a constant allow-list CIDR against
 * each request's address, so the CIDR text is parsed once per process, not once per request.
 * Eviction drops the oldest entry (Map keeps insertion order): cheap, and good enough for the
 * mostly-constant keys this serves.
 */
import { parseCIDR, parseIP, type IP, type Net } from './ip.js';

const LIMIT = 4096;
const cidrs = new Map<string, Net | null>();
const ips = new Map<string, IP | null>();

function remember<T>(map: Map<string, T | null>, key: string, value: T | undefined): T | undefined {
  if (map.size >= LIMIT) map.delete(map.keys().next().value!);
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
