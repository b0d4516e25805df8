import { test } from 'node:test';
import assert from 'node:assert/strict';
import { check, type Row } from './helpers.js';
import { evalQueryRaw } from '../../engine/index.js';
import { compileSpec, MAX_SPEC_LENGTH } from '../../engine/builtins/window/spec.js';
import type { Value } from '../../engine/value.js';

/** Nanoseconds of an RFC 3339 instant (whole seconds), as an exact integer. */
const at = (iso: string): bigint => BigInt(Date.parse(iso)) * 1_000_000n;

/** `time.in_window(ns, tz, spec)` rows: instants are written in UTC, the windows read them in `tz`. */
const win = (note: string, iso: string | bigint | number, tz: string, spec: Value, want: boolean): Row =>
  ({ note, args: [typeof iso === 'string' ? at(iso) : iso, tz, spec], want });

const bad = (note: string, spec: Value, message: string): Row =>
  ({ note, args: [at('2026-11-25T10:00:00Z'), 'UTC', spec], error: 'eval_builtin_error', message: `time.in_window: ${message}` });

// The week of 2026-11-23 (Monday) to 2026-11-29 (Sunday); Paris is UTC+1 in November.
const WEEKDAYS = 'Mon-Fri 09:00-17:30';

test('weekdays and weekends', () => {
  check('time.in_window', [
    win('Monday morning', '2026-11-23T10:00:00Z', 'UTC', WEEKDAYS, true),
    win('Wednesday', '2026-11-25T12:00:00Z', 'UTC', WEEKDAYS, true),
    win('Friday afternoon', '2026-11-27T17:00:00Z', 'UTC', WEEKDAYS, true),
    win('Saturday', '2026-11-28T12:00:00Z', 'UTC', WEEKDAYS, false),
    win('Sunday', '2026-11-29T12:00:00Z', 'UTC', WEEKDAYS, false),
    win('weekend window on Saturday', '2026-11-28T12:00:00Z', 'UTC', 'Sat-Sun 10:00-16:00', true),
    win('weekend window on Monday', '2026-11-23T12:00:00Z', 'UTC', 'Sat-Sun 10:00-16:00', false),
    win('day list hit', '2026-11-25T12:00:00Z', 'UTC', 'Mon,Wed,Fri 09:00-17:00', true),
    win('day list miss', '2026-11-24T12:00:00Z', 'UTC', 'Mon,Wed,Fri 09:00-17:00', false),
    win('day list with a range', '2026-11-27T12:00:00Z', 'UTC', 'Mon-Tue,Fri 09:00-17:00', true),
    win('wrapping day range: Sunday is inside Fri-Mon', '2026-11-29T12:00:00Z', 'UTC', 'Fri-Mon 09:00-17:00', true),
    win('wrapping day range: Monday is its end', '2026-11-23T12:00:00Z', 'UTC', 'Fri-Mon 09:00-17:00', true),
    win('wrapping day range: Wednesday is outside', '2026-11-25T12:00:00Z', 'UTC', 'Fri-Mon 09:00-17:00', false),
    win('one-day range', '2026-11-23T12:00:00Z', 'UTC', 'Mon-Mon 09:00-17:00', true),
    win('one-day range is not the whole week', '2026-11-24T12:00:00Z', 'UTC', 'Mon-Mon 09:00-17:00', false),
    win('daily', '2026-11-29T12:00:00Z', 'UTC', 'daily 09:00-17:00', true),
    win('star', '2026-11-28T12:00:00Z', 'UTC', '* 09:00-17:00', true),
    win('full names, any case', '2026-11-25T12:00:00Z', 'UTC', 'monday-FRIDAY 09:00-17:00', true),
    win('spaces around separators', '2026-11-27T12:00:00Z', 'UTC', '  Mon - Wed , Fri   09:00 - 12:00 , 11:00-13:00 ', true),
    win('one-digit hours', '2026-11-25T09:30:00Z', 'UTC', 'Mon-Fri 9:00-17:00', true),
  ]);
});

