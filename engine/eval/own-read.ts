/**
 * Property reads that stay on a value's own properties (a policy must never see `constructor`,
 * `__proto__` or anything a polluted prototype adds) at the cost of one property load.
 *
 * The own-property check is only needed when the key could come from a prototype. For a key that
 * no prototype a value can have defines (plain objects, arrays, sets and non-string-keyed
 * objects), `v[k]` can find only an own property — unless some code in the process has polluted
 * `Object.prototype` or `Array.prototype`: a read that finds a value first checks that the key
 * is not on those prototypes now (`SHARED_PROTOTYPES`), and checks ownership if it is.
 */
import { PolObject, PolSet, type PlainObject, type Value } from '../value.js';
import { derefKey } from './collections.js';

const hasOwn = Object.prototype.hasOwnProperty;

/** Every string key some prototype of a value defines, collected up each prototype chain. */
const INHERITED = new Set<string>();
for (const start of [Object.prototype, Array.prototype, PolObject.prototype, PolSet.prototype]) {
  for (let p: object | null = start; p; p = Object.getPrototypeOf(p) as object | null) {
    for (const name of Object.getOwnPropertyNames(p)) INHERITED.add(name);
  }
}
const ARRAY_INDEX = /^(0|[1-9][0-9]*)$/;

/** True when reading `k` must check that the property is the object's own. */
export function needsOwnCheck(k: string): boolean {
  return INHERITED.has(k) || ARRAY_INDEX.test(k);
}

/**
 * Where prototype pollution would show. `Array.prototype` inherits from `Object.prototype`, and
 * plain objects, arrays, sets and non-string-keyed objects all inherit from one or both, so
 * `SHARED_PROTOTYPES[k] !== undefined`, for a key `needsOwnCheck` accepts, means some code in
 * the process has added `k` to one of them (enumerable or not). A read that found a value checks
 * this before trusting it. At a load site that sees one key (a pooled reader's), V8 answers the
 * lookup of an absent key from the prototypes' shapes, about a nanosecond, and drops that answer
 * when either prototype changes: no per-evaluation check is needed.
 */
export const SHARED_PROTOTYPES = Array.prototype as unknown as PlainObject;

/** `v[k]` for a key `needsOwnCheck` rejects: one load, own properties only. */
export function readUninheritedKey(v: Value | undefined, k: string): Value | undefined {
  if (typeof v === 'object' && v !== null) {
    const x = (v as PlainObject)[k];
    if (x !== undefined && SHARED_PROTOTYPES[k] === undefined) return x;
  }
  return derefKey(v, k);
}

/** `v[k]` for any string key: the own-property check first. */
export function readOwnKey(v: Value | undefined, k: string): Value | undefined {
  if (typeof v === 'object' && v !== null && !Array.isArray(v) && hasOwn.call(v, k)) return (v as PlainObject)[k];
  return derefKey(v, k);
}
