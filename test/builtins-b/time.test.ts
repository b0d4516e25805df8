import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertError, assertResult, call, context } from './helpers.js';
import type { Value } from '../../engine/value.js';

const S = 1_000_000_000n;
const ok = (name: string, args: Value[], want: Value) => assertResult(call(name, args), want, `${name}(${JSON.stringify(args, (_k, v) => typeof v === 'bigint' ? `${v}n` : v)})`);

test('time.now_ns is the evaluation clock, as an exact integer', () => {
  assert.equal(call('time.now_ns', [], context(1_700_000_000_123_456_789n)), 1_700_000_000_123_456_789n);
  assert.equal(call('time.now_ns', [], context(5n)), 5);
});

test('date, clock and weekday in UTC and in IANA zones', () => {
  ok('time.date', [1517814000n * S], [2018, 2, 5]);
  ok('time.date', [[1517814000n * S, 'America/Los_Angeles']], [2018, 2, 4]);
  ok('time.date', [[1517832000n * S, '']], [2018, 2, 5]);
  ok('time.date', [1582977600n * S], [2020, 2, 29]);
  ok('time.date', [-1], [1969, 12, 31]);
  ok('time.clock', [1517832000n * S], [12, 0, 0]);
  ok('time.clock', [[1517832000n * S, 'America/New_York']], [7, 0, 0]);
  ok('time.clock', [[1517832000n * S, 'Asia/Kolkata']], [17, 30, 0]);
  ok('time.clock', [[1517832000n * S, 'UTC']], [12, 0, 0]);
  const days: [bigint, string][] = [[1517832000n, 'Monday'], [1517918400n, 'Tuesday'], [1518004800n, 'Wednesday'],
    [1518091200n, 'Thursday'], [1518177600n, 'Friday'], [1518264000n, 'Saturday'], [1518350400n, 'Sunday']];
  for (const [sec, day] of days) ok('time.weekday', [sec * S], day);
  ok('time.weekday', [[1518350400n * S, 'Pacific/Auckland']], 'Monday');
  // A double operand that holds an integer is accepted as is.
  ok('time.date', [1517814000e9], [2018, 2, 5]);
});

test('daylight saving time follows the zone rules', () => {
  // 2024-03-31 00:30 UTC is 01:30 CET (before the switch) and 01:30 UTC is 03:30 CEST.
  ok('time.clock', [[1711845000n * S, 'Europe/Paris']], [1, 30, 0]);
  ok('time.clock', [[1711848600n * S, 'Europe/Paris']], [3, 30, 0]);
});

test('timestamps outside int64 nanoseconds are rejected', () => {
  for (const name of ['time.date', 'time.clock', 'time.weekday', 'time.format']) {
    assertError(() => call(name, [1582977600n * S * 1000n]), `${name}: timestamp too big`);
    assertError(() => call(name, [1582977600 * 10e12]), 'timestamp too big');
  }
  assertError(() => call('time.date', [1.5]), 'timestamp too big');
});

test('operand errors for the [ns, tz] forms', () => {
  const shape = 'operand 1 must be either number (ns) or [number (ns), string (tz)] but got';
  assertError(() => call('time.date', ['2020']), `time.date: ${shape} string`, 'eval_type_error');
  assertError(() => call('time.date', [[]]), `time.date: ${shape} array`, 'eval_type_error');
  assertError(() => call('time.clock', [['x', 'UTC']]), 'operand 1 must be number but got string', 'eval_type_error');
  assertError(() => call('time.clock', [[0, 1]]), 'operand 1 must be string but got number', 'eval_type_error');
  assertError(() => call('time.clock', [[0, 'Mars/Olympus_Mons']]), 'time.clock: unknown time zone Mars/Olympus_Mons');
  assertError(() => call('time.clock', [[0, '+05:00']]), 'unknown time zone +05:00');
  assertError(() => call('time.clock', [[0, 'europe/paris']]), 'unknown time zone europe/paris');
  ok('time.clock', [[0, 'US/Eastern']], [19, 0, 0]);
  ok('time.clock', [[0, 'Etc/GMT-14']], [14, 0, 0]);
  ok('time.clock', [[0, 'Local']], call('time.clock', [[0, 'Local']])!);
});

