/**
 * The window-spec language of `time.in_window` (grammar in its declaration, which generates
 * docs/builtins.md). A spec compiles once to a bitset of the minutes of the week it covers, so a
 * check is one lookup whatever the number of windows; specs are memoised by their text.
 */
import { BoundedMap } from '../bounded-map.js';

/** Longest spec accepted (all array elements together): bounds parse time and cached memory. */
export const MAX_SPEC_LENGTH = 1024;

const MINUTES_PER_DAY = 1440;
const MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY;

/** The minutes of the week a spec covers; weekday 0 is Sunday (as `weekdayOf`). */
export class WeekSchedule {
  private readonly bits = new Uint32Array(Math.ceil(MINUTES_PER_WEEK / 32));

  /** Adds `[from, to)` minutes of weekday `day`; `to` is at most 1440. */
  add(day: number, from: number, to: number): void {
    let m = day * MINUTES_PER_DAY + from;
    const end = day * MINUTES_PER_DAY + to;
    // Whole 32-minute words at once: a worst-case spec (1 kB of full days) compiles in microseconds.
    for (; m < end && (m & 31) !== 0; m++) this.bits[m >>> 5]! |= 1 << (m & 31);
    for (; m + 32 <= end; m += 32) this.bits[m >>> 5] = 0xffffffff;
    for (; m < end; m++) this.bits[m >>> 5]! |= 1 << (m & 31);
  }

  covers(day: number, minute: number): boolean {
    const m = day * MINUTES_PER_DAY + minute;
    return (this.bits[m >>> 5]! & (1 << (m & 31))) !== 0;
  }
}

/** A malformed spec; the message names the window and what is wrong with it. */
export class WindowSpecError extends Error {}

const DAY_NAMES: ReadonlyMap<string, number> = new Map([
  ['sun', 0], ['mon', 1], ['tue', 2], ['wed', 3], ['thu', 4], ['fri', 5], ['sat', 6],
  ['sunday', 0], ['monday', 1], ['tuesday', 2], ['wednesday', 3], ['thursday', 4], ['friday', 5], ['saturday', 6],
]);
const ALL_DAYS = 0b1111111;

const isSpace = (c: string | undefined) => c === ' ' || c === '\t' || c === '\n' || c === '\r';
const isLetter = (c: string | undefined) => c !== undefined && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'));
const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';

/** A cursor over one window's text (already trimmed); errors quote the window and the rest of it. */
class WindowParser {
  private i = 0;
  constructor(private readonly text: string) {}

  fail(problem: string): never {
    throw new WindowSpecError(`window ${JSON.stringify(this.text)}: ${problem}`);
  }

  private rest(): string { return JSON.stringify(this.text.slice(this.i)); }
  private peek(): string | undefined { return this.text[this.i]; }
  private skipSpaces(): number {
    const start = this.i;
    while (isSpace(this.peek())) this.i++;
    return this.i - start;
  }

  /** `<days> <ranges>`: a bitmask of weekdays (bit 0 Sunday) and `[start, end]` minute pairs. */
  parse(): { days: number; ranges: [number, number][] } {
    const days = this.days();
    if (this.i === this.text.length) this.fail('missing hours after the days (want e.g. "Mon-Fri 09:00-17:00")');
    if (this.skipSpaces() === 0) this.fail(`expected a space between the days and the hours at ${this.rest()}`);
    const ranges = this.ranges();
    this.skipSpaces();
    if (this.i !== this.text.length) this.fail(`unexpected ${this.rest()} after the hours`);
    return { days, ranges };
  }

  private days(): number {
    let mask = 0;
    for (;;) {
      mask |= this.dayItem();
      const save = this.i;
      this.skipSpaces();
      if (this.peek() !== ',') { this.i = save; return mask; }
      this.i++;
      this.skipSpaces();
    }
  }

  private dayItem(): number {
    const start = this.i;
    let from: number | 'daily';
    if (this.peek() === '*') { this.i++; from = 'daily'; } else from = this.dayName();
    const save = this.i;
    this.skipSpaces();
    if (this.peek() !== '-') { this.i = save; return from === 'daily' ? ALL_DAYS : 1 << from; }
    if (from === 'daily') this.fail(`${JSON.stringify(this.text.slice(start, save))} cannot start a day range`);
    this.i++;
    this.skipSpaces();
    const to = this.dayName();
    if (to === 'daily') this.fail(`"daily" cannot end a day range, in ${JSON.stringify(this.text.slice(start, this.i))}`);
    // Ranges wrap around the week: Fri-Mon is Friday, Saturday, Sunday, Monday.
    let mask = 0;
    for (let d = from; ; d = (d + 1) % 7) {
      mask |= 1 << d;
      if (d === to) return mask;
    }
  }

