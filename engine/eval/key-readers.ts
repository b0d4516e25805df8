/**
 * Readers of one constant key, each with its own property-load site.
 *
 * V8 remembers, per load site in the source, which object shapes and which key it has seen. A
 * single shared `v[k]` site that every policy key goes through sees many keys and turns
 * megamorphic: each load then takes V8's generic keyed lookup, about 6 ns here against 1 ns for a
 * site that has seen one key and a few shapes (a policy's `input.user.clearance` is two such loads
 * per evaluation). Closures made from one function literal share their load sites, so a site per
 * key needs a literal per key: `SITES` below is a fixed pool of identical literals, and each
 * distinct key gets the next free one. Keys beyond the pool share the generic reader. This is
 * deliberate repetition, not generated code: nothing is compiled at run time.
 *
 * The reads keep own-read.ts's rules: only keys no prototype defines come here, and while
 * prototypes are found polluted every read checks ownership.
 */
import type { PlainObject, Value } from '../value.js';
import { derefKey } from './collections.js';
import { needsOwnCheck, prototypesPolluted, readOwnKey, readUninheritedKey } from './own-read.js';

/** Reads one fixed key of a value: undefined when it is absent or the value has no keys. */
export type KeyReader = (v: Value | undefined) => Value | undefined;

/** True when `v[k]` can only find an own property (see own-read.ts). */
function loadable(v: Value | undefined): boolean {
  return typeof v === 'object' && v !== null && !prototypesPolluted();
}