test('boundaries: the start is inside, the end is not; 24:00 ends the day', () => {
  check('time.in_window', [
    win('at the start', '2026-11-25T09:00:00Z', 'UTC', WEEKDAYS, true),
    win('a second before the start', '2026-11-25T08:59:59Z', 'UTC', WEEKDAYS, false),
    win('a nanosecond before the end', at('2026-11-25T17:30:00Z') - 1n, 'UTC', WEEKDAYS, true),
    win('at the end', '2026-11-25T17:30:00Z', 'UTC', WEEKDAYS, false),
    win('24:00 covers the last minute', '2026-11-25T23:59:59Z', 'UTC', 'Wed 18:00-24:00', true),
    win('24:00 does not reach the next day', '2026-11-26T00:00:00Z', 'UTC', 'Wed 18:00-24:00', false),
    win('00:00-24:00 is the whole day', '2026-11-25T00:00:00Z', 'UTC', 'Wed 00:00-24:00', true),
    win('00:00-24:00 is only that day', '2026-11-24T23:59:59Z', 'UTC', 'Wed 00:00-24:00', false),
    win('a range ending at 00:00 ends at midnight', '2026-11-25T23:30:00Z', 'UTC', 'Wed 22:00-00:00', true),
    win('... and covers nothing of the next day', '2026-11-26T00:00:00Z', 'UTC', 'Wed 22:00-00:00', false),
  ]);
});

test('overnight ranges belong to their start day and continue into the next morning', () => {
  check('time.in_window', [
    win('Friday night', '2026-11-27T23:00:00Z', 'UTC', 'Fri 22:00-06:00', true),
    win('Saturday 03:00', '2026-11-28T03:00:00Z', 'UTC', 'Fri 22:00-06:00', true),
    win('Saturday 06:00 is the end', '2026-11-28T06:00:00Z', 'UTC', 'Fri 22:00-06:00', false),
    win('Friday 03:00 belongs to Thursday night', '2026-11-27T03:00:00Z', 'UTC', 'Fri 22:00-06:00', false),
    win('Saturday night is not Friday night', '2026-11-28T23:00:00Z', 'UTC', 'Fri 22:00-06:00', false),
    win('across the end of the week: Sunday night', '2026-11-29T23:00:00Z', 'UTC', 'Sun 22:00-02:00', true),
    win('across the end of the week: Monday 01:00', '2026-11-30T01:00:00Z', 'UTC', 'Sun 22:00-02:00', true),
    win('across the end of the week: Monday 02:00', '2026-11-30T02:00:00Z', 'UTC', 'Sun 22:00-02:00', false),
    win('Sunday 01:00 belongs to Saturday night', '2026-11-29T01:00:00Z', 'UTC', 'Sun 22:00-02:00', false),
    win('every night', '2026-11-25T04:00:00Z', 'UTC', 'daily 20:00-08:00', true),
    win('every night, not by day', '2026-11-25T12:00:00Z', 'UTC', 'daily 20:00-08:00', false),
  ]);
});

test('several ranges and several windows', () => {
  const split = 'Mon-Fri 09:00-12:00,13:00-17:30';
  check('time.in_window', [
    win('morning range', '2026-11-25T11:59:00Z', 'UTC', split, true),
    win('lunch break', '2026-11-25T12:30:00Z', 'UTC', split, false),
    win('afternoon range', '2026-11-25T13:00:00Z', 'UTC', split, true),
    win('second window', '2026-11-28T10:30:00Z', 'UTC', `${split}; Sat 10:00-13:00`, true),
    win('neither window', '2026-11-28T14:00:00Z', 'UTC', `${split}; Sat 10:00-13:00`, false),
    win('array of windows', '2026-11-28T10:30:00Z', 'UTC', [split, 'Sat 10:00-13:00'], true),
    win('array of windows, none matching', '2026-11-29T10:30:00Z', 'UTC', [split, 'Sat 10:00-13:00'], false),
    win('array elements may hold several windows', '2026-11-29T10:30:00Z', 'UTC', [split, 'Sat 10:00-13:00;Sun 10:00-11:00'], true),
    win('an empty array matches nothing', '2026-11-25T10:30:00Z', 'UTC', [], false),
    win('overlapping windows', '2026-11-25T10:30:00Z', 'UTC', 'Mon-Fri 09:00-17:00; Wed 10:00-11:00', true),
  ]);
});

