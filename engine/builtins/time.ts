/**
 * Time builtins with OPA's semantics: nanoseconds since the epoch as exact integers (bigint past
 * 2^53), Go reference layouts, Go duration syntax, IANA zones via `Intl`. The clock is the
 * evaluation's (`ctx.nowNs()`), never read here directly.
 */
import { BuiltinError, type BuiltinImpl } from './types.js';
import { normBig, typeName, type Value } from '../value.js';
import { stringOperand, intOperand, operandError } from './time/operands.js';
import { MIN_NS, MAX_NS, WEEKDAYS, daysFromCivil, daysIn, epochSeconds, fieldsOf, weekdayOf, NS_PER_SECOND, type Fields } from './time/civil.js';
import { resolveZone, UTC_ZONE, type Zone } from './time/zone.js';
import { resolveLayout, tokenizeLayout } from './time/layout.js';
import { formatTime } from './time/format.js';
import { parseTime, TimeParseError } from './time/parse.js';
import { parseDuration, DurationError } from './time/duration.js';

const RFC3339 = '2006-01-02T15:04:05Z07:00';
const RFC3339_NANO = '2006-01-02T15:04:05.999999999Z07:00';

/** OPA's range check on results: int64 nanoseconds. */
function safeNs(name: string, ns: bigint): number | bigint {
  if (ns < MIN_NS || ns > MAX_NS) throw new BuiltinError(`${name}: time outside of valid range`);
  return normBig(ns);
}

/** An instant with the zone it is viewed in and an optional layout (`time.format`). */
interface ZonedTime { ns: bigint; zone: Zone; layout: string }

const TZ_OPERAND = 'either number (ns) or [number (ns), string (tz)]';

/** The `ns` or `[ns, tz]` or `[ns, tz, layout]` operand; the timestamp must be an exact int64. */
function zonedOperand(name: string, v: Value): ZonedTime {
  let raw: Value;
  let zone = UTC_ZONE;
  let layout = '';
  if (Array.isArray(v)) {
    if (v.length === 0) throw operandError(name, 1, TZ_OPERAND, v);
    raw = v[0]!;
    if (typeof raw !== 'number' && typeof raw !== 'bigint') throw operandError(name, 1, 'number', raw);
    if (v.length > 1) {
      const tz = v[1]!;
      if (typeof tz !== 'string') throw operandError(name, 1, 'string', tz);
      const z = resolveZone(tz);
      if (!z) throw new BuiltinError(`${name}: unknown time zone ${tz}`);
      zone = z;
    }
    if (v.length > 2) {
      const l = v[2]!;
      if (typeof l !== 'string') throw operandError(name, 1, 'string', l);
      layout = l;
    }
  } else if (typeof v === 'number' || typeof v === 'bigint') {
    raw = v;
  } else {
    throw new BuiltinError(`${name}: operand 1 must be ${TZ_OPERAND} but got ${typeName(v)}`, 'eval_type_error');
  }
  return { ns: exactInt64(name, raw as number | bigint), zone, layout };
}

function exactInt64(name: string, n: number | bigint): bigint {
  if (typeof n === 'number' && !Number.isInteger(n)) throw new BuiltinError(`${name}: timestamp too big`);
  const b = BigInt(n);
  if (b < MIN_NS || b > MAX_NS) throw new BuiltinError(`${name}: timestamp too big`);
  return b;
}

function fieldsIn(t: { ns: bigint; zone: Zone }): Fields {
  const sec = epochSeconds(t.ns);
  return fieldsOf(t.ns, t.zone.offsetAt(sec), '');
}

/** Go's `time.Date` in a zone: wall-clock seconds to an instant, resolving DST gaps like Go. */
function wallToEpochSeconds(zone: Zone, wall: number): number {
  const off = zone.offsetAt(wall);
  const guess = wall - off;
  const off2 = zone.offsetAt(guess);
  return off2 === off ? guess : wall - off2;
}

const nowNs: BuiltinImpl = (_args, ctx) => normBig(ctx.nowNs());

const parseNs: BuiltinImpl = args => {
  const name = 'time.parse_ns';
  const layout = stringOperand(name, args, 0);
  const value = stringOperand(name, args, 1);
  return safeNs(name, parseWith(name, resolveLayout(layout), value));
};

