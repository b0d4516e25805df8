/** Dereferencing and iterating values the way Rego refs do. */
import { PolObject, PolSet, compare, compareStrings, objectGet, type PlainObject, type Value } from '../value.js';

/** `v[key]`: arrays by integer index, objects by key, sets by membership (yields the member). */
const hasOwn = Object.prototype.hasOwnProperty;

export function derefKey(v: Value | undefined, key: Value): Value | undefined {
  if (v === undefined || v === null || typeof v !== 'object') return undefined;
  // Objects first: own properties only, so `__proto__` and friends are plain keys (sets and
  // non-string-keyed objects keep their state in private fields, so they have none).
  if (typeof key === 'string' && !Array.isArray(v) && hasOwn.call(v, key)) return (v as PlainObject)[key];
  if (Array.isArray(v)) {
    if (typeof key === 'number') return Number.isInteger(key) && key >= 0 ? v[key] : undefined;
    return undefined;
  }
  if (v instanceof PolSet) return v.has(key) ? key : undefined;
  return objectGet(v as PlainObject | PolObject, key);
}

/** Calls `fn(key, value)` for every element; stops (and returns true) when `fn` returns true. */
export function forEachEntry(v: Value | undefined, fn: (k: Value, x: Value) => boolean): boolean {
  if (v === undefined || v === null || typeof v !== 'object') return false;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) if (fn(i, v[i]!)) return true;
    return false;
  }
  // Sets and objects iterate in canonical order, as OPA's do.
  if (v instanceof PolSet) {
    for (const x of v.sorted()) if (fn(x, x)) return true;
    return false;
  }
  if (v instanceof PolObject) {
    for (const [k, x] of [...v.entries()].sort((p, q) => compare(p[0], q[0]))) if (fn(k, x)) return true;
    return false;
  }
  const o = v as PlainObject;
  const keys = Object.keys(o);
  if (keys.length > 1) keys.sort(compareStrings);
  for (const k of keys) if (fn(k, o[k]!)) return true;
  return false;
}

/** `forEachEntry` in storage order: for callers that cannot observe the order. */
export function forEachEntryAnyOrder(v: Value | undefined, fn: (k: Value, x: Value) => boolean): boolean {
  if (v === undefined || v === null || typeof v !== 'object') return false;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) if (fn(i, v[i]!)) return true;
    return false;
  }
  if (v instanceof PolSet) {
    for (const x of v.values()) if (fn(x, x)) return true;
    return false;
  }
  if (v instanceof PolObject) {
    for (const [k, x] of v.entries()) if (fn(k, x)) return true;
    return false;
  }
  const o = v as PlainObject;
  for (const k of Object.keys(o)) if (fn(k, o[k]!)) return true;
  return false;
}

/** Deep-sets `value` at `path` in a copy of `root` (objects only), for `with data.a.b as v`. */
export function setPath(root: Value | undefined, path: Value[], value: Value): Value {
  if (path.length === 0) return value;
  const [head, ...rest] = path;
  const base: Record<string, Value> = {};
  if (root && typeof root === 'object' && !Array.isArray(root) && !(root instanceof PolSet) && !(root instanceof PolObject)) {
    for (const k of Object.keys(root)) Object.defineProperty(base, k, { value: (root as PlainObject)[k], enumerable: true, writable: true, configurable: true });
  }
  if (typeof head !== 'string') return base;
  const child = Object.prototype.hasOwnProperty.call(base, head) ? base[head] : undefined;
  Object.defineProperty(base, head, { value: setPath(child, rest, value), enumerable: true, writable: true, configurable: true });
  return base;
}