test('zones: UTC, "" and IANA zones', () => {
  check('time.in_window', [
    win('"" is UTC', '2026-11-25T09:00:00Z', '', WEEKDAYS, true),
    win('UTC', '2026-11-25T08:59:00Z', 'UTC', WEEKDAYS, false),
    win('Paris is UTC+1 in November: 08:00Z is 09:00', '2026-11-25T08:00:00Z', 'Europe/Paris', WEEKDAYS, true),
    win('Paris: 07:59Z is 08:59', '2026-11-25T07:59:00Z', 'Europe/Paris', WEEKDAYS, false),
    win('the local day decides: Friday 23:30Z is Saturday in Tokyo', '2026-11-27T23:30:00Z', 'Asia/Tokyo', 'Mon-Fri 00:00-24:00', false),
    win('the local day decides: Sunday 23:30Z is Monday in Tokyo', '2026-11-29T23:30:00Z', 'Asia/Tokyo', 'Mon-Fri 00:00-24:00', true),
    win('half-hour offsets (Kolkata, UTC+5:30)', '2026-11-25T03:30:00Z', 'Asia/Kolkata', 'Wed 09:00-09:01', true),
    win('a negative local day: Sunday evening in Los Angeles', '2026-11-30T03:00:00Z', 'America/Los_Angeles', 'Sun 18:00-20:00', true),
  ]);
});

test('daylight saving time: windows keep their local hours', () => {
  check('time.in_window', [
    // Paris, Sunday 2026-03-29: 02:00 CET jumps to 03:00 CEST (01:00Z).
    win('Paris, the day before the change (UTC+1)', '2026-03-28T08:00:00Z', 'Europe/Paris', 'daily 09:00-17:00', true),
    win('Paris, the day before, 07:59Z', '2026-03-28T07:59:00Z', 'Europe/Paris', 'daily 09:00-17:00', false),
    win('Paris, change day: 07:00Z is 09:00 CEST', '2026-03-29T07:00:00Z', 'Europe/Paris', 'daily 09:00-17:00', true),
    win('Paris, change day: 06:59Z is 08:59', '2026-03-29T06:59:00Z', 'Europe/Paris', 'daily 09:00-17:00', false),
    win('Paris, change day: 15:00Z is 17:00', '2026-03-29T15:00:00Z', 'Europe/Paris', 'daily 09:00-17:00', false),
    win('Paris, spring gap: 00:59Z is 01:59 CET', '2026-03-29T00:59:00Z', 'Europe/Paris', 'Sun 02:30-04:00', false),
    win('Paris, spring gap: 01:00Z is 03:00 CEST', '2026-03-29T01:00:00Z', 'Europe/Paris', 'Sun 02:30-04:00', true),
    // Paris, Sunday 2026-10-25: 03:00 CEST falls back to 02:00 CET (01:00Z): 02:00-03:00 happens twice.
    win('Paris, autumn repeat: first 02:00 (CEST)', '2026-10-25T00:00:00Z', 'Europe/Paris', 'Sun 02:00-03:00', true),
    win('Paris, autumn repeat: first 02:59', '2026-10-25T00:59:00Z', 'Europe/Paris', 'Sun 02:00-03:00', true),
    win('Paris, autumn repeat: second 02:00 (CET)', '2026-10-25T01:00:00Z', 'Europe/Paris', 'Sun 02:00-03:00', true),
    win('Paris, autumn repeat: second 02:59', '2026-10-25T01:59:00Z', 'Europe/Paris', 'Sun 02:00-03:00', true),
    win('Paris, autumn repeat: 03:00 CET', '2026-10-25T02:00:00Z', 'Europe/Paris', 'Sun 02:00-03:00', false),
    win('Paris, autumn repeat: 01:59 CEST', '2026-10-24T23:59:00Z', 'Europe/Paris', 'Sun 02:00-03:00', false),
    // New York, Sunday 2026-03-08: 02:00 EST jumps to 03:00 EDT (07:00Z).
    win('New York, Friday before (EST): 14:00Z is 09:00', '2026-03-06T14:00:00Z', 'America/New_York', 'Mon-Fri 09:00-17:00', true),
    win('New York, Friday before (EST): 13:00Z is 08:00', '2026-03-06T13:00:00Z', 'America/New_York', 'Mon-Fri 09:00-17:00', false),
    win('New York, Monday after (EDT): 13:00Z is 09:00', '2026-03-09T13:00:00Z', 'America/New_York', 'Mon-Fri 09:00-17:00', true),
    win('New York, Monday after (EDT): 12:59Z is 08:59', '2026-03-09T12:59:00Z', 'America/New_York', 'Mon-Fri 09:00-17:00', false),
    win('New York, Monday after (EDT): 21:00Z is 17:00', '2026-03-09T21:00:00Z', 'America/New_York', 'Mon-Fri 09:00-17:00', false),
    win('New York, overnight across the jump: Saturday 22:00 EST', '2026-03-08T03:00:00Z', 'America/New_York', 'Sat 22:00-06:00', true),
    win('New York, overnight across the jump: Saturday 21:59 EST', '2026-03-08T02:59:00Z', 'America/New_York', 'Sat 22:00-06:00', false),
    win('New York, overnight across the jump: Sunday 05:59 EDT', '2026-03-08T09:59:00Z', 'America/New_York', 'Sat 22:00-06:00', true),
    win('New York, overnight across the jump: Sunday 06:00 EDT', '2026-03-08T10:00:00Z', 'America/New_York', 'Sat 22:00-06:00', false),
    // New York, Sunday 2026-11-01: 02:00 EDT falls back to 01:00 EST (06:00Z).
    win('New York, autumn repeat: first 01:00 (EDT)', '2026-11-01T05:00:00Z', 'America/New_York', 'Sun 01:00-02:00', true),
    win('New York, autumn repeat: second 01:30 (EST)', '2026-11-01T06:30:00Z', 'America/New_York', 'Sun 01:00-02:00', true),
    win('New York, autumn repeat: 02:00 EST', '2026-11-01T07:00:00Z', 'America/New_York', 'Sun 01:00-02:00', false),
    win('New York, autumn repeat: 00:59 EDT', '2026-11-01T04:59:00Z', 'America/New_York', 'Sun 01:00-02:00', false),
  ]);
});