test('parse_ns with Go layouts', () => {
  const cases: [string, string, Value][] = [
    ['2006-01-02T15:04:05Z07:00', '2017-06-02T19:00:00-07:00', 1496455200000000000n],
    ['2006-01-02T15:04:05Z07:00', '1677-09-21T00:12:43.145224192-00:00', -9223372036854775808n],
    ['2006-01-02T15:04:05Z07:00', '2262-04-11T23:47:16.854775807-00:00', 9223372036854775807n],
    ["01/02 03:04:05PM '06 -0700", "06/02 07:00:00PM '17 -0700", 1496455200000000000n],
    ['02 Jan 06 15:04 -0700', '02 Jun 17 19:00 -0700', 1496455200000000000n],
    ['RFC822Z', '02 Jun 17 19:00 -0700', 1496455200000000000n],
    ['RFC1123', 'Fri, 02 Jun 2017 19:00:00 UTC', 1496430000000000000n],
    ['2006-01-02', '2020-02-29', 1582934400000000000n],
    ['Jan _2 2006', 'Feb  3 2020', 1580688000000000000n],
    ['January 2, 2006 3:04pm', 'february 3, 2020 1:05am', 1580691900000000000n],
    ['2006-002', '2020-060', 1582934400000000000n],
    ['2006-01-02 15:04:05.000', '2020-01-01 00:00:00.123', 1577836800123000000n],
    ['2006-01-02 15:04:05', '2020-01-01 00:00:00.5', 1577836800500000000n],
    ['2006-01-02 15:04:05.999999999', '2020-01-01 00:00:00', 1577836800000000000n],
    ['2006-01-02T15:04:05-0700', '2020-01-01T00:00:00+0530', 1577817000000000000n],
    ['2006-01-02 15:04 MST', '2020-01-01 00:00 GMT+2', 1577829600000000000n],
    ['2006 _2', '2020  1', 1577836800000000000n],
  ];
  for (const [layout, value, want] of cases) ok('time.parse_ns', [layout, value], want);
});

test('parse_ns errors carry Go texts', () => {
  const L = '2006-01-02T15:04:05Z07:00';
  assertError(() => call('time.parse_ns', [L, 'hello']), 'time.parse_ns: parsing time "hello" as "2006-01-02T15:04:05Z07:00": cannot parse "hello" as "2006"');
  assertError(() => call('time.parse_ns', [L, '2020-13-01T00:00:00Z']), 'parsing time "2020-13-01T00:00:00Z": month out of range');
  assertError(() => call('time.parse_ns', [L, '2021-02-29T00:00:00Z']), 'parsing time "2021-02-29T00:00:00Z": day out of range');
  assertError(() => call('time.parse_ns', [L, '2020-01-01T24:00:00Z']), ': hour out of range');
  assertError(() => call('time.parse_ns', [L, '2020-01-01T00:00:00Zjunk']), ': extra text: "junk"');
  assertError(() => call('time.parse_ns', [L, '2020-01-01T00:00:00']), 'cannot parse "" as "Z07:00"');
  assertError(() => call('time.parse_ns', ['2006-01-02', '0000-01-01']), 'time outside of valid range');
  assertError(() => call('time.parse_ns', [L, '1677-09-21T00:12:43.145224191-00:00']), 'time.parse_ns: time outside of valid range');
  assertError(() => call('time.parse_ns', [1, 'x']), 'operand 1 must be string but got number', 'eval_type_error');
  assertError(() => call('time.parse_ns', ['x', 1]), 'operand 2 must be string but got number', 'eval_type_error');
});

