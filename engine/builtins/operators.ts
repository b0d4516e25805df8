/** Arithmetic, set algebra, comparison and membership operators. */
import { decls } from '../../dsl/builtins/decls/operators.js';
import { compare, equal, isObject, objectGet, PolObject, PolSet, type Value } from '../value.js';
import { builtinError, operandTypeError, withChecks } from './check.js';
import { addNum, divNum, isIntegral, isZero, mulNum, remNum, subNum, type Num } from './num.js';
import type { BuiltinImpl } from './types.js';

/** Members of `a` not in `b`. */
export function setDifference(a: PolSet, b: PolSet): PolSet {
  const out = new PolSet();
  for (const [k, v] of a.keyed()) if (!b.hasKey(k)) out.addKeyed(k, v);
  return out;
}

export function setUnion(a: PolSet, b: PolSet): PolSet {
  if (b.size === 0) return a;
  if (a.size === 0) return b;
  const out = new PolSet();
  for (const [k, v] of a.keyed()) out.addKeyed(k, v);
  for (const [k, v] of b.keyed()) out.addKeyed(k, v);
  return out;
}

export function setIntersection(a: PolSet, b: PolSet): PolSet {
  if (a.size > b.size) [a, b] = [b, a];
  const out = new PolSet();
  for (const [k, v] of a.keyed()) if (b.hasKey(k)) out.addKeyed(k, v);
  return out;
}

/** `x in coll`: array elements, set members, object values; false for anything else. */
export function member2(x: Value, coll: Value): boolean {
  if (Array.isArray(coll)) {
    for (const e of coll) if (equal(e, x)) return true;
    return false;
  }
  if (coll instanceof PolSet) return coll.has(x);
  if (coll instanceof PolObject) {
    for (const [, v] of coll.entries()) if (equal(v, x)) return true;
  } else if (isObject(coll)) {
    for (const key in coll) if (hasOwn.call(coll, key) && equal(coll[key]!, x)) return true;
  }
  return false;
}

const hasOwn = Object.prototype.hasOwnProperty;

/** `k, v in coll`: index/key `k` holds `v`. */
export function member3(k: Value, v: Value, coll: Value): boolean {
  if (Array.isArray(coll)) {
    if (typeof k !== 'number' && typeof k !== 'bigint') return false;
    const i = Number(k);
    return Number.isInteger(i) && i >= 0 && i < coll.length && equal(coll[i]!, v);
  }
  if (coll instanceof PolSet) return equal(k, v) && coll.has(v);
  if (isObject(coll)) {
    const x = objectGet(coll, k);
    return x !== undefined && equal(x, v);
  }
  return false;
}

const minus: BuiltinImpl = ([a, b]) => {
  if (a instanceof PolSet) {
    if (!(b instanceof PolSet)) throw operandTypeError('minus', 2, ['set'], b!);
    return setDifference(a, b);
  }
  if (typeof b !== 'number' && typeof b !== 'bigint') throw operandTypeError('minus', 2, ['number'], b!);
  return subNum(a as Num, b);
};

export const impls: Record<string, BuiltinImpl> = withChecks(decls, {
  plus: ([a, b]) => addNum(a as Num, b as Num),
  minus,
  mul: ([a, b]) => mulNum(a as Num, b as Num),
  div: ([a, b]) => {
    if (isZero(b as Num)) throw builtinError('div', 'divide by zero');
    return divNum(a as Num, b as Num);
  },
  rem: ([a, b]) => {
    if (!isIntegral(a as Num) || !isIntegral(b as Num)) throw builtinError('rem', 'modulo on floating-point number');
    if (isZero(b as Num)) throw builtinError('rem', 'modulo by zero');
    return remNum(a as Num, b as Num);
  },
  or: ([a, b]) => setUnion(a as PolSet, b as PolSet),
  and: ([a, b]) => setIntersection(a as PolSet, b as PolSet),
  equal: ([a, b]) => equal(a!, b!),
  neq: ([a, b]) => !equal(a!, b!),
  lt: ([a, b]) => compare(a!, b!) < 0,
  lte: ([a, b]) => compare(a!, b!) <= 0,
  gt: ([a, b]) => compare(a!, b!) > 0,
  gte: ([a, b]) => compare(a!, b!) >= 0,
  'internal.member_2': ([x, coll]) => member2(x!, coll!),
  'internal.member_3': ([k, v, coll]) => member3(k!, v!, coll!),
});