test('no instant of a skipped local hour is in a window of that hour', () => {
  // Europe/Paris skips 02:00-02:59 on 2026-03-29: scan the two UTC hours around the jump.
  const start = at('2026-03-29T00:00:00Z');
  const rows: Row[] = [];
  for (let m = 0n; m < 120n; m++) rows.push(win(`minute ${m}`, start + m * 60_000_000_000n, 'Europe/Paris', 'Sun 02:00-03:00', false));
  check('time.in_window', rows);
});

test('timestamps: numbers, exact big integers, negative instants and the int64 range', () => {
  const MAX = (1n << 63n) - 1n, MIN = -(1n << 63n);
  check('time.in_window', [
    win('a bigint beyond 2^53', at('2026-11-25T10:00:00Z') + 123_456_789n, 'UTC', WEEKDAYS, true),
    win('a double holding an integer', Number(at('2026-11-25T10:00:00Z')), 'UTC', WEEKDAYS, true),
    win('a small number is near the epoch (Thursday 1970-01-01)', 0, 'UTC', 'Thu 00:00-00:01', true),
    win('before the epoch: Wednesday 1969-12-31 23:30', -1_800_000_000_000, 'UTC', 'Wed 23:00-24:00', true),
    win('the largest int64 (Friday 2262-04-11 23:47 UTC)', MAX, 'UTC', 'Fri 23:47-23:48', true),
    win('the smallest int64 (Tuesday 1677-09-21 00:12 UTC)', MIN, 'UTC', 'Tue 00:12-00:13', true),
    { note: 'beyond int64', args: [MAX + 1n, 'UTC', WEEKDAYS], error: 'eval_builtin_error', message: 'time.in_window: timestamp too big' },
    { note: 'a double beyond int64', args: [1e19, 'UTC', WEEKDAYS], error: 'eval_builtin_error', message: 'time.in_window: timestamp too big' },
  ]);
});