test('parse_rfc3339_ns', () => {
  ok('time.parse_rfc3339_ns', ['1970-01-01T00:00:00-00:00'], 0);
  ok('time.parse_rfc3339_ns', ['2017-06-02T19:00:00.123456789+02:00'], 1496422800123456789n);
  ok('time.parse_rfc3339_ns', ['2017-06-02T19:00:00,5Z'], 1496430000500000000n);
  assertError(() => call('time.parse_rfc3339_ns', ['2262-04-11T23:47:16.854775808-00:00']), 'time.parse_rfc3339_ns: time outside of valid range');
  assertError(() => call('time.parse_rfc3339_ns', ['2017-06-02 19:00:00Z']), 'cannot parse " 19:00:00Z" as "T"');
});

test('parse_duration_ns follows Go syntax', () => {
  const cases: [string, Value][] = [
    ['100ms', 100000000], ['0', 0], ['-0', 0], ['+5s', 5000000000], ['1h30m', 5400000000000], ['1.5h', 5400000000000],
    ['-1.5h', -5400000000000], ['.5s', 500000000], ['1us', 1000], ['1µs', 1000], ['1μs', 1000], ['3ns', 3],
    ['2h45m30.5s', 9930500000000], ['2562047h47m16.854775807s', 9223372036854775807n],
  ];
  for (const [text, want] of cases) ok('time.parse_duration_ns', [text], want);
  assertError(() => call('time.parse_duration_ns', ['']), 'time.parse_duration_ns: time: invalid duration ""');
  assertError(() => call('time.parse_duration_ns', ['1']), 'time: missing unit in duration "1"');
  assertError(() => call('time.parse_duration_ns', ['1d']), 'time: unknown unit "d" in duration "1d"');
  assertError(() => call('time.parse_duration_ns', ['.s']), 'time: invalid duration ".s"');
  assertError(() => call('time.parse_duration_ns', ['9999999999h']), 'time: invalid duration "9999999999h"');
  assertError(() => call('time.parse_duration_ns', ['2562047h47m16.854775808s']), 'time: invalid duration');
});

test('add_date normalises like Go and checks the range', () => {
  ok('time.add_date', [1585852421593912000n, 3, 9, 12], 1705257221593912000n);
  ok('time.add_date', [1585852421593912000n, -1, -1, -1], 1551465221593912000n);
  // 2020-01-31 + 1 month = 2020-03-02 (February has 29 days).
  ok('time.add_date', [1580428800n * S, 0, 1, 0], 1583107200n * S);
  // In a zone, the wall clock is kept across a DST change: 2024-03-30 12:00 CET + 1 day = 2024-03-31 12:00 CEST.
  ok('time.add_date', [[1711796400n * S, 'Europe/Paris'], 0, 0, 1], 1711879200n * S);
  assertError(() => call('time.add_date', [0, 2262, 1, 1]), 'time.add_date: time outside of valid range');
  assertError(() => call('time.add_date', [-9223372036854775808n, 0, 0, -1]), 'time outside of valid range');
  assertError(() => call('time.add_date', [0, 1.5, 0, 0]), 'operand 2 must be integer number but got floating-point number', 'eval_type_error');
  assertError(() => call('time.add_date', [0, 0, 'x', 0]), 'operand 3 must be number but got string', 'eval_type_error');
  assertError(() => call('time.add_date', [0, 10n ** 30n, 0, 0]), 'time outside of valid range');
});

test('diff in the first operand zone, earlier time first', () => {
  const now = 1_700_000_000_123_456_789n;
  ok('time.diff', [now + 61n * S, now], [0, 0, 0, 0, 1, 1]);
  ok('time.diff', [[now + 60n * S, 'UTC'], [now, 'Asia/Shanghai']], [0, 0, 0, 0, 1, 0]);
  const d = (s: string) => call('time.parse_ns', ['2006-01-02', s])!;
  ok('time.diff', [d('2020-02-02'), d('2020-03-01')], [0, 0, 28, 0, 0, 0]);
  ok('time.diff', [d('2021-02-02'), d('2021-03-01')], [0, 0, 27, 0, 0, 0]);
  ok('time.diff', [d('2004-02-29'), d('2005-03-01')], [1, 0, 1, 0, 0, 0]);
  ok('time.diff', [d('2005-03-01'), d('2004-02-29')], [1, 0, 1, 0, 0, 0]);
});

