/**
 * `units.parse` and `units.parse_bytes` with OPA's rules: quotes are removed, spaces rejected, the
 * amount is a decimal (optionally in e-notation, with at most 6 exponent digits) followed by an SI
 * or binary unit. Arithmetic is exact (decimal mantissa × power of ten × unit), so `500m` is 0.5
 * and `10E` is the exact integer 10^19.
 */
import { BuiltinError, type BuiltinImpl } from './types.js';
import { normBig, type Value } from '../value.js';
import { stringOperand } from './time/operands.js';

const MAX_EXPONENT_DIGITS = 6;
/** Beyond this many decimal digits the result is refused rather than built (pol's bound). */
const MAX_RESULT_DIGITS = 400;

const KI = 1n << 10n, MI = 1n << 20n, GI = 1n << 30n, TI = 1n << 40n, PI = 1n << 50n, EI = 1n << 60n;
const K = 10n ** 3n, M = 10n ** 6n, G = 10n ** 9n, TE = 10n ** 12n, PE = 10n ** 15n, EX = 10n ** 18n;

/** Multiplier as a fraction num / 10^scale (milli is the only fractional unit). */
interface Unit { num: bigint; scale: number }
const u = (num: bigint, scale = 0): Unit => ({ num, scale });

const SI_UNITS: Record<string, Unit> = {
  '': u(1n), m: u(1n, 3), k: u(K), K: u(K), ki: u(KI), Ki: u(KI), M: u(M), mi: u(MI), Mi: u(MI),
  g: u(G), G: u(G), gi: u(GI), Gi: u(GI), t: u(TE), T: u(TE), ti: u(TI), Ti: u(TI),
  p: u(PE), P: u(PE), pi: u(PI), Pi: u(PI), e: u(EX), E: u(EX), ei: u(EI), Ei: u(EI),
};
const BYTE_UNITS: Record<string, Unit> = {
  '': u(1n), k: u(K), kb: u(K), ki: u(KI), kib: u(KI), m: u(M), mb: u(M), mi: u(MI), mib: u(MI),
  g: u(G), gb: u(G), gi: u(GI), gib: u(GI), t: u(TE), tb: u(TE), ti: u(TI), tib: u(TI),
  p: u(PE), pb: u(PE), pi: u(PI), pib: u(PI), e: u(EX), eb: u(EX), ei: u(EI), eib: u(EI),
};

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';

/** Splits `12.5e3Ki` into amount and unit; an `e` not followed by an exponent starts the unit. */
function split(s: string): { num: string; unit: string } | 'exponent' {
  let i = 0;
  for (; i < s.length; i++) {
    const c = s[i]!;
    if (isDigit(c) || c === '.' || c === '+' || c === '-') continue;
    if (c !== 'e' && c !== 'E') break;
    const next = s[i + 1];
    if (!isDigit(next) && next !== '+' && next !== '-') break;
    if (next === '+' || next === '-') i++;
    let end = i + 1;
    while (isDigit(s[end])) end++;
    if (end - (i + 1) > MAX_EXPONENT_DIGITS) return 'exponent';
  }
  return { num: s.slice(0, i), unit: s.slice(i) };
}

const DECIMAL = /^([+-]?)([0-9]*)(?:\.([0-9]*))?(?:[eE]([+-]?[0-9]+))?$/;

/** A decimal as an exact fraction digits / 10^scale (scale may be negative). */
function parseDecimal(text: string): { digits: bigint; scale: number } | undefined {
  const m = DECIMAL.exec(text);
  if (!m) return undefined;
  const int = m[2] ?? '', frac = m[3] ?? '';
  if (int === '' && frac === '') return undefined;
  const digits = BigInt((m[1] === '-' ? '-' : '') + (int + frac || '0'));
  return { digits, scale: frac.length - Number(m[4] ?? 0) };
}

interface Parsed { digits: bigint; scale: number }

function parseAmount(name: string, s: string, units: Record<string, Unit>, unitKey: (unit: string) => string, noun: string, unitNoun: string): Parsed {
  if (s.includes(' ')) throw new BuiltinError(`${name}: spaces not allowed in resource strings`);
  const parts = split(s);
  if (parts === 'exponent') throw new BuiltinError(`${name}: exponent too large`);
  if (parts.num === '') throw new BuiltinError(`${name}: no ${noun} provided`);
  const key = unitKey(parts.unit);
  const unit = Object.prototype.hasOwnProperty.call(units, key) ? units[key]! : undefined;
  if (!unit) throw new BuiltinError(`${name}: ${unitNoun} ${key} not recognized`);
  const dec = parseDecimal(parts.num);
  if (!dec) throw new BuiltinError(`${name}: could not parse ${noun} to a number`);
  const scale = dec.scale + unit.scale;
  const magnitude = dec.digits.toString().length - scale;
  if (dec.digits !== 0n && magnitude > MAX_RESULT_DIGITS) throw new BuiltinError(`${name}: exponent too large`);
  return { digits: dec.digits * unit.num, scale };
}

/** Exact integer when the fraction has none; otherwise rounded to 10 decimals as OPA prints it. */
function toNumber(p: Parsed): Value {
  if (p.digits === 0n) return 0;
  if (p.scale <= 0) return normBig(p.digits * 10n ** BigInt(-p.scale));
  const div = 10n ** BigInt(p.scale);
  if (p.digits % div === 0n) return normBig(p.digits / div);
  if (p.scale <= 10) return Number(`${p.digits}e-${p.scale}`);
  const drop = 10n ** BigInt(p.scale - 10);
  const neg = p.digits < 0n;
  const abs = neg ? -p.digits : p.digits;
  let q = abs / drop;
  if ((abs % drop) * 2n >= drop) q += 1n;
  const n = Number(`${q}e-10`);
  return neg ? -n : n;
}

function truncate(p: Parsed): Value {
  if (p.scale <= 0) return normBig(p.digits * 10n ** BigInt(-p.scale));
  return normBig(p.digits / 10n ** BigInt(p.scale));
}

const parse: BuiltinImpl = args => {
  const s = stringOperand('units.parse', args, 0).replaceAll('"', '');
  // Only the unit's tail is case-folded so that `m` (milli) and `M` (mega) stay distinct.
  const key = (unit: string) => (unit.length > 1 ? unit[0] + unit.slice(1).toLowerCase() : unit);
  return toNumber(parseAmount('units.parse', s, SI_UNITS, key, 'amount', 'unit'));
};

const parseBytes: BuiltinImpl = args => {
  const s = stringOperand('units.parse_bytes', args, 0).toLowerCase().replaceAll('"', '');
  return truncate(parseAmount('units.parse_bytes', s, BYTE_UNITS, unit => unit, 'byte amount', 'byte unit'));
};

export const impls: Record<string, BuiltinImpl> = {
  'units.parse': parse,
  'units.parse_bytes': parseBytes,
};
