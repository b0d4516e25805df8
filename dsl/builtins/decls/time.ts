import { T, type BuiltinDecl } from '../types.js';

/** `ns` or `[ns, tz]`: a timestamp in nanoseconds, optionally with an IANA zone name. */
const zoned = T.or(T.num, T.arr(T.any));
const zonedArg = { name: 'x', type: zoned, description: 'a timestamp in nanoseconds since the epoch, or `[ns, tz]` with an IANA zone name (`""` and `"UTC"` mean UTC, `"Local"` the host zone)' };

export const decls: BuiltinDecl[] = [
  {
    name: 'time.now_ns', category: 'time', args: [], result: T.num,
    description: 'Returns the current time since epoch in nanoseconds. The value is fixed for one evaluation.',
    example: 'time.now_ns() < input.token.exp * 1000000000',
    nondeterministic: true,
  },
  {
    name: 'time.parse_ns', category: 'time',
    args: [
      { name: 'layout', type: T.str, description: 'Go reference layout (`2006-01-02`), or one of ANSIC, UnixDate, RubyDate, RFC822, RFC822Z, RFC850, RFC1123, RFC1123Z, RFC3339, RFC3339Nano' },
      { name: 'value', type: T.str, description: 'the time to parse' },
    ],
    result: T.num,
    description: 'Returns the time in nanoseconds parsed from the string in the given Go layout. The time is UTC unless the value carries an offset.',
    example: 'time.parse_ns("2006-01-02", "2024-06-30")',
  },
  {
    name: 'time.parse_rfc3339_ns', category: 'time',
    args: [{ name: 'value', type: T.str, description: 'an RFC 3339 time' }],
    result: T.num,
    description: 'Returns the time in nanoseconds parsed from the string in RFC3339 format.',
    example: 'time.parse_rfc3339_ns(input.context.time)',
  },
  {
    name: 'time.parse_duration_ns', category: 'time',
    args: [{ name: 'duration', type: T.str, description: 'a Go duration such as `1h30m` or `100ms`' }],
    result: T.num,
    description: 'Returns the duration in nanoseconds represented by a string (units ns, us, µs, ms, s, m, h).',
    example: 'time.parse_duration_ns("15m")',
  },
  {
    name: 'time.date', category: 'time', args: [zonedArg], result: T.arr(T.num),
    description: 'Returns the `[year, month, day]` for the nanoseconds since epoch.',
    example: 'time.date([time.now_ns(), "Europe/Paris"])',
  },
  {
    name: 'time.clock', category: 'time', args: [zonedArg], result: T.arr(T.num),
    description: 'Returns the `[hour, minute, second]` of the day for the nanoseconds since epoch.',
    example: 'time.clock([time.now_ns(), "America/New_York"])',
  },
  {
    name: 'time.weekday', category: 'time', args: [zonedArg], result: T.str,
    description: 'Returns the day of the week (`Monday`, `Tuesday`, ...) for the nanoseconds since epoch.',
    example: 'time.weekday(time.now_ns()) != "Sunday"',
  },
  {
    name: 'time.add_date', category: 'time',
    args: [
      zonedArg,
      { name: 'years', type: T.num, description: 'number of years to add' },
      { name: 'months', type: T.num, description: 'number of months to add' },
      { name: 'days', type: T.num, description: 'number of days to add' },
    ],
    result: T.num,
    description: 'Returns the nanoseconds since epoch after adding years, months and days to the given time (overflowing days and months normalise, as Go\'s `AddDate`).',
    example: 'time.add_date(time.now_ns(), 0, 0, -30)',
  },
  {
    name: 'time.diff', category: 'time',
    args: [
      { ...zonedArg, name: 'ns1' },
      { ...zonedArg, name: 'ns2' },
    ],
    result: T.arr(T.num),
    description: 'Returns the difference between two unix timestamps in nanoseconds as `[years, months, days, hours, minutes, seconds]`, computed in the first operand\'s zone.',
    example: 'time.diff(time.now_ns(), time.parse_rfc3339_ns(input.user.created))',
  },
  {
    name: 'time.format', category: 'time',
    args: [{ name: 'x', type: T.or(T.num, T.arr(T.any)), description: 'ns, `[ns, tz]` or `[ns, tz, layout]`; the layout is a Go layout or a layout name and defaults to RFC3339Nano' }],
    result: T.str,
    description: 'Returns the formatted timestamp for the nanoseconds since epoch.',
    example: 'time.format([time.now_ns(), "Asia/Kolkata", "RFC1123Z"])',
  },
];