// One literal per entry: each is a separate load site (see above). Do not fold into a loop.
const SITES: ((k: string) => KeyReader)[] = [
  k => v => { const x = loadable(v) ? (v as PlainObject)[k] : undefined; return x !== undefined ? x : derefKey(v, k); },
  k => v => { const x = loadable(v) ? (v as PlainObject)[k] : undefined; return x !== undefined ? x : derefKey(v, k); },
  k => v => { const x = loadable(v) ? (v as PlainObject)[k] : undefined; return x !== undefined ? x : derefKey(v, k); },
  k => v => { const x = loadable(v) ? (v as PlainObject)[k] : undefined; return x !== undefined ? x : derefKey(v, k); },
  k => v => { const x = loadable(v) ? (v as PlainObject)[k] : undefined; return x !== undefined ? x : derefKey(v, k); },
  k => v => { const x = loadable(v) ? (v as PlainObject)[k] : undefined; return x !== undefined ? x : derefKey(v, k); },
  k => v => { const x = loadable(v) ? (v as PlainObject)[k] : undefined; return x !== undefined ? x : derefKey(v, k); },
  k => v => { const x = loadable(v) ? (v as PlainObject)[k] : undefined; return x !== undefined ? x : derefKey(v, k); },
  k => v => { const x = loadable(v) ? (v as PlainObject)[k] : undefined; return x !== undefined ? x : derefKey(v, k); },
  k => v => { const x = loadable(v) ? (v as PlainObject)[k] : undefined; return x !== undefined ? x : derefKey(v, k); },
  k => v => { const x = loadable(v) ? (v as PlainObject)[k] : undefined; return x !== undefined ? x : derefKey(v, k); },
  k => v => { const x = loadable(v) ? (v as PlainObject)[k] : undefined; return x !== undefined ? x : derefKey(v, k); },
  k => v => { const x = loadable(v) ? (v as PlainObject)[k] : undefined; return x !== undefined ? x : derefKey(v, k); },
  k => v => { const x = loadable(v) ? (v as PlainObject)[k] : undefined; return x !== undefined ? x : derefKey(v, k); },
  k => v => { const x = loadable(v) ? (v as PlainObject)[k] : undefined; return x !== undefined ? x : derefKey(v, k); },
  k => v => { const x = loadable(v) ? (v as PlainObject)[k] : undefined; return x !== undefined ? x : derefKey(v, k); },
  k => v => { const x = loadable(v) ? (v as PlainObject)[k] : undefined; return x !== undefined ? x : derefKey(v, k); },
  k => v => { const x = loadable(v) ? (v as PlainObject)[k] : undefined; return x !== undefined ? x : derefKey(v, k); },
  k => v => { const x = loadable(v) ? (v as PlainObject)[k] : undefined; return x !== undefined ? x : derefKey(v, k); },
  k => v => { const x = loadable(v) ? (v as PlainObject)[k] : undefined; return x !== undefined ? x : derefKey(v, k); },
  k => v => { const x = loadable(v) ? (v as PlainObject)[k] : undefined; return x !== undefined ? x : derefKey(v, k); },
  k => v => { const x = loadable(v) ? (v as PlainObject)[k] : undefined; return x !== undefined ? x : derefKey(v, k); },
  k => v => { const x = loadable(v) ? (v as PlainObject)[k] : undefined; return x !== undefined ? x : derefKey(v, k); },
  k => v => { const x = loadable(v) ? (v as PlainObject)[k] : undefined; return x !== undefined ? x : derefKey(v, k); },
  k => v => { const x = loadable(v) ? (v as PlainObject)[k] : undefined; return x !== undefined ? x : derefKey(v, k); },
  k => v => { const x = loadable(v) ? (v as PlainObject)[k] : undefined; return x !== undefined ? x : derefKey(v, k); },
  k => v => { const x = loadable(v) ? (v as PlainObject)[k] : undefined; return x !== undefined ? x : derefKey(v, k); },
  k => v => { const x = loadable(v) ? (v as PlainObject)[k] : undefined; return x !== undefined ? x : derefKey(v, k); },
  k => v => { const x = loadable(v) ? (v as PlainObject)[k] : undefined; return x !== undefined ? x : derefKey(v, k); },
  k => v => { const x = loadable(v) ? (v as PlainObject)[k] : undefined; return x !== undefined ? x : derefKey(v, k); },
  k => v => { const x = loadable(v) ? (v as PlainObject)[k] : undefined; return x !== undefined ? x : derefKey(v, k); },
  k => v => { const x = loadable(v) ? (v as PlainObject)[k] : undefined; return x !== undefined ? x : derefKey(v, k); },
  k => v => { const x = loadable(v) ? (v as PlainObject)[k] : undefined; return x !== undefined ? x : derefKey(v, k); },
  k => v => { const x = loadable(v) ? (v as PlainObject)[k] : undefined; return x !== undefined ? x : derefKey(v, k); },
  k => v => { const x = loadable(v) ? (v as PlainObject)[k] : undefined; return x !== undefined ? x : derefKey(v, k); },
  k => v => { const x = loadable(v) ? (v as PlainObject)[k] : undefined; return x !== undefined ? x : derefKey(v, k); },
  k => v => { const x = loadable(v) ? (v as PlainObject)[k] : undefined; return x !== undefined ? x : derefKey(v, k); },
  k => v => { const x = loadable(v) ? (v as PlainObject)[k] : undefined; return x !== undefined ? x : derefKey(v, k); },
  k => v => { const x = loadable(v) ? (v as PlainObject)[k] : undefined; return x !== undefined ? x : derefKey(v, k); },
  k => v => { const x = loadable(v) ? (v as PlainObject)[k] : undefined; return x !== undefined ? x : derefKey(v, k); },
  k => v => { const x = loadable(v) ? (v as PlainObject)[k] : undefined; return x !== undefined ? x : derefKey(v, k); },
  k => v => { const x = loadable(v) ? (v as PlainObject)[k] : undefined; return x !== undefined ? x : derefKey(v, k); },
  k => v => { const x = loadable(v) ? (v as PlainObject)[k] : undefined; return x !== undefined ? x : derefKey(v, k); },
  k => v => { const x = loadable(v) ? (v as PlainObject)[k] : undefined; return x !== undefined ? x : derefKey(v, k); },
  k => v => { const x = loadable(v) ? (v as PlainObject)[k] : undefined; return x !== undefined ? x : derefKey(v, k); },
  k => v => { const x = loadable(v) ? (v as PlainObject)[k] : undefined; return x !== undefined ? x : derefKey(v, k); },
  k => v => { const x = loadable(v) ? (v as PlainObject)[k] : undefined; return x !== undefined ? x : derefKey(v, k); },
  k => v => { const x = loadable(v) ? (v as PlainObject)[k] : undefined; return x !== undefined ? x : derefKey(v, k); },
  k => v => { const x = loadable(v) ? (v as PlainObject)[k] : undefined; return x !== undefined ? x : derefKey(v, k); },
  k => v => { const x = loadable(v) ? (v as PlainObject)[k] : undefined; return x !== undefined ? x : derefKey(v, k); },
  k => v => { const x = loadable(v) ? (v as PlainObject)[k] : undefined; return x !== undefined ? x : derefKey(v, k); },
  k => v => { const x = loadable(v) ? (v as PlainObject)[k] : undefined; return x !== undefined ? x : derefKey(v, k); },
  k => v => { const x = loadable(v) ? (v as PlainObject)[k] : undefined; return x !== undefined ? x : derefKey(v, k); },
  k => v => { const x = loadable(v) ? (v as PlainObject)[k] : undefined; return x !== undefined ? x : derefKey(v, k); },
  k => v => { const x = loadable(v) ? (v as PlainObject)[k] : undefined; return x !== undefined ? x : derefKey(v, k); },
  k => v => { const x = loadable(v) ? (v as PlainObject)[k] : undefined; return x !== undefined ? x : derefKey(v, k); },
  k => v => { const x = loadable(v) ? (v as PlainObject)[k] : undefined; return x !== undefined ? x : derefKey(v, k); },
  k => v => { const x = loadable(v) ? (v as PlainObject)[k] : undefined; return x !== undefined ? x : derefKey(v, k); },
  k => v => { const x = loadable(v) ? (v as PlainObject)[k] : undefined; return x !== undefined ? x : derefKey(v, k); },
  k => v => { const x = loadable(v) ? (v as PlainObject)[k] : undefined; return x !== undefined ? x : derefKey(v, k); },
  k => v => { const x = loadable(v) ? (v as PlainObject)[k] : undefined; return x !== undefined ? x : derefKey(v, k); },
  k => v => { const x = loadable(v) ? (v as PlainObject)[k] : undefined; return x !== undefined ? x : derefKey(v, k); },
  k => v => { const x = loadable(v) ? (v as PlainObject)[k] : undefined; return x !== undefined ? x : derefKey(v, k); },
  k => v => { const x = loadable(v) ? (v as PlainObject)[k] : undefined; return x !== undefined ? x : derefKey(v, k); },
];

/** The keys that own a site; never more than `SITES.length`. */
const readers = new Map<string, KeyReader>();

/**
 * The reader of key `k`: its own load site while the pool lasts (first come, first served, for
 * the life of the process), the shared reader after that, and the own-property read for keys a
 * prototype defines.
 */
export function keyReader(k: string): KeyReader {
  const owned = readers.get(k);
  if (owned) return owned;
  if (needsOwnCheck(k)) return v => readOwnKey(v, k);
  const site = SITES[readers.size];
  if (!site) return v => readUninheritedKey(v, k);
  const r = site(k);
  readers.set(k, r);
  return r;
}
