/** Rounding, ranges and bitwise operations, exact on integers of any size. */
import { decls } from '../../dsl/builtins/decls/numbers.js';
import { normBig, type Value } from '../value.js';
import { builtinError, withChecks } from './check.js';
import { absNum, isIntegral, toBig, type Num } from './num.js';
import { BuiltinError, type BuiltinImpl } from './types.js';

/** Longest range the builtins build: a policy must not be able to exhaust memory with one call. */
export const MAX_RANGE_LENGTH = 10_000_000;
/** Widest shift accepted, for the same reason. */
export const MAX_SHIFT = 65_536;

function intOperand(name: string, pos: number, v: Value): bigint {
  if (!isIntegral(v as Num)) throw new BuiltinError(`${name}: operand ${pos} must be integer number but got floating-point number`, 'eval_type_error');
  return toBig(v as Num);
}

function roundWith(f: (x: number) => number): BuiltinImpl {
  return ([x]) => (typeof x === 'bigint' || Number.isInteger(x) ? x! : f(x as number) + 0);
}

/** Halves away from zero, as Go's math.Round. */
const roundHalfAway = (x: number): number => (x < 0 ? -Math.round(-x) : Math.round(x));

function range(name: string, a: bigint, b: bigint, step: bigint): Value[] {
  const span = (a <= b ? b - a : a - b) / step + 1n;
  if (span > BigInt(MAX_RANGE_LENGTH)) throw builtinError(name, `range longer than ${MAX_RANGE_LENGTH} elements`);
  const out: Value[] = new Array(Number(span));
  if (Number.isSafeInteger(Number(a)) && Number.isSafeInteger(Number(b)) && Number.isSafeInteger(Number(step))) {
    const s = a <= b ? Number(step) : -Number(step);
    let x = Number(a);
    for (let i = 0; i < out.length; i++, x += s) out[i] = x;
    return out;
  }
  const s = a <= b ? step : -step;
  let x = a;
  for (let i = 0; i < out.length; i++, x += s) out[i] = normBig(x);
  return out;
}

function shiftCount(name: string, v: Value): bigint {
  const s = intOperand(name, 2, v);
  if (s < 0n) throw new BuiltinError(`${name}: operand 2 must be an unsigned integer number but got a negative integer`, 'eval_type_error');
  if (s > BigInt(MAX_SHIFT)) throw builtinError(name, `shift count larger than ${MAX_SHIFT}`);
  return s;
}

const bitwise = (name: string, f: (x: bigint, y: bigint) => bigint): BuiltinImpl =>
  ([x, y]) => normBig(f(intOperand(name, 1, x!), intOperand(name, 2, y!)));

export const impls: Record<string, BuiltinImpl> = withChecks(decls, {
  abs: ([x]) => absNum(x as Num),
  round: roundWith(roundHalfAway),
  ceil: roundWith(Math.ceil),
  floor: roundWith(Math.floor),
  'numbers.range': ([a, b]) => range('numbers.range', intOperand('numbers.range', 1, a!), intOperand('numbers.range', 2, b!), 1n),
  'numbers.range_step': ([a, b, step]) => {
    const name = 'numbers.range_step';
    const x = intOperand(name, 1, a!), y = intOperand(name, 2, b!);
    if (!isIntegral(step as Num) || toBig(step as Num) <= 0n) throw builtinError(name, 'step must be a positive integer');
    return range(name, x, y, toBig(step as Num));
  },
  'bits.and': bitwise('bits.and', (x, y) => x & y),
  'bits.or': bitwise('bits.or', (x, y) => x | y),
  'bits.xor': bitwise('bits.xor', (x, y) => x ^ y),
  'bits.negate': ([x]) => normBig(~intOperand('bits.negate', 1, x!)),
  'bits.lsh': ([x, s]) => normBig(intOperand('bits.lsh', 1, x!) << shiftCount('bits.lsh', s!)),
  'bits.rsh': ([x, s]) => normBig(intOperand('bits.rsh', 1, x!) >> shiftCount('bits.rsh', s!)),
});