  private dayName(): number | 'daily' {
    const start = this.i;
    while (isLetter(this.peek())) this.i++;
    const word = this.text.slice(start, this.i);
    if (word === '') {
      if (start === 0) this.fail('expected days ("Mon-Fri", "Sat,Sun", "daily" or "*") at the start');
      this.fail(`expected a day name at ${this.rest()}`);
    }
    const lower = word.toLowerCase();
    if (lower === 'daily') return 'daily';
    const d = DAY_NAMES.get(lower);
    if (d === undefined) this.fail(`unknown day ${JSON.stringify(word)} (use Mon, Tue, Wed, Thu, Fri, Sat, Sun or full names)`);
    return d;
  }

  private ranges(): [number, number][] {
    const out: [number, number][] = [];
    for (;;) {
      const start = this.i;
      const from = this.time('start');
      this.skipSpaces();
      if (this.peek() !== '-') this.fail(`expected "-" between the start and end of a range at ${this.rest()}`);
      this.i++;
      this.skipSpaces();
      const to = this.time('end');
      const text = JSON.stringify(this.text.slice(start, this.i));
      if (from === MINUTES_PER_DAY) this.fail(`24:00 can only end a range, in ${text}`);
      if (from === to) this.fail(`empty range ${text} (start and end are equal)`);
      out.push([from, to]);
      const save = this.i;
      this.skipSpaces();
      if (this.peek() !== ',') { this.i = save; return out; }
      this.i++;
      this.skipSpaces();
    }
  }

  /** `H:MM` or `HH:MM`, 00:00–23:59, or 24:00; as minutes since midnight. */
  private time(which: 'start' | 'end'): number {
    const start = this.i;
    while (isDigit(this.peek())) this.i++;
    const hours = this.text.slice(start, this.i);
    if (hours.length < 1 || hours.length > 2 || this.peek() !== ':') {
      this.i = start;
      this.fail(`expected ${which === 'start' ? 'a start' : 'an end'} time HH:MM at ${this.rest()}`);
    }
    this.i++;
    const mStart = this.i;
    while (isDigit(this.peek())) this.i++;
    const minutes = this.text.slice(mStart, this.i);
    const literal = JSON.stringify(this.text.slice(start, this.i));
    if (minutes.length !== 2) this.fail(`invalid time ${literal} (want HH:MM)`);
    const h = Number(hours), m = Number(minutes);
    if (h === 24 && m === 0) return MINUTES_PER_DAY;
    if (h > 23 || m > 59) this.fail(`invalid time ${literal} (hours 00-23, minutes 00-59, or 24:00 as an end)`);
    return h * 60 + m;
  }
}

/**
 * Compiles spec text (windows separated by `;`) to the minutes of the week it covers. A range whose
 * end is not after its start runs overnight: it belongs to its start day and continues into the
 * next morning (Sunday night into Monday).
 */
export function compileSpec(spec: string): WeekSchedule {
  if (spec.length > MAX_SPEC_LENGTH) throw new WindowSpecError(`spec longer than ${MAX_SPEC_LENGTH} characters`);
  const schedule = new WeekSchedule();
  const windows = spec.split(';');
  for (let w = 0; w < windows.length; w++) {
    const text = windows[w]!.trim();
    if (text === '') {
      throw new WindowSpecError(windows.length === 1 ? 'empty spec (want e.g. "Mon-Fri 09:00-17:00")' : `window ${w + 1} is empty`);
    }
    const { days, ranges } = new WindowParser(text).parse();
    for (let d = 0; d < 7; d++) {
      if ((days & (1 << d)) === 0) continue;
      for (const [from, to] of ranges) {
        if (from < to) {
          schedule.add(d, from, to);
        } else {
          schedule.add(d, from, MINUTES_PER_DAY);
          schedule.add((d + 1) % 7, 0, to);
        }
      }
    }
  }
  return schedule;
}

// Specs are usually constants of a policy, so hits dominate; the bound (about 1.3 kB a schedule)
// keeps specs built from input from growing memory. Errors are cached as their message.
const cache = new BoundedMap<string, WeekSchedule | string>(256);

/** The compiled schedule of a spec, memoised by its text, or the problem with the spec. */
export function scheduleOf(spec: string): WeekSchedule | string {
  // Over-long specs are rejected before any lookup: they never enter (or evict from) the cache.
  if (spec.length > MAX_SPEC_LENGTH) return `spec longer than ${MAX_SPEC_LENGTH} characters`;
  let hit = cache.get(spec);
  if (hit === undefined) {
    try {
      hit = compileSpec(spec);
    } catch (e) {
      if (!(e instanceof WindowSpecError)) throw e;
      hit = e.message;
    }
    cache.set(spec, hit);
  }
  return hit;
}