test('malformed specs are builtin errors naming the window and the problem', () => {
  const w = (text: string, problem: string) => `invalid window spec: window ${JSON.stringify(text)}: ${problem}`;
  check('time.in_window', [
    bad('empty spec', '', 'invalid window spec: empty spec (want e.g. "Mon-Fri 09:00-17:00")'),
    bad('blank spec', '   ', 'invalid window spec: empty spec (want e.g. "Mon-Fri 09:00-17:00")'),
    bad('trailing separator', 'Mon-Fri 09:00-17:00;', 'invalid window spec: window 2 is empty'),
    bad('empty array element', ['Mon-Fri 09:00-17:00', ''], 'invalid window spec: window 2 is empty'),
    bad('no days', '09:00-17:00', w('09:00-17:00', 'expected days ("Mon-Fri", "Sat,Sun", "daily" or "*") at the start')),
    bad('no hours', 'Mon-Fri', w('Mon-Fri', 'missing hours after the days (want e.g. "Mon-Fri 09:00-17:00")')),
    bad('unknown day', 'Mon-Fry 09:00-17:00', w('Mon-Fry 09:00-17:00', 'unknown day "Fry" (use Mon, Tue, Wed, Thu, Fri, Sat, Sun or full names)')),
    bad('day range without an end', 'Mon- 09:00-17:00', w('Mon- 09:00-17:00', 'expected a day name at "09:00-17:00"')),
    bad('empty day list item', 'Mon,,Fri 09:00-17:00', w('Mon,,Fri 09:00-17:00', 'expected a day name at ",Fri 09:00-17:00"')),
    bad('daily in a range', 'daily-Fri 09:00-17:00', w('daily-Fri 09:00-17:00', '"daily" cannot start a day range')),
    bad('daily ending a range', 'Mon-daily 09:00-17:00', w('Mon-daily 09:00-17:00', '"daily" cannot end a day range, in "Mon-daily"')),
    bad('days glued to hours', 'Mon-Fri09:00-17:00', w('Mon-Fri09:00-17:00', 'expected a space between the days and the hours at "09:00-17:00"')),
    bad('hours without minutes', 'Mon-Fri 9-17', w('Mon-Fri 9-17', 'expected a start time HH:MM at "9-17"')),
    bad('bad end time', 'Mon-Fri 09:00-5pm', w('Mon-Fri 09:00-5pm', 'expected an end time HH:MM at "5pm"')),
    bad('one-digit minutes', 'Mon 09:0-10:00', w('Mon 09:0-10:00', 'invalid time "09:0" (want HH:MM)')),
    bad('three-digit hours', 'Mon 009:00-10:00', w('Mon 009:00-10:00', 'expected a start time HH:MM at "009:00-10:00"')),
    bad('hour 25', 'Mon-Fri 09:00-25:00', w('Mon-Fri 09:00-25:00', 'invalid time "25:00" (hours 00-23, minutes 00-59, or 24:00 as an end)')),
    bad('minute 60', 'Mon 09:60-10:00', w('Mon 09:60-10:00', 'invalid time "09:60" (hours 00-23, minutes 00-59, or 24:00 as an end)')),
    bad('24:30', 'Mon 09:00-24:30', w('Mon 09:00-24:30', 'invalid time "24:30" (hours 00-23, minutes 00-59, or 24:00 as an end)')),
    bad('24:00 as a start', 'Mon 24:00-06:00', w('Mon 24:00-06:00', '24:00 can only end a range, in "24:00-06:00"')),
    bad('empty range', 'Mon 09:00-09:00', w('Mon 09:00-09:00', 'empty range "09:00-09:00" (start and end are equal)')),
    bad('missing dash', 'Mon-Fri 09:00 17:00', w('Mon-Fri 09:00 17:00', 'expected "-" between the start and end of a range at "17:00"')),
    bad('trailing junk', 'Mon-Fri 09:00-17:00 CET', w('Mon-Fri 09:00-17:00 CET', 'unexpected "CET" after the hours')),
    bad('days separated by spaces', 'Mon Tue 09:00-17:00', w('Mon Tue 09:00-17:00', 'expected a start time HH:MM at "Tue 09:00-17:00"')),
    bad('the second window is named', 'Mon-Fri 09:00-17:00; Sat 10-12', w('Sat 10-12', 'expected a start time HH:MM at "10-12"')),
    bad('too long', 'Mon-Fri 09:00-17:00;'.repeat(60), `invalid window spec: spec longer than ${MAX_SPEC_LENGTH} characters`),
    bad('too long as an array', Array(60).fill('Mon-Fri 09:00-17:00'), `invalid window spec: spec longer than ${MAX_SPEC_LENGTH} characters`),
  ]);
});

