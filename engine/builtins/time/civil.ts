/**
 * Proleptic Gregorian calendar arithmetic on day numbers (days since 1970-01-01), exact for the
 * whole int64-nanosecond range. Algorithms after Howard Hinnant's `days_from_civil`.
 */

export const NS_PER_SECOND = 1_000_000_000n;
export const MIN_NS = -(1n << 63n);
export const MAX_NS = (1n << 63n) - 1n;

export const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
export const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

export function floorDiv(a: number, b: number): number { return Math.floor(a / b); }
export function mod(a: number, b: number): number { return ((a % b) + b) % b; }

/** Day number of a civil date; month and day may be out of range and are normalised like Go's `time.Date`. */
export function daysFromCivil(year: number, month: number, day: number): number {
  // Normalise the month first (Go carries months into years), then let the day overflow.
  year += floorDiv(month - 1, 12);
  month = mod(month - 1, 12) + 1;
  const y = month <= 2 ? year - 1 : year;
  const era = floorDiv(y, 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12;
  const doy = floorDiv(153 * mp + 2, 5);
  const doe = yoe * 365 + floorDiv(yoe, 4) - floorDiv(yoe, 100) + doy;
  return era * 146097 + doe - 719468 + (day - 1);
}

export interface Civil { year: number; month: number; day: number }

export function civilFromDays(days: number): Civil {
  const z = days + 719468;
  const era = floorDiv(z, 146097);
  const doe = z - era * 146097;
  const yoe = floorDiv(doe - floorDiv(doe, 1460) + floorDiv(doe, 36524) - floorDiv(doe, 146096), 365);
  const doy = doe - (365 * yoe + floorDiv(yoe, 4) - floorDiv(yoe, 100));
  const mp = floorDiv(5 * doy + 2, 153);
  const day = doy - floorDiv(153 * mp + 2, 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

export function isLeap(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

export function daysIn(year: number, month: number): number {
  return month === 2 ? (isLeap(year) ? 29 : 28) : [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
}

/** 0 = Sunday. */
export function weekdayOf(days: number): number { return mod(days + 4, 7); }

/** Day of the year, 1-based. */
export function yearDay(c: Civil): number {
  return daysFromCivil(c.year, c.month, c.day) - daysFromCivil(c.year, 1, 1) + 1;
}

/** Wall-clock fields of an instant at a given UTC offset (seconds). */
export interface Fields extends Civil {
  hour: number; minute: number; second: number; nanos: number;
  days: number; offset: number; zoneAbbrev: string;
}

/** Splits nanoseconds since the epoch into wall-clock fields at `offset` seconds east of UTC. */
export function fieldsOf(ns: bigint, offset: number, zoneAbbrev: string): Fields {
  let sec = ns / NS_PER_SECOND;
  let nanos = Number(ns % NS_PER_SECOND);
  if (nanos < 0) { nanos += 1_000_000_000; sec -= 1n; }
  const local = Number(sec) + offset;
  const days = floorDiv(local, 86400);
  const secOfDay = local - days * 86400;
  const c = civilFromDays(days);
  // Built field by field: object spread here measured tens of microseconds per call on Node 20.
  return {
    year: c.year, month: c.month, day: c.day, days, offset, zoneAbbrev, nanos,
    hour: Math.floor(secOfDay / 3600), minute: Math.floor(secOfDay / 60) % 60, second: secOfDay % 60,
  };
}

/** Seconds since the epoch (floor) of a nanosecond instant. */
export function epochSeconds(ns: bigint): number {
  let sec = ns / NS_PER_SECOND;
  if (ns % NS_PER_SECOND < 0n) sec -= 1n;
  return Number(sec);
}
