/** Object builtins: get (with paths), keys, remove, filter, union, union_n, subset. */
import { decls } from '../../dsl/builtins/decls/objects.js';
import {
  defineKey, equal, isObject, objectEntries, objectGet, ObjectBuilder, PolObject, PolSet,
  type PlainObject, type Value,
} from '../value.js';
import { builtinError, operandTypeError, withChecks } from './check.js';
import type { BuiltinImpl } from './types.js';

type Obj = PlainObject | PolObject;
const hasOwn = Object.prototype.hasOwnProperty;

/** One step down a path: object key or array index. */
function step(v: Value, key: Value): Value | undefined {
  if (Array.isArray(v)) {
    if (typeof key !== 'number' || !Number.isInteger(key) || key < 0 || key >= v.length) return undefined;
    return v[key];
  }
  if (isObject(v)) return objectGet(v, key);
  return undefined;
}

/** The keys named by a set, an array, or an object's keys, as a membership test. */
function keySet(keys: Value): PolSet {
  if (keys instanceof PolSet) return keys;
  if (Array.isArray(keys)) return new PolSet(keys);
  return new PolSet(objectEntries(keys as Obj).map(e => e[0]));
}

function filterKeys(o: Obj, keys: Value, keep: boolean): Obj {
  const ks = keySet(keys);
  const b = new ObjectBuilder();
  if (o instanceof PolObject) {
    for (const [k, v] of o.entries()) if (ks.has(k) === keep) b.set(k, v);
  } else {
    for (const k of Object.keys(o)) if (ks.has(k) === keep) b.set(k, o[k]!);
  }
  return b.build();
}

/** Deep merge: nested objects merge, otherwise `b`'s value wins. */
export function mergeObjects(a: Obj, b: Obj): Obj {
  if (!(a instanceof PolObject) && !(b instanceof PolObject)) {
    const out: PlainObject = {};
    for (const k of Object.keys(a)) defineKey(out, k, a[k]!);
    for (const k of Object.keys(b)) {
      const bv = b[k]!;
      const av = hasOwn.call(out, k) ? out[k] : undefined;
      const v = av !== undefined && isObject(av) && isObject(bv) ? mergeObjects(av, bv) : bv;
      defineKey(out, k, v);
    }
    return out;
  }
  const out = new ObjectBuilder();
  for (const [k, v] of objectEntries(a)) out.set(k, v);
  for (const [k, bv] of objectEntries(b)) {
    const av = out.get(k);
    out.set(k, av !== undefined && isObject(av) && isObject(bv) ? mergeObjects(av, bv) : bv);
  }
  return out.build();
}

/** Is `sub` a contiguous run inside `sup`? */
function arrayContains(sup: Value[], sub: Value[]): boolean {
  if (sub.length === 0) return true;
  outer: for (let i = 0; i + sub.length <= sup.length; i++) {
    for (let j = 0; j < sub.length; j++) if (!equal(sup[i + j]!, sub[j]!)) continue outer;
    return true;
  }
  return false;
}

export function isSubset(sup: Value, sub: Value): boolean {
  if (isObject(sup) && isObject(sub)) {
    for (const [k, v] of objectEntries(sub)) {
      const w = objectGet(sup, k);
      if (w === undefined || !isSubset(w, v)) return false;
    }
    return true;
  }
  if (sup instanceof PolSet && sub instanceof PolSet) {
    for (const k of sub.keys()) if (!sup.hasKey(k)) return false;
    return true;
  }
  if (Array.isArray(sup)) {
    if (Array.isArray(sub)) return arrayContains(sup, sub);
    if (sub instanceof PolSet) {
      const members = new PolSet(sup);
      for (const k of sub.keys()) if (!members.hasKey(k)) return false;
      return true;
    }
  }
  return equal(sup, sub);
}

export const impls: Record<string, BuiltinImpl> = withChecks(decls, {
  'object.get': ([o, key, dflt]) => {
    if (!Array.isArray(key)) return objectGet(o as Obj, key!) ?? dflt!;
    let v: Value | undefined = o!;
    for (const k of key) {
      v = step(v, k);
      if (v === undefined) return dflt!;
    }
    return v;
  },
  'object.keys': ([o]) => (o instanceof PolObject ? new PolSet([...o.entries()].map(e => e[0])) : new PolSet(Object.keys(o as PlainObject))),
  'object.remove': ([o, keys]) => filterKeys(o as Obj, keys!, false),
  'object.filter': ([o, keys]) => filterKeys(o as Obj, keys!, true),
  'object.union': ([a, b]) => mergeObjects(a as Obj, b as Obj),
  'object.union_n': ([list]) => {
    let acc: Obj = {};
    for (const o of list as Value[]) acc = mergeObjects(acc, o as Obj);
    return acc;
  },
  'object.subset': ([sup, sub]) => {
    const ok = (isObject(sup) && isObject(sub)) || (sup instanceof PolSet && sub instanceof PolSet)
      || (Array.isArray(sup) && (Array.isArray(sub) || sub instanceof PolSet));
    if (!ok) {
      if (isObject(sup)) throw operandTypeError('object.subset', 2, ['object'], sub!);
      if (sup instanceof PolSet) throw operandTypeError('object.subset', 2, ['set'], sub!);
      throw builtinError('object.subset', 'both arguments must be of the same type, or an array and a set');
    }
    return isSubset(sup!, sub!);
  },
});
