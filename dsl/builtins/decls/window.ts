import { T, type BuiltinDecl } from '../types.js';

export const decls: BuiltinDecl[] = [
  {
    name: 'time.in_window', category: 'time',
    args: [
      { name: 'ns', type: T.num, description: 'a timestamp in nanoseconds since the epoch (an integer, exact beyond 2^53)' },
      { name: 'tz', type: T.str, description: 'an IANA zone name; `""` and `"UTC"` mean UTC, `"Local"` the host zone (as OPA\'s time functions; prefer an explicit zone)' },
      { name: 'spec', type: T.or(T.str, T.arr(T.str)), description: 'windows separated by `;`, or an array whose elements are windows (joined as by `;`; an empty array matches nothing)' },
    ],
    result: T.bool,
    description: [
      'Returns whether the instant falls inside the windows of `spec`, read in local wall-clock time in zone `tz`.',
      'Grammar: `spec = window (";" window)*`; `window = days " " ranges`;',
      '`days` is `daily`, `*`, or a comma-separated list of days (`Mon`, `Tue`, … `Sun`, or full names, any case) and day ranges `Mon-Fri`, which wrap around the week (`Fri-Mon` is Friday to Monday);',
      '`ranges` is a comma-separated list of `HH:MM-HH:MM` (hours `00`–`23`, one digit allowed, minutes `00`–`59`; `24:00` only as an end); spaces around `,`, `-` and `;` are allowed.',
      'A range includes its start and excludes its end, and may not start at `24:00` or end where it starts (`09:00-17:30` covers 09:00:00 to 17:29:59.999…). A range whose end is not after its start runs overnight: it belongs to its start day and continues into the next morning (`Fri 22:00-06:00` covers Saturday 03:00; `Sun 22:00-02:00` covers Monday 01:00).',
      'Days and hours are those of the local time the instant converts to, so a window keeps its local hours on daylight-saving days; local times skipped by a DST jump never occur, and repeated ones match each time.',
      'A malformed spec (the message names the window and the problem), a spec over 1024 characters, an unknown zone or a timestamp outside int64 nanoseconds is an error; specs are parsed once and memoised. Holidays come from data: `time.in_window(now, tz, "Mon-Fri 09:00-18:00"); not time.format([now, tz, "2006-01-02"]) in data.holidays`, with `data.holidays` a set or array of `YYYY-MM-DD` dates.',
    ].join(' '),
    example: 'time.in_window(time.now_ns(), "Europe/Paris", "Mon-Fri 09:00-12:30,13:30-18:00; Sat 10:00-13:00")',
  },
];
