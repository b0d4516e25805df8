/**
 * Operand checks for the time, net, crypto and jwt families, worded as OPA words them
 * (`<builtin>: operand 1 must be string but got number`, code `eval_type_error`). These families
 * check inside their implementations rather than through `withChecks`, because several of OPA's
 * messages for them are not derivable from the declared types (`either number (ns) or [number
 * (ns), string (tz)]`, `element must be string or non-empty array`).
 */
import { BuiltinError } from '../types.js';
import { operandTypeError } from '../check.js';
import { isObject, type Value, type PlainObject, type PolObject } from '../../value.js';

export function operandError(name: string, pos: number, want: string, got: Value): BuiltinError {
  return operandTypeError(name, pos, [want], got);
}

export function stringOperand(name: string, args: Value[], i: number): string {
  const v = args[i];
  if (typeof v !== 'string') throw operandError(name, i + 1, 'string', v ?? null);
  return v;
}

export function numberOperand(name: string, args: Value[], i: number): number | bigint {
  const v = args[i];
  if (typeof v !== 'number' && typeof v !== 'bigint') throw operandError(name, i + 1, 'number', v ?? null);
  return v;
}

export function objectOperand(name: string, args: Value[], i: number): PlainObject | PolObject {
  const v = args[i];
  if (!isObject(v)) throw operandError(name, i + 1, 'object', v ?? null);
  return v;
}

/** An integer operand as bigint; a fraction is rejected with OPA's wording. */
export function intOperand(name: string, args: Value[], i: number): bigint {
  const v = numberOperand(name, args, i);
  if (typeof v === 'bigint') return v;
  if (!Number.isInteger(v)) {
    throw new BuiltinError(`${name}: operand ${i + 1} must be integer number but got floating-point number`, 'eval_type_error');
  }
  return BigInt(v);
}