test('unknown zones are builtin errors, worded as time.clock words them', () => {
  check('time.in_window', [
    { args: [0, 'Mars/Olympus_Mons', WEEKDAYS], error: 'eval_builtin_error', message: 'time.in_window: unknown time zone Mars/Olympus_Mons' },
    { args: [0, 'europe/paris', WEEKDAYS], error: 'eval_builtin_error', message: 'time.in_window: unknown time zone europe/paris' },
    { args: [0, '+01:00', WEEKDAYS], error: 'eval_builtin_error', message: 'time.in_window: unknown time zone +01:00' },
  ]);
});

test('operand type errors', () => {
  check('time.in_window', [
    { args: ['2026-11-25T10:00:00Z', 'UTC', WEEKDAYS], error: 'eval_type_error', message: 'time.in_window: operand 1 must be number but got string' },
    { args: [1.5, 'UTC', WEEKDAYS], error: 'eval_type_error', message: 'time.in_window: operand 1 must be integer number but got floating-point number' },
    { args: [0, null, WEEKDAYS], error: 'eval_type_error', message: 'time.in_window: operand 2 must be string but got null' },
    { args: [0, 'UTC', 5], error: 'eval_type_error', message: 'time.in_window: operand 3 must be one of {string, array} but got number' },
    { args: [0, 'UTC', [WEEKDAYS, 5]], error: 'eval_type_error', message: 'time.in_window: operand 3 must be array of strings but got array containing number' },
  ]);
});

test('a spec compiles to the same week however it is spelled', () => {
  const minutes = (spec: string) => {
    const s = compileSpec(spec);
    const out: boolean[] = [];
    for (let d = 0; d < 7; d++) for (let m = 0; m < 1440; m++) out.push(s.covers(d, m));
    return out;
  };
  assert.deepEqual(minutes('Mon-Fri 09:00-17:00'), minutes('Mon,Tue,Wed,Thu,Fri 09:00-12:00,12:00-17:00'));
  assert.deepEqual(minutes('daily 00:00-24:00'), minutes('Sun-Sat 00:00-24:00'));
  assert.deepEqual(minutes('Sun 22:00-02:00'), minutes('Sun 22:00-24:00; Mon 00:00-02:00'));
  assert.deepEqual(minutes('Sat-Fri 22:00-06:00'), minutes('* 00:00-06:00,22:00-24:00'));
  assert.equal(minutes('Mon 09:00-10:00').filter(Boolean).length, 60);
});

/** Runs `p` through the engine: how many rows, or the error's code and message, with strict builtin errors on or off. */
function evaluate(body: string, strict: boolean): { rows: number; code?: string; message?: string } {
  const r = evalQueryRaw({ modules: { 'w.pol': `package w\np if {\n${body}\n}\n` }, query: 'data.w.p = x', strictBuiltinErrors: strict });
  return r.error ? { rows: r.rows.length, code: r.error.code, message: r.error.message } : { rows: r.rows.length };
}

test('through the engine: errors are undefined unless builtin errors are strict', () => {
  const cases: [string, string, string][] = [
    ['spec := concat("", ["Mon-Fri ", "9-17"])\ntime.in_window(0, "UTC", spec)',
      'eval_builtin_error', 'time.in_window: invalid window spec: window "Mon-Fri 9-17": expected a start time HH:MM at "9-17"'],
    ['tz := concat("", ["Mars/", "Base"])\ntime.in_window(0, tz, "daily 00:00-24:00")',
      'eval_builtin_error', 'time.in_window: unknown time zone Mars/Base'],
    ['ns := concat("", ["1", "2"])\ntime.in_window(ns, "UTC", "daily 00:00-24:00")',
      'eval_type_error', 'time.in_window: operand 1 must be number but got string'],
  ];
  for (const [body, code, message] of cases) {
    assert.deepEqual(evaluate(body, false), { rows: 0 }, `${message}: not strict`);
    const strict = evaluate(body, true);
    assert.equal(strict.code, code, message);
    assert.ok(strict.message?.endsWith(message), `${strict.message} ends with ${message}`);
  }
  assert.deepEqual(evaluate('time.in_window(0, "UTC", "Thu 00:00-01:00")', true), { rows: 1 });
  assert.deepEqual(evaluate('time.in_window(0, "UTC", "Fri 00:00-01:00")', true), { rows: 0 });
});