const parseRfc3339Ns: BuiltinImpl = args => {
  const name = 'time.parse_rfc3339_ns';
  return safeNs(name, parseWith(name, RFC3339, stringOperand(name, args, 0)));
};

function parseWith(name: string, layout: string, value: string): bigint {
  try {
    return parseTime(layout, value);
  } catch (e) {
    if (e instanceof TimeParseError) throw new BuiltinError(`${name}: ${e.message}`);
    throw e;
  }
}

const parseDurationNs: BuiltinImpl = args => {
  const name = 'time.parse_duration_ns';
  try {
    return normBig(parseDuration(stringOperand(name, args, 0)));
  } catch (e) {
    if (e instanceof DurationError) throw new BuiltinError(`${name}: ${e.message}`);
    throw e;
  }
};

const date: BuiltinImpl = args => {
  const f = fieldsIn(zonedOperand('time.date', args[0] ?? null));
  return [f.year, f.month, f.day];
};

const clock: BuiltinImpl = args => {
  const f = fieldsIn(zonedOperand('time.clock', args[0] ?? null));
  return [f.hour, f.minute, f.second];
};

const weekday: BuiltinImpl = args => {
  const f = fieldsIn(zonedOperand('time.weekday', args[0] ?? null));
  return WEEKDAYS[weekdayOf(f.days)]!;
};

const addDate: BuiltinImpl = args => {
  const name = 'time.add_date';
  const t = zonedOperand(name, args[0] ?? null);
  const years = intOperand(name, args, 1), months = intOperand(name, args, 2), days = intOperand(name, args, 3);
  // Far-out deltas cannot land in range; reject before converting to doubles.
  const limit = 1_000_000n;
  if (years > limit || years < -limit || months > 12n * limit || months < -12n * limit || days > 400n * limit || days < -400n * limit) {
    throw new BuiltinError(`${name}: time outside of valid range`);
  }
  const f = fieldsIn(t);
  const dayNumber = daysFromCivil(f.year + Number(years), f.month + Number(months), f.day + Number(days));
  const wall = dayNumber * 86400 + f.hour * 3600 + f.minute * 60 + f.second;
  const sec = wallToEpochSeconds(t.zone, wall);
  return safeNs(name, BigInt(sec) * NS_PER_SECOND + BigInt(f.nanos));
};

const diff: BuiltinImpl = args => {
  const a = zonedOperand('time.diff', args[0] ?? null);
  const b = zonedOperand('time.diff', args[1] ?? null);
  // Both instants are viewed in the first operand's zone; the earlier one comes first.
  let t1 = a.ns, t2 = b.ns;
  if (t1 > t2) [t1, t2] = [t2, t1];
  const f1 = fieldsIn({ ns: t1, zone: a.zone }), f2 = fieldsIn({ ns: t2, zone: a.zone });
  let year = f2.year - f1.year, month = f2.month - f1.month, day = f2.day - f1.day;
  let hour = f2.hour - f1.hour, min = f2.minute - f1.minute, sec = f2.second - f1.second;
  if (sec < 0) { sec += 60; min--; }
  if (min < 0) { min += 60; hour--; }
  if (hour < 0) { hour += 24; day--; }
  if (day < 0) { day += daysIn(f1.year, f1.month); month--; }
  if (month < 0) { month += 12; year--; }
  return [year, month, day, hour, min, sec];
};

const format: BuiltinImpl = args => {
  const t = zonedOperand('time.format', args[0] ?? null);
  const layout = t.layout === '' ? RFC3339_NANO : resolveLayout(t.layout);
  const sec = epochSeconds(t.ns);
  const chunks = tokenizeLayout(layout);
  const needsAbbrev = chunks.some(c => 'std' in c && c.std === 'TZ');
  const f = fieldsOf(t.ns, t.zone.offsetAt(sec), needsAbbrev ? t.zone.abbrevAt(sec) : '');
  return formatTime(f, chunks);
};

export const impls: Record<string, BuiltinImpl> = {
  'time.now_ns': nowNs,
  'time.parse_ns': parseNs,
  'time.parse_rfc3339_ns': parseRfc3339Ns,
  'time.parse_duration_ns': parseDurationNs,
  'time.date': date,
  'time.clock': clock,
  'time.weekday': weekday,
  'time.add_date': addDate,
  'time.diff': diff,
  'time.format': format,
};
