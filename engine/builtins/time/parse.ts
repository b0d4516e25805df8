/**
 * Go's `time.Parse` (default location UTC): the value is matched against a tokenised layout and
 * turned into exact nanoseconds since the epoch. Failures carry Go's error text, which OPA shows.
 */
import { MONTHS, WEEKDAYS, daysFromCivil, daysIn, isLeap, NS_PER_SECOND } from './civil.js';
import { tokenizeLayout, type Chunk, type Std } from './layout.js';

const DIGITS = /^[0-9]+$/;
const GMT_PREFIX = /^GMT([+-][0-9]{1,2})?/;
const GMT_OFFSET = /^GMT([+-][0-9]+)$/;
const LEADING_SPACES = /^ +/;

export class TimeParseError extends Error {}

const quote = (s: string) => JSON.stringify(s);
const isDigit = (s: string, i: number) => i < s.length && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57;
const commaOrPeriod = (c: string | undefined) => c === '.' || c === ',';

/** Go's getnum: one or two digits (exactly two when `fixed`). */
function getnum(s: string, fixed: boolean): [number, string] | undefined {
  if (!isDigit(s, 0)) return undefined;
  if (!isDigit(s, 1)) return fixed ? undefined : [s.charCodeAt(0) - 48, s.slice(1)];
  return [(s.charCodeAt(0) - 48) * 10 + (s.charCodeAt(1) - 48), s.slice(2)];
}
function getnum3(s: string, fixed: boolean): [number, string] | undefined {
  let n = 0, i = 0;
  for (; i < 3 && isDigit(s, i); i++) n = n * 10 + (s.charCodeAt(i) - 48);
  if (i === 0 || (fixed && i !== 3)) return undefined;
  return [n, s.slice(i)];
}
/** Go's atoi over a fixed-width field: digits only (an optional leading sign is not expected here). */
function atoi(s: string): number | undefined {
  return DIGITS.test(s) ? Number(s) : undefined;
}
/** Case-insensitive prefix match against a name table, as Go's `lookup`. */
function lookup(names: string[], s: string): [number, string] | undefined {
  for (let i = 0; i < names.length; i++) {
    const n = names[i]!;
    if (s.length >= n.length && s.slice(0, n.length).toLowerCase() === n.toLowerCase()) return [i, s.slice(n.length)];
  }
  return undefined;
}
const SHORT_MONTHS = MONTHS.map(m => m.slice(0, 3));
const SHORT_DAYS = WEEKDAYS.map(d => d.slice(0, 3));

/** Fraction `value[0..n)` (separator then digits) as nanoseconds. */
function nanos(value: string, n: number): number | undefined {
  if (!commaOrPeriod(value[0])) return undefined;
  let digits = value.slice(1, Math.min(n, 10));
  if (!DIGITS.test(digits)) return undefined;
  digits = digits.padEnd(9, '0');
  return Number(digits);
}

/** Length of a time-zone abbreviation at the start of `s` (Go's parseTimeZone), or 0. */
function zoneAbbrevLength(s: string): number {
  if (s.length < 3) return 0;
  if (s.startsWith('ChST') || s.startsWith('MeST')) return 4;
  if (s.startsWith('GMT')) {
    const m = GMT_PREFIX.exec(s)!;
    const off = m[1] ? Number(m[1]) : 0;
    return off < -23 || off > 23 ? 3 : m[0].length;
  }
  let upper = 0;
  while (upper < s.length && upper < 6 && s.charCodeAt(upper) >= 65 && s.charCodeAt(upper) <= 90) upper++;
  switch (upper) {
    case 3: return 3;
    case 4: return s[3] === 'T' || s.startsWith('WITA') ? 4 : 0;
    case 5: return s[4] === 'T' ? 5 : 0;
    default: return 0;
  }
}

const TZ_SHAPES: Partial<Record<Std, { len: number; colon: number[]; parts: [number, number][] }>> = {
  ISO8601ColonTZ: { len: 6, colon: [3], parts: [[1, 3], [4, 6]] },
  NumColonTZ: { len: 6, colon: [3], parts: [[1, 3], [4, 6]] },
  ISO8601ShortTZ: { len: 3, colon: [], parts: [[1, 3]] },
  NumShortTZ: { len: 3, colon: [], parts: [[1, 3]] },
  ISO8601ColonSecondsTZ: { len: 9, colon: [3, 6], parts: [[1, 3], [4, 6], [7, 9]] },
  NumColonSecondsTZ: { len: 9, colon: [3, 6], parts: [[1, 3], [4, 6], [7, 9]] },
  ISO8601SecondsTZ: { len: 7, colon: [], parts: [[1, 3], [3, 5], [5, 7]] },
  NumSecondsTz: { len: 7, colon: [], parts: [[1, 3], [3, 5], [5, 7]] },
  ISO8601TZ: { len: 5, colon: [], parts: [[1, 3], [3, 5]] },
  NumTZ: { len: 5, colon: [], parts: [[1, 3], [3, 5]] },
};

