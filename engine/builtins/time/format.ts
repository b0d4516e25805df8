/** Go's `Time.Format` over wall-clock fields and a tokenised layout. */
import { MONTHS, WEEKDAYS, weekdayOf, yearDay, type Fields } from './civil.js';
import type { Chunk } from './layout.js';

const TRAILING_ZEROS = /0+$/;

const pad = (n: number, width: number, fill = '0'): string => {
  const neg = n < 0;
  const s = String(Math.abs(n)).padStart(width, fill);
  return neg ? '-' + s : s;
};

function numericZone(offset: number, colon: boolean, withSeconds: boolean, short: boolean): string {
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  const h = pad(Math.floor(abs / 3600), 2), m = pad(Math.floor(abs / 60) % 60, 2), s = pad(abs % 60, 2);
  if (short) return sign + h;
  const sep = colon ? ':' : '';
  return sign + h + sep + m + (withSeconds ? sep + s : '');
}

export function formatTime(f: Fields, chunks: Chunk[]): string {
  let out = '';
  for (const c of chunks) {
    if ('lit' in c) { out += c.lit; continue; }
    switch (c.std) {
      case 'LongYear': out += pad(f.year, 4); break;
      case 'Year': out += pad(((f.year % 100) + 100) % 100, 2); break;
      case 'Month': out += MONTHS[f.month - 1]!.slice(0, 3); break;
      case 'LongMonth': out += MONTHS[f.month - 1]!; break;
      case 'NumMonth': out += String(f.month); break;
      case 'ZeroMonth': out += pad(f.month, 2); break;
      case 'WeekDay': out += WEEKDAYS[weekdayOf(f.days)]!.slice(0, 3); break;
      case 'LongWeekDay': out += WEEKDAYS[weekdayOf(f.days)]!; break;
      case 'Day': out += String(f.day); break;
      case 'UnderDay': out += pad(f.day, 2, ' '); break;
      case 'ZeroDay': out += pad(f.day, 2); break;
      case 'UnderYearDay': out += pad(yearDay(f), 3, ' '); break;
      case 'ZeroYearDay': out += pad(yearDay(f), 3); break;
      case 'Hour': out += pad(f.hour, 2); break;
      case 'Hour12': out += String(f.hour % 12 === 0 ? 12 : f.hour % 12); break;
      case 'ZeroHour12': out += pad(f.hour % 12 === 0 ? 12 : f.hour % 12, 2); break;
      case 'Minute': out += String(f.minute); break;
      case 'ZeroMinute': out += pad(f.minute, 2); break;
      case 'Second': out += String(f.second); break;
      case 'ZeroSecond': out += pad(f.second, 2); break;
      case 'PM': out += f.hour >= 12 ? 'PM' : 'AM'; break;
      case 'pm': out += f.hour >= 12 ? 'pm' : 'am'; break;
      case 'ISO8601TZ': case 'ISO8601SecondsTZ': case 'ISO8601ShortTZ': case 'ISO8601ColonTZ': case 'ISO8601ColonSecondsTZ':
      case 'NumTZ': case 'NumSecondsTz': case 'NumShortTZ': case 'NumColonTZ': case 'NumColonSecondsTZ': {
        // The ISO 8601 forms print `Z` for UTC; otherwise all print the numeric offset.
        if (f.offset === 0 && c.std.startsWith('ISO')) { out += 'Z'; break; }
        out += numericZone(f.offset, c.std.includes('Colon'), c.std.includes('Seconds'), c.std.includes('Short'));
        break;
      }
      case 'TZ': out += f.zoneAbbrev || numericZone(f.offset, false, false, false); break;
      case 'FracSecond0': {
        const digits = c.digits!;
        out += c.sep + String(f.nanos).padStart(9, '0').slice(0, digits);
        break;
      }
      case 'FracSecond9': {
        const digits = c.digits!;
        const frac = String(f.nanos).padStart(9, '0').slice(0, digits).replace(TRAILING_ZEROS, '');
        if (frac) out += c.sep + frac;
        break;
      }
    }
  }
  return out;
}
