/** Type tests, `type_name` and the `to_number` cast. */
import { decls } from '../../dsl/builtins/decls/typefns.js';
import { isObject, parseNumber, PolSet, typeName, type Value } from '../value.js';
import { builtinError, withChecks } from './check.js';
import { BuiltinError, type BuiltinImpl } from './types.js';

/** Decimal number text as Go's strconv.ParseFloat accepts it (hex floats aside). */
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const NON_FINITE = /^[+-]?(?:inf|infinity|nan)$/i;

/** Parses a number string; integers beyond 2^53 stay exact. */
export function parseNumberString(name: string, s: string): number | bigint {
  if (!DECIMAL.test(s)) {
    if (NON_FINITE.test(s)) throw new BuiltinError(`${name}: operand 1 must be a finite number but got ${JSON.stringify(s)}`, 'eval_type_error');
    throw builtinError(name, `strconv.ParseFloat: parsing ${JSON.stringify(s)}: invalid syntax`);
  }
  const t = s[0] === '+' ? s.slice(1) : s;
  const n = /^-?\d+$/.test(t) ? parseNumber(t) : Number(t);
  if (typeof n === 'number' && !Number.isFinite(n)) throw builtinError(name, `strconv.ParseFloat: parsing ${JSON.stringify(s)}: value out of range`);
  return typeof n === 'number' ? n + 0 : n;
}

const toNumber = (x: Value): Value => {
  if (x === null) return 0;
  if (typeof x === 'boolean') return x ? 1 : 0;
  if (typeof x === 'string') return parseNumberString('to_number', x);
  return x;
};

export const impls: Record<string, BuiltinImpl> = withChecks(decls, {
  is_number: ([x]) => typeof x === 'number' || typeof x === 'bigint',
  is_string: ([x]) => typeof x === 'string',
  is_boolean: ([x]) => typeof x === 'boolean',
  is_array: ([x]) => Array.isArray(x),
  is_set: ([x]) => x instanceof PolSet,
  is_object: ([x]) => isObject(x),
  is_null: ([x]) => x === null,
  type_name: ([x]) => typeName(x!),
  to_number: ([x]) => toNumber(x!),
});
