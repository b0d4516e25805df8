/**
 * IANA time zones through the platform's `Intl` data (no extra dependency). A zone resolves once to
 * a cached `Zone`; UTC offsets are computed from `Intl.DateTimeFormat` wall-clock parts and memoised
 * per (zone, hour), so calls around the evaluation clock cost a map lookup.
 */
import { daysFromCivil } from './civil.js';
import { abbreviation, type AbbrevSource } from './abbrev.js';

export interface Zone {
  /** Name as given (`UTC`, `Local`, `Europe/Paris`). */
  name: string;
  /** Offset east of UTC in seconds at the instant `epochSec`. */
  offsetAt(epochSec: number): number;
  /** Abbreviation used by the `MST` layout element (`UTC`, `EST`, `+0530` when none is known). */
  abbrevAt(epochSec: number): string;
}

export const UTC_ZONE: Zone = { name: 'UTC', offsetAt: () => 0, abbrevAt: () => 'UTC' };

const ZONE_LIMIT = 512;
const OFFSET_LIMIT = 8192;
const zones = new Map<string, Zone | null>();

/** The zone for OPA's tz operand, or undefined for an unknown name. */
export function resolveZone(name: string): Zone | undefined {
  if (name === '' || name === 'UTC') return UTC_ZONE;
  const hit = zones.get(name);
  if (hit !== undefined) return hit ?? undefined;
  const zone = name === 'Local' ? intlZone('Local', localZoneName()) : loadZone(name);
  if (zones.size >= ZONE_LIMIT) zones.clear();
  zones.set(name, zone ?? null);
  return zone;
}

function localZoneName(): string {
  return new Intl.DateTimeFormat('en-US').resolvedOptions().timeZone || 'UTC';
}

/** IANA names only: Intl also accepts offsets like `+05:00`, which Go's LoadLocation does not. */
const IANA_NAME = /^[A-Za-z][A-Za-z0-9_+\-]*(\/[A-Za-z0-9_+\-]+)*$/;

function loadZone(name: string): Zone | undefined {
  if (name.length > 64 || !IANA_NAME.test(name)) return undefined;
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
  // Intl matches names case-insensitively; Go's tzdata lookup does not (`utc` is unknown to OPA).
  if (resolved !== name && resolved.toLowerCase() === name.toLowerCase()) return undefined;
  return intlZone(name, name);
}

function intlZone(name: string, ianaName: string): Zone {
  if (ianaName === 'UTC' || ianaName === 'Etc/UTC') return { ...UTC_ZONE, name };
  const wall = new Intl.DateTimeFormat('en-US', {
    timeZone: ianaName, hourCycle: 'h23', era: 'short',
    year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
  });
  const namers = { 'en-US': shortNamer('en-US', ianaName), 'en-GB': shortNamer('en-GB', ianaName) };
  const exactOffset = (epochSec: number): number => {
    let year = 0, month = 1, day = 1, hour = 0, minute = 0, second = 0, bc = false;
    for (const p of wall.formatToParts(epochSec * 1000)) {
      switch (p.type) {
        case 'year': year = Number(p.value); break;
        case 'month': month = Number(p.value); break;
        case 'day': day = Number(p.value); break;
        case 'hour': hour = Number(p.value); break;
        case 'minute': minute = Number(p.value); break;
        case 'second': second = Number(p.value); break;
        case 'era': bc = p.value.startsWith('B'); break;
      }
    }
    if (bc) year = 1 - year;
    const asUtc = daysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second;
    return asUtc - epochSec;
  };

  // Offsets are memoised per hour: when an hour starts and ends at the same offset, every second
  // in it has that offset (no zone changes twice within an hour); a transition hour is computed
  // per call.
  const hours = new Map<number, number>();
  const offsetAt = (epochSec: number): number => {
    const hour = Math.floor(epochSec / 3600);
    const hit = hours.get(hour);
    if (hit !== undefined) return hit;
    const first = exactOffset(hour * 3600), last = exactOffset(hour * 3600 + 3599);
    if (first !== last) return exactOffset(epochSec);
    if (hours.size >= OFFSET_LIMIT) hours.clear();
    hours.set(hour, first);
    return first;
  };

  const source: AbbrevSource = {
    ianaName,
    offsetAt,
    intlName: (locale, epochSec) => namers[locale].formatToParts(epochSec * 1000).find(p => p.type === 'timeZoneName')?.value ?? '',
  };
  const abbrevAt = (epochSec: number): string => abbreviation(source, epochSec);
  return { name, offsetAt, abbrevAt };
}

function shortNamer(locale: string, timeZone: string): Intl.DateTimeFormat {
  return new Intl.DateTimeFormat(locale, { timeZone, timeZoneName: 'short' });
}