test('format with zones and layouts', () => {
  const ns = 1670006453141828752n;
  ok('time.format', [ns], '2022-12-02T18:40:53.141828752Z');
  ok('time.format', [[ns, 'Asia/Kolkata']], '2022-12-03T00:10:53.141828752+05:30');
  ok('time.format', [[ns, 'Asia/Kolkata', 'Mon Jan 02 15:04:05 -0700 2006']], 'Sat Dec 03 00:10:53 +0530 2022');
  ok('time.format', [[ns, 'Asia/Kolkata', 'RFC1123Z']], 'Sat, 03 Dec 2022 00:10:53 +0530');
  ok('time.format', [[ns, 'America/New_York', 'RFC1123']], 'Fri, 02 Dec 2022 13:40:53 EST');
  ok('time.format', [[ns, 'UTC', 'RFC850']], 'Friday, 02-Dec-22 18:40:53 UTC');
  ok('time.format', [[ns, '', '3:04:05.000PM Z07:00:00 __2 002 _2 1 06']], '6:40:53.141PM Z 336 336  2 12 22');
  ok('time.format', [[ns, 'Asia/Kolkata', '-07 -07:00:00 .999 ,000000']], '+05 +05:30:00 .141 ,141828');
  ok('time.format', [[1577836800n * S, '', '2006-01-02T15:04:05.999999999Z07:00']], '2020-01-01T00:00:00Z');
  // Zone abbreviations as tzdata has them (Go prints these for `MST`), winter then summer.
  const summer = 1690006453141828752n;
  const abbrevs: [string, string, string][] = [['America/New_York', 'EST', 'EDT'], ['Europe/London', 'GMT', 'BST'],
    ['Europe/Dublin', 'GMT', 'IST'], ['Europe/Paris', 'CET', 'CEST'], ['Asia/Kolkata', 'IST', 'IST'], ['Asia/Tokyo', 'JST', 'JST'],
    ['Australia/Sydney', 'AEDT', 'AEST'], ['Asia/Dubai', '+04', '+04'], ['America/Sao_Paulo', '-03', '-03'], ['UTC', 'UTC', 'UTC'],
    ['GMT', 'GMT', 'GMT'], ['Etc/GMT+5', '-05', '-05']];
  for (const [zone, winter, summerName] of abbrevs) {
    ok('time.format', [[ns, zone, 'MST']], winter);
    ok('time.format', [[summer, zone, 'MST']], summerName);
  }
  // Layout names outside OPA's list are literal layouts, and `_2006` is `_` + year.
  ok('time.format', [[ns, '', 'Kitchen']], 'Kitchen');
  ok('time.format', [[ns, '', 'x_2006']], 'x_2022');
});

test('format and parse round-trip across the whole int64 range', () => {
  // A fixed linear congruential sequence: reproducible, spread over [-2^63, 2^63).
  let seed = 0x2545f491n;
  const next = () => { seed = (seed * 6364136223846793005n + 1442695040888963407n) & ((1n << 64n) - 1n); return seed - (1n << 63n); };
  for (let i = 0; i < 300; i++) {
    const ns = next();
    for (const zone of ['UTC', 'Asia/Kolkata', 'America/New_York']) {
      const text = call('time.format', [[ns, zone]]) as string;
      // Local mean time offsets have seconds, which RFC 3339 (and Go) cannot print: not reversible.
      if (!(call('time.format', [[ns, zone, '-07:00:00']]) as string).endsWith(':00')) continue;
      assert.equal(BigInt(call('time.parse_rfc3339_ns', [text]) as number | bigint), ns, `${ns} in ${zone} as ${text}`);
    }
    // Calendar fields agree with the platform's Date where it reaches (it does for int64 ns).
    const ms = Number(ns / 1_000_000n) - (ns % 1_000_000n < 0n ? 1 : 0);
    const d = new Date(ms);
    assert.deepEqual(call('time.date', [ns]), [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate()], `date ${ns}`);
    assert.deepEqual(call('time.clock', [ns]), [d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()], `clock ${ns}`);
    assert.equal(call('time.weekday', [ns]), ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'][d.getUTCDay()]);
  }
});