/** Parses `value` with a Go layout; returns nanoseconds since the epoch (unbounded bigint). */
export function parseTime(layout: string, value: string): bigint {
  const chunks = tokenizeLayout(layout);
  const fail = (elem: string, rest: string, message = ''): never => {
    if (message) throw new TimeParseError(`parsing time ${quote(value)}${message}`);
    throw new TimeParseError(`parsing time ${quote(value)} as ${quote(layout)}: cannot parse ${quote(rest)} as ${quote(elem)}`);
  };
  let v = value;
  let year = 0, month = -1, day = -1, yday = -1, hour = 0, min = 0, sec = 0, nsec = 0;
  let pmSet = false, amSet = false;
  let zoneOffset: number | undefined;
  for (let ci = 0; ci < chunks.length; ci++) {
    const c: Chunk = chunks[ci]!;
    if ('lit' in c) {
      v = skip(v, c.lit) ?? fail(c.lit, v);
      continue;
    }
    const hold = v;
    let range = '';
    let bad = false;
    const num = (r: [number, string] | undefined): number => {
      if (!r) { bad = true; return 0; }
      v = r[1];
      return r[0];
    };
    switch (c.std) {
      case 'LongYear': {
        if (v.length < 4 || !isDigit(v, 0)) { bad = true; break; }
        const y = atoi(v.slice(0, 4));
        if (y === undefined) { bad = true; break; }
        year = y; v = v.slice(4);
        break;
      }
      case 'Year': {
        const y = v.length < 2 ? undefined : atoi(v.slice(0, 2));
        if (y === undefined) { bad = true; break; }
        year = y >= 69 ? y + 1900 : y + 2000; v = v.slice(2);
        break;
      }
      case 'Month': month = num(lookup(SHORT_MONTHS, v)) + 1; break;
      case 'LongMonth': month = num(lookup(MONTHS, v)) + 1; break;
      case 'NumMonth': case 'ZeroMonth':
        month = num(getnum(v, c.std === 'ZeroMonth'));
        if (!bad && (month <= 0 || month > 12)) range = 'month';
        break;
      case 'WeekDay': num(lookup(SHORT_DAYS, v)); break;
      case 'LongWeekDay': num(lookup(WEEKDAYS, v)); break;
      case 'Day': case 'UnderDay': case 'ZeroDay':
        if (c.std === 'UnderDay' && v[0] === ' ') v = v.slice(1);
        day = num(getnum(v, c.std === 'ZeroDay'));
        break;
      case 'UnderYearDay': case 'ZeroYearDay':
        for (let i = 0; i < 2; i++) if (c.std === 'UnderYearDay' && v[0] === ' ') v = v.slice(1);
        yday = num(getnum3(v, c.std === 'ZeroYearDay'));
        break;
      case 'Hour':
        hour = num(getnum(v, false));
        if (!bad && hour >= 24) range = 'hour';
        break;
      case 'Hour12': case 'ZeroHour12':
        hour = num(getnum(v, c.std === 'ZeroHour12'));
        if (!bad && hour > 12) range = 'hour';
        break;
      case 'Minute': case 'ZeroMinute':
        min = num(getnum(v, c.std === 'ZeroMinute'));
        if (!bad && min >= 60) range = 'minute';
        break;
      case 'Second': case 'ZeroSecond': {
        sec = num(getnum(v, c.std === 'ZeroSecond'));
        if (bad) break;
        if (sec >= 60) { range = 'second'; break; }
        // A fraction in the value with no fraction element next in the layout is still read.
        if (v.length >= 2 && commaOrPeriod(v[0]) && isDigit(v, 1)) {
          const next = chunks.slice(ci + 1).find(x => 'std' in x) as { std: Std } | undefined;
          if (next && (next.std === 'FracSecond0' || next.std === 'FracSecond9')) break;
          let n = 2;
          while (n < v.length && isDigit(v, n)) n++;
          const ns = nanos(v, n);
          if (ns === undefined) { bad = true; break; }
          nsec = ns; v = v.slice(n);
        }
        break;
      }
      case 'PM': case 'pm': {
        const p = v.slice(0, 2);
        const [pm, am] = c.std === 'PM' ? ['PM', 'AM'] : ['pm', 'am'];
        if (v.length < 2 || (p !== pm && p !== am)) { bad = true; break; }
        if (p === pm) pmSet = true; else amSet = true;
        v = v.slice(2);
        break;
      }
      case 'ISO8601TZ': case 'ISO8601SecondsTZ': case 'ISO8601ShortTZ': case 'ISO8601ColonTZ': case 'ISO8601ColonSecondsTZ':
      case 'NumTZ': case 'NumSecondsTz': case 'NumShortTZ': case 'NumColonTZ': case 'NumColonSecondsTZ': {
        // The ISO 8601 forms also accept `Z` for UTC.
        if (c.std.startsWith('ISO') && v[0] === 'Z') { v = v.slice(1); zoneOffset = 0; break; }
        const shape = TZ_SHAPES[c.std]!;
        if (v.length < shape.len || shape.colon.some(i => v[i] !== ':')) { bad = true; break; }
        const [hr, mm, ss] = [0, 1, 2].map(i => {
          const p = shape.parts[i];
          if (!p) return 0;
          const r = getnum(v.slice(p[0], p[1]), true);
          if (!r) bad = true;
          return r ? r[0] : 0;
        }) as [number, number, number];
        if (bad) break;
        if (hr > 24) range = 'time zone offset hour';
        if (mm > 60) range = 'time zone offset minute';
        if (ss > 60) range = 'time zone offset second';
        const sign = v[0];
        if (sign !== '+' && sign !== '-') { bad = true; break; }
        zoneOffset = (sign === '-' ? -1 : 1) * ((hr * 60 + mm) * 60 + ss);
        v = v.slice(shape.len);
        break;
      }
      case 'TZ': {
        if (v.startsWith('UTC')) { v = v.slice(3); zoneOffset = 0; break; }
        const n = zoneAbbrevLength(v);
        if (n === 0) { bad = true; break; }
        const name = v.slice(0, n);
        // Unknown abbreviations get offset zero, except GMT±h (Go's fabricated zone).
        const gmt = GMT_OFFSET.exec(name);
        zoneOffset = gmt ? Number(gmt[1]) * 3600 : 0;
        v = v.slice(n);
        break;
      }
      case 'FracSecond0': {
        const n = 1 + c.digits!;
        if (v.length < n) { bad = true; break; }
        const ns = nanos(v, n);
        if (ns === undefined) { bad = true; break; }
        nsec = ns; v = v.slice(n);
        break;
      }
      case 'FracSecond9': {
        if (v.length < 2 || !commaOrPeriod(v[0]) || !isDigit(v, 1)) break;
        let i = 0;
        while (i + 1 < v.length && isDigit(v, i + 1)) i++;
        const ns = nanos(v, 1 + i);
        if (ns === undefined) { bad = true; break; }
        nsec = ns; v = v.slice(1 + i);
        break;
      }
    }
    if (range) fail(c.text, hold, `: ${range} out of range`);
    if (bad) fail(c.text, hold);
  }
  if (v.length > 0) fail('', v, `: extra text: ${quote(v)}`);
  if (pmSet && hour < 12) hour += 12;
  else if (amSet && hour === 12) hour = 0;
  if (yday >= 0) {
    let d = 0, m = 0;
    let yd = yday;
    if (isLeap(year)) {
      if (yd === 31 + 29) { m = 2; d = 29; } else if (yd > 31 + 29) yd--;
    }
    if (yd < 1 || yd > 365) fail('', v, ': day-of-year out of range');
    if (m === 0) {
      m = 1;
      while (m < 12 && daysFromCivil(2001, m + 1, 1) - daysFromCivil(2001, 1, 1) < yd) m++;
      d = yd - (daysFromCivil(2001, m, 1) - daysFromCivil(2001, 1, 1));
    }
    if (month >= 0 && month !== m) fail('', v, ': day-of-year does not match month');
    month = m;
    if (day >= 0 && day !== d) fail('', v, ': day-of-year does not match day');
    day = d;
  } else {
    if (month < 0) month = 1;
    if (day < 0) day = 1;
  }
  if (day < 1 || day > daysIn(year, month)) fail('', v, ': day out of range');
  const seconds = BigInt(daysFromCivil(year, month, day)) * 86400n + BigInt(hour * 3600 + min * 60 + sec - (zoneOffset ?? 0));
  return seconds * NS_PER_SECOND + BigInt(nsec);
}

/** Matches layout literal text; a space in the layout matches any run of spaces (Go's `skip`). */
function skip(value: string, prefix: string): string | undefined {
  let v = value, p = prefix;
  while (p.length > 0) {
    if (p[0] === ' ') {
      if (v.length > 0 && v[0] !== ' ') return undefined;
      p = p.replace(LEADING_SPACES, '');
      v = v.replace(LEADING_SPACES, '');
      continue;
    }
    if (v.length === 0 || v[0] !== p[0]) return undefined;
    p = p.slice(1);
    v = v.slice(1);
  }
  return v;
}
