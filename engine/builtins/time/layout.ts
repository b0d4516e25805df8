/**
 * Go reference-time layouts ("Mon Jan 2 15:04:05 MST 2006"), tokenised once per layout string
 * and cached: a layout is a list of literal text and standard elements, recognised with Go's
 * rules (longest element first, `_2006` is `_` + year, fractional seconds only when the digit run
 * ends the element).
 */

export type Std =
  | 'LongMonth' | 'Month' | 'NumMonth' | 'ZeroMonth'
  | 'LongWeekDay' | 'WeekDay'
  | 'Day' | 'UnderDay' | 'ZeroDay' | 'UnderYearDay' | 'ZeroYearDay'
  | 'Hour' | 'Hour12' | 'ZeroHour12'
  | 'Minute' | 'ZeroMinute' | 'Second' | 'ZeroSecond'
  | 'LongYear' | 'Year' | 'PM' | 'pm' | 'TZ'
  | 'ISO8601TZ' | 'ISO8601SecondsTZ' | 'ISO8601ShortTZ' | 'ISO8601ColonTZ' | 'ISO8601ColonSecondsTZ'
  | 'NumTZ' | 'NumSecondsTz' | 'NumShortTZ' | 'NumColonTZ' | 'NumColonSecondsTZ'
  | 'FracSecond0' | 'FracSecond9';

export type Chunk =
  | { lit: string }
  | { std: Std; text: string; digits?: number; sep?: string };

/** Layout names OPA accepts in place of a layout (these ten of Go's `time` constants, no others). */
export const NAMED_LAYOUTS: Readonly<Record<string, string>> = {
  ANSIC: 'Mon Jan _2 15:04:05 2006',
  UnixDate: 'Mon Jan _2 15:04:05 MST 2006',
  RubyDate: 'Mon Jan 02 15:04:05 -0700 2006',
  RFC822: '02 Jan 06 15:04 MST',
  RFC822Z: '02 Jan 06 15:04 -0700',
  RFC850: 'Monday, 02-Jan-06 15:04:05 MST',
  RFC1123: 'Mon, 02 Jan 2006 15:04:05 MST',
  RFC1123Z: 'Mon, 02 Jan 2006 15:04:05 -0700',
  RFC3339: '2006-01-02T15:04:05Z07:00',
  RFC3339Nano: '2006-01-02T15:04:05.999999999Z07:00',
};

export function resolveLayout(nameOrLayout: string): string {
  return Object.prototype.hasOwnProperty.call(NAMED_LAYOUTS, nameOrLayout) ? NAMED_LAYOUTS[nameOrLayout]! : nameOrLayout;
}

const TZ_ELEMENTS: [string, Std][] = [
  ['Z070000', 'ISO8601SecondsTZ'], ['Z07:00:00', 'ISO8601ColonSecondsTZ'], ['Z0700', 'ISO8601TZ'],
  ['Z07:00', 'ISO8601ColonTZ'], ['Z07', 'ISO8601ShortTZ'],
  ['-070000', 'NumSecondsTz'], ['-07:00:00', 'NumColonSecondsTZ'], ['-0700', 'NumTZ'],
  ['-07:00', 'NumColonTZ'], ['-07', 'NumShortTZ'],
];

const isDigit = (s: string, i: number) => i < s.length && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57;

/** The standard element starting at `i`, if any: [std, length, extra]. */
function elementAt(l: string, i: number): { std: Std; len: number; digits?: number } | undefined {
  const rest = (n: number) => l.slice(i, i + n);
  switch (l[i]) {
    case 'J':
      if (rest(7) === 'January') return { std: 'LongMonth', len: 7 };
      if (rest(3) === 'Jan') return { std: 'Month', len: 3 };
      return undefined;
    case 'M':
      if (rest(6) === 'Monday') return { std: 'LongWeekDay', len: 6 };
      if (rest(3) === 'Mon') return { std: 'WeekDay', len: 3 };
      if (rest(3) === 'MST') return { std: 'TZ', len: 3 };
      return undefined;
    case '0': {
      const c = l[i + 1];
      if (c !== undefined && c >= '1' && c <= '6') {
        const std = (['ZeroMonth', 'ZeroDay', 'ZeroHour12', 'ZeroMinute', 'ZeroSecond', 'Year'] as Std[])[Number(c) - 1]!;
        return { std, len: 2 };
      }
      if (rest(3) === '002') return { std: 'ZeroYearDay', len: 3 };
      return undefined;
    }
    case '1':
      if (rest(2) === '15') return { std: 'Hour', len: 2 };
      return { std: 'NumMonth', len: 1 };
    case '2':
      if (rest(4) === '2006') return { std: 'LongYear', len: 4 };
      return { std: 'Day', len: 1 };
    case '_':
      if (l[i + 1] === '2') {
        // `_2006` is a literal underscore followed by the year.
        if (l.slice(i + 1, i + 5) === '2006') return undefined;
        return { std: 'UnderDay', len: 2 };
      }
      if (rest(3) === '__2') return { std: 'UnderYearDay', len: 3 };
      return undefined;
    case '3': return { std: 'Hour12', len: 1 };
    case '4': return { std: 'Minute', len: 1 };
    case '5': return { std: 'Second', len: 1 };
    case 'P': return rest(2) === 'PM' ? { std: 'PM', len: 2 } : undefined;
    case 'p': return rest(2) === 'pm' ? { std: 'pm', len: 2 } : undefined;
    case '-': case 'Z':
      for (const [text, std] of TZ_ELEMENTS) if (rest(text.length) === text) return { std, len: text.length };
      return undefined;
    case '.': case ',': {
      const d = l[i + 1];
      if (d === '0' || d === '9') {
        let j = i + 1;
        while (j < l.length && l[j] === d) j++;
        if (!isDigit(l, j)) return { std: d === '0' ? 'FracSecond0' : 'FracSecond9', len: j - i, digits: j - i - 1 };
      }
      return undefined;
    }
    default: return undefined;
  }
}

const cache = new Map<string, Chunk[]>();
const CACHE_LIMIT = 256;

export function tokenizeLayout(layout: string): Chunk[] {
  const hit = cache.get(layout);
  if (hit) return hit;
  const chunks: Chunk[] = [];
  let lit = '';
  for (let i = 0; i < layout.length;) {
    const el = elementAt(layout, i);
    if (!el) {
      // `_2006`: keep the underscore literal and let the year be recognised next.
      lit += layout[i];
      i++;
      continue;
    }
    if (lit) { chunks.push({ lit }); lit = ''; }
    const text = layout.slice(i, i + el.len);
    const chunk: Chunk = el.digits !== undefined ? { std: el.std, text, digits: el.digits, sep: layout[i]! } : { std: el.std, text };
    chunks.push(chunk);
    i += el.len;
  }
  if (lit) chunks.push({ lit });
  if (layout.length <= 256) {
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(layout, chunks);
  }
  return chunks;
}
