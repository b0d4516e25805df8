/** Go's `time.ParseDuration`: `[-+]?([0-9]*(\.[0-9]*)?[a-z]+)+` to exact int64 nanoseconds. */

export class DurationError extends Error {}

const UNITS: Readonly<Record<string, bigint>> = {
  ns: 1n, us: 1_000n, 'µs': 1_000n, 'μs': 1_000n, ms: 1_000_000n,
  s: 1_000_000_000n, m: 60_000_000_000n, h: 3_600_000_000_000n,
};
const LIMIT = 1n << 63n;

const isDigitAt = (s: string, i: number) => i < s.length && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57;

export function parseDuration(orig: string): bigint {
  const invalid = () => new DurationError(`time: invalid duration ${JSON.stringify(orig)}`);
  let s = orig;
  let neg = false;
  if (s !== '' && (s[0] === '-' || s[0] === '+')) { neg = s[0] === '-'; s = s.slice(1); }
  if (s === '0') return 0n;
  if (s === '') throw invalid();
  let total = 0n;
  while (s !== '') {
    if (!(s[0] === '.' || isDigitAt(s, 0))) throw invalid();
    let i = 0;
    let v = 0n;
    while (isDigitAt(s, i)) {
      v = v * 10n + BigInt(s.charCodeAt(i) - 48);
      if (v > LIMIT) throw invalid();
      i++;
    }
    const pre = i > 0;
    s = s.slice(i);
    let f = 0n, scale = 1, post = false;
    if (s[0] === '.') {
      s = s.slice(1);
      let j = 0, overflow = false;
      while (isDigitAt(s, j)) {
        // Digits past int64 precision are ignored, as Go does.
        if (!overflow) {
          const next = f * 10n + BigInt(s.charCodeAt(j) - 48);
          if (next > LIMIT) overflow = true;
          else { f = next; scale *= 10; }
        }
        j++;
      }
      post = j > 0;
      s = s.slice(j);
    }
    if (!pre && !post) throw invalid();
    let k = 0;
    while (k < s.length && s[k] !== '.' && !isDigitAt(s, k)) k++;
    if (k === 0) throw new DurationError(`time: missing unit in duration ${JSON.stringify(orig)}`);
    const u = s.slice(0, k);
    s = s.slice(k);
    const unit = Object.prototype.hasOwnProperty.call(UNITS, u) ? UNITS[u]! : undefined;
    if (unit === undefined) throw new DurationError(`time: unknown unit ${JSON.stringify(u)} in duration ${JSON.stringify(orig)}`);
    if (v > LIMIT / unit) throw invalid();
    v *= unit;
    if (f > 0n) {
      // Go scales the fraction in floating point and truncates.
      v += BigInt(Math.trunc(Number(f) * (Number(unit) / scale)));
      if (v > LIMIT) throw invalid();
    }
    total += v;
    if (total > LIMIT) throw invalid();
  }
  if (neg) return -total;
  if (total > LIMIT - 1n) throw invalid();
  return total;
}
