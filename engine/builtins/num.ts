/**
 * Exact integer arithmetic over the two number representations: `number` (doubles, exact for
 * integers up to 2^53) and `bigint` (integers beyond). Integral results beyond 2^53 become bigint,
 * as OPA keeps integers exact; any fraction makes the result a double.
 */
import { normBig } from '../value.js';

export type Num = number | bigint;

export function isIntegral(v: Num): boolean {
  return typeof v === 'bigint' || Number.isInteger(v);
}

/**
 * The exact integer an integral number denotes. An integral double beyond 2^53 stands for the
 * integer written by its shortest decimal form (`1e30` is 10^30, not the nearest binary value),
 * which is what the policy author wrote.
 */
export function toBig(v: Num): bigint {
  if (typeof v === 'bigint') return v;
  if (Number.isSafeInteger(v)) return BigInt(v);
  const s = String(v);
  const e = s.indexOf('e');
  if (e < 0) return BigInt(s);
  const mant = s.slice(0, e), exp = Number(s.slice(e + 1));
  const dot = mant.indexOf('.');
  const digits = dot < 0 ? mant : mant.slice(0, dot) + mant.slice(dot + 1);
  const frac = dot < 0 ? 0 : mant.length - dot - 1;
  return BigInt(digits) * 10n ** BigInt(exp - frac);
}

export function toDouble(v: Num): number {
  return typeof v === 'bigint' ? Number(v) : v;
}

/** Integral operands go exact (bigint when needed); any fraction goes double. */
function exactOr(a: Num, b: Num, dbl: (x: number, y: number) => number, big: (x: bigint, y: bigint) => bigint): Num {
  if (typeof a === 'number' && typeof b === 'number') {
    const r = dbl(a, b);
    if (Number.isSafeInteger(r) && Number.isSafeInteger(a) && Number.isSafeInteger(b)) return r;
    if (!Number.isInteger(a) || !Number.isInteger(b)) return r;
  } else if (!isIntegral(a) || !isIntegral(b)) {
    return dbl(toDouble(a), toDouble(b));
  }
  return normBig(big(toBig(a), toBig(b)));
}

export const addNum = (a: Num, b: Num): Num => exactOr(a, b, (x, y) => x + y, (x, y) => x + y);
export const subNum = (a: Num, b: Num): Num => exactOr(a, b, (x, y) => x - y, (x, y) => x - y);
export const mulNum = (a: Num, b: Num): Num => exactOr(a, b, (x, y) => x * y, (x, y) => x * y);

export function isZero(v: Num): boolean {
  return typeof v === 'bigint' ? v === 0n : v === 0;
}

/** Division; the caller has rejected a zero divisor. Exact when the divisor divides the dividend. */
export function divNum(a: Num, b: Num): Num {
  if (isIntegral(a) && isIntegral(b)) {
    if (typeof a === 'number' && typeof b === 'number' && Number.isSafeInteger(a) && Number.isSafeInteger(b)) {
      if (a % b === 0) return a / b + 0; // `+ 0` turns -0 into 0
      return a / b;
    }
    const x = toBig(a), y = toBig(b);
    if (x % y === 0n) return normBig(x / y);
  }
  return toDouble(a) / toDouble(b);
}

/** Remainder with the dividend's sign; the caller has checked both are integral and b is not 0. */
export function remNum(a: Num, b: Num): Num {
  if (typeof a === 'number' && typeof b === 'number' && Number.isSafeInteger(a) && Number.isSafeInteger(b)) return (a % b) + 0;
  return normBig(toBig(a) % toBig(b));
}

export function absNum(a: Num): Num {
  if (typeof a === 'bigint') return a < 0n ? -a : a;
  return Math.abs(a);
}
