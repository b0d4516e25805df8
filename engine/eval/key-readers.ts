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
 * The reads keep own-read.ts's rules: only keys no prototype defines come here, and a value found
 * for a key that has since been added to a shared prototype is checked for ownership.
 */
import type { PlainObject, Value } from '../value.js';
import { derefKey } from './collections.js';
import { internKey } from './intern.js';
import { needsOwnCheck, readOwnKey, readUninheritedKey, SHARED_PROTOTYPES } from './own-read.js';

/** Reads one fixed key of a value: undefined when it is absent or the value has no keys. */
export type KeyReader = (v: Value | undefined) => Value | undefined;

/** See own-read.ts: a key found here while absent from these prototypes is the value's own. */
const SHARED = SHARED_PROTOTYPES;

// One literal per entry: each is a separate load site (see above). Do not fold into a loop.
const SITES: ((k: string) => KeyReader)[] = [
  k => v => { if (typeof v === 'object' && v !== null) { const x = (v as PlainObject)[k]; if (x !== undefined && SHARED[k] === undefined) return x; } return derefKey(v, k); },
  k => v => { if (typeof v === 'object' && v !== null) { const x = (v as PlainObject)[k]; if (x !== undefined && SHARED[k] === undefined) return x; } return derefKey(v, k); },
  k => v => { if (typeof v === 'object' && v !== null) { const x = (v as PlainObject)[k]; if (x !== undefined && SHARED[k] === undefined) return x; } return derefKey(v, k); },
  k => v => { if (typeof v === 'object' && v !== null) { const x = (v as PlainObject)[k]; if (x !== undefined && SHARED[k] === undefined) return x; } return derefKey(v, k); },
  k => v => { if (typeof v === 'object' && v !== null) { const x = (v as PlainObject)[k]; if (x !== undefined && SHARED[k] === undefined) return x; } return derefKey(v, k); },
  k => v => { if (typeof v === 'object' && v !== null) { const x = (v as PlainObject)[k]; if (x !== undefined && SHARED[k] === undefined) return x; } return derefKey(v, k); },
  k => v => { if (typeof v === 'object' && v !== null) { const x = (v as PlainObject)[k]; if (x !== undefined && SHARED[k] === undefined) return x; } return derefKey(v, k); },
  k => v => { if (typeof v === 'object' && v !== null) { const x = (v as PlainObject)[k]; if (x !== undefined && SHARED[k] === undefined) return x; } return derefKey(v, k); },
  k => v => { if (typeof v === 'object' && v !== null) { const x = (v as PlainObject)[k]; if (x !== undefined && SHARED[k] === undefined) return x; } return derefKey(v, k); },
  k => v => { if (typeof v === 'object' && v !== null) { const x = (v as PlainObject)[k]; if (x !== undefined && SHARED[k] === undefined) return x; } return derefKey(v, k); },
  k => v => { if (typeof v === 'object' && v !== null) { const x = (v as PlainObject)[k]; if (x !== undefined && SHARED[k] === undefined) return x; } return derefKey(v, k); },
  k => v => { if (typeof v === 'object' && v !== null) { const x = (v as PlainObject)[k]; if (x !== undefined && SHARED[k] === undefined) return x; } return derefKey(v, k); },
  k => v => { if (typeof v === 'object' && v !== null) { const x = (v as PlainObject)[k]; if (x !== undefined && SHARED[k] === undefined) return x; } return derefKey(v, k); },
  k => v => { if (typeof v === 'object' && v !== null) { const x = (v as PlainObject)[k]; if (x !== undefined && SHARED[k] === undefined) return x; } return derefKey(v, k); },
  k => v => { if (typeof v === 'object' && v !== null) { const x = (v as PlainObject)[k]; if (x !== undefined && SHARED[k] === undefined) return x; } return derefKey(v, k); },
  k => v => { if (typeof v === 'object' && v !== null) { const x = (v as PlainObject)[k]; if (x !== undefined && SHARED[k] === undefined) return x; } return derefKey(v, k); },
  k => v => { if (typeof v === 'object' && v !== null) { const x = (v as PlainObject)[k]; if (x !== undefined && SHARED[k] === undefined) return x; } return derefKey(v, k); },
  k => v => { if (typeof v === 'object' && v !== null) { const x = (v as PlainObject)[k]; if (x !== undefined && SHARED[k] === undefined) return x; } return derefKey(v, k); },
  k => v => { if (typeof v === 'object' && v !== null) { const x = (v as PlainObject)[k]; if (x !== undefined && SHARED[k] === undefined) return x; } return derefKey(v, k); },
  k => v => { if (typeof v === 'object' && v !== null) { const x = (v as PlainObject)[k]; if (x !== undefined && SHARED[k] === undefined) return x; } return derefKey(v, k); },
  k => v => { if (typeof v === 'object' && v !== null) { const x = (v as PlainObject)[k]; if (x !== undefined && SHARED[k] === undefined) return x; } return derefKey(v, k); },
  k => v => { if (typeof v === 'object' && v !== null) { const x = (v as PlainObject)[k]; if (x !== undefined && SHARED[k] === undefined) return x; } return derefKey(v, k); },
  k => v => { if (typeof v === 'object' && v !== null) { const x = (v as PlainObject)[k]; if (x !== undefined && SHARED[k] === undefined) return x; } return derefKey(v, k); },
  k => v => { if (typeof v === 'object' && v !== null) { const x = (v as PlainObject)[k]; if (x !== undefined && SHARED[k] === undefined) return x; } return derefKey(v, k); },
  k => v => { if (typeof v === 'object' && v !== null) { const x = (v as PlainObject)[k]; if (x !== undefined && SHARED[k] === undefined) return x; } return derefKey(v, k); },
  k => v => { if (typeof v === 'object' && v !== null) { const x = (v as PlainObject)[k]; if (x !== undefined && SHARED[k] === undefined) return x; } return derefKey(v, k); },
  k => v => { if (typeof v === 'object' && v !== null) { const x = (v as PlainObject)[k]; if (x !== undefined && SHARED[k] === undefined) return x; } return derefKey(v, k); },
  k => v => { if (typeof v === 'object' && v !== null) { const x = (v as PlainObject)[k]; if (x !== undefined && SHARED[k] === undefined) return x; } return derefKey(v, k); },
  k => v => { if (typeof v === 'object' && v !== null) { const x = (v as PlainObject)[k]; if (x !== undefined && SHARED[k] === undefined) return x; } return derefKey(v, k); },
  k => v => { if (typeof v === 'object' && v !== null) { const x = (v as PlainObject)[k]; if (x !== undefined && SHARED[k] === undefined) return x; } return derefKey(v, k); },
  k => v => { if (typeof v === 'object' && v !== null) { const x = (v as PlainObject)[k]; if (x !== undefined && SHARED[k] === undefined) return x; } return derefKey(v, k); },
  k => v => { if (typeof v === 'object' && v !== null) { const x = (v as PlainObject)[k]; if (x !== undefined && SHARED[k] === undefined) return x; } return derefKey(v, k); },
  k => v => { if (typeof v === 'object' && v !== null) { const x = (v as PlainObject)[k]; if (x !== undefined && SHARED[k] === undefined) return x; } return derefKey(v, k); },
  k => v => { if (typeof v === 'object' && v !== null) { const x = (v as PlainObject)[k]; if (x !== undefined && SHARED[k] === undefined) return x; } return derefKey(v, k); },
  k => v => { if (typeof v === 'object' && v !== null) { const x = (v as PlainObject)[k]; if (x !== undefined && SHARED[k] === undefined) return x; } return derefKey(v, k); },
  k => v => { if (typeof v === 'object' && v !== null) { const x = (v as PlainObject)[k]; if (x !== undefined && SHARED[k] === undefined) return x; } return derefKey(v, k); },
  k => v => { if (typeof v === 'object' && v !== null) { const x = (v as PlainObject)[k]; if (x !== undefined && SHARED[k] === undefined) return x; } return derefKey(v, k); },
  k => v => { if (typeof v === 'object' && v !== null) { const x = (v as PlainObject)[k]; if (x !== undefined && SHARED[k] === undefined) return x; } return derefKey(v, k); },
  k => v => { if (typeof v === 'object' && v !== null) { const x = (v as PlainObject)[k]; if (x !== undefined && SHARED[k] === undefined) return x; } return derefKey(v, k); },
  k => v => { if (typeof v === 'object' && v !== null) { const x = (v as PlainObject)[k]; if (x !== undefined && SHARED[k] === undefined) return x; } return derefKey(v, k); },
  k => v => { if (typeof v === 'object' && v !== null) { const x = (v as PlainObject)[k]; if (x !== undefined && SHARED[k] === undefined) return x; } return derefKey(v, k); },
  k => v => { if (typeof v === 'object' && v !== null) { const x = (v as PlainObject)[k]; if (x !== undefined && SHARED[k] === undefined) return x; } return derefKey(v, k); },
  k => v => { if (typeof v === 'object' && v !== null) { const x = (v as PlainObject)[k]; if (x !== undefined && SHARED[k] === undefined) return x; } return derefKey(v, k); },
  k => v => { if (typeof v === 'object' && v !== null) { const x = (v as PlainObject)[k]; if (x !== undefined && SHARED[k] === undefined) return x; } return derefKey(v, k); },
  k => v => { if (typeof v === 'object' && v !== null) { const x = (v as PlainObject)[k]; if (x !== undefined && SHARED[k] === undefined) return x; } return derefKey(v, k); },
  k => v => { if (typeof v === 'object' && v !== null) { const x = (v as PlainObject)[k]; if (x !== undefined && SHARED[k] === undefined) return x; } return derefKey(v, k); },
  k => v => { if (typeof v === 'object' && v !== null) { const x = (v as PlainObject)[k]; if (x !== undefined && SHARED[k] === undefined) return x; } return derefKey(v, k); },
  k => v => { if (typeof v === 'object' && v !== null) { const x = (v as PlainObject)[k]; if (x !== undefined && SHARED[k] === undefined) return x; } return derefKey(v, k); },
  k => v => { if (typeof v === 'object' && v !== null) { const x = (v as PlainObject)[k]; if (x !== undefined && SHARED[k] === undefined) return x; } return derefKey(v, k); },
  k => v => { if (typeof v === 'object' && v !== null) { const x = (v as PlainObject)[k]; if (x !== undefined && SHARED[k] === undefined) return x; } return derefKey(v, k); },
  k => v => { if (typeof v === 'object' && v !== null) { const x = (v as PlainObject)[k]; if (x !== undefined && SHARED[k] === undefined) return x; } return derefKey(v, k); },
  k => v => { if (typeof v === 'object' && v !== null) { const x = (v as PlainObject)[k]; if (x !== undefined && SHARED[k] === undefined) return x; } return derefKey(v, k); },
  k => v => { if (typeof v === 'object' && v !== null) { const x = (v as PlainObject)[k]; if (x !== undefined && SHARED[k] === undefined) return x; } return derefKey(v, k); },
  k => v => { if (typeof v === 'object' && v !== null) { const x = (v as PlainObject)[k]; if (x !== undefined && SHARED[k] === undefined) return x; } return derefKey(v, k); },
  k => v => { if (typeof v === 'object' && v !== null) { const x = (v as PlainObject)[k]; if (x !== undefined && SHARED[k] === undefined) return x; } return derefKey(v, k); },
  k => v => { if (typeof v === 'object' && v !== null) { const x = (v as PlainObject)[k]; if (x !== undefined && SHARED[k] === undefined) return x; } return derefKey(v, k); },
  k => v => { if (typeof v === 'object' && v !== null) { const x = (v as PlainObject)[k]; if (x !== undefined && SHARED[k] === undefined) return x; } return derefKey(v, k); },
  k => v => { if (typeof v === 'object' && v !== null) { const x = (v as PlainObject)[k]; if (x !== undefined && SHARED[k] === undefined) return x; } return derefKey(v, k); },
  k => v => { if (typeof v === 'object' && v !== null) { const x = (v as PlainObject)[k]; if (x !== undefined && SHARED[k] === undefined) return x; } return derefKey(v, k); },
  k => v => { if (typeof v === 'object' && v !== null) { const x = (v as PlainObject)[k]; if (x !== undefined && SHARED[k] === undefined) return x; } return derefKey(v, k); },
  k => v => { if (typeof v === 'object' && v !== null) { const x = (v as PlainObject)[k]; if (x !== undefined && SHARED[k] === undefined) return x; } return derefKey(v, k); },
  k => v => { if (typeof v === 'object' && v !== null) { const x = (v as PlainObject)[k]; if (x !== undefined && SHARED[k] === undefined) return x; } return derefKey(v, k); },
  k => v => { if (typeof v === 'object' && v !== null) { const x = (v as PlainObject)[k]; if (x !== undefined && SHARED[k] === undefined) return x; } return derefKey(v, k); },
  k => v => { if (typeof v === 'object' && v !== null) { const x = (v as PlainObject)[k]; if (x !== undefined && SHARED[k] === undefined) return x; } return derefKey(v, k); },
];

/**
 * Readers of a two-key path (`input.user.id`): both loads in one function, so a test on such an
 * operand makes one call instead of two. Same pool rules as `SITES`: one literal per path, both
 * keys must be ones no prototype defines, and anything but two plain objects along the way
 * (absent keys, sets, arrays, polluted prototypes) takes the general reads.
 */
const PAIR_SITES: ((k1: string, k2: string) => KeyReader)[] = [
  (k1, k2) => v => { if (typeof v === 'object' && v !== null) { const a = (v as PlainObject)[k1]; if (typeof a === 'object' && a !== null && SHARED[k1] === undefined) { const x = (a as PlainObject)[k2]; if (x !== undefined && SHARED[k2] === undefined) return x; } } return readPairSlowly(v, k1, k2); },
  (k1, k2) => v => { if (typeof v === 'object' && v !== null) { const a = (v as PlainObject)[k1]; if (typeof a === 'object' && a !== null && SHARED[k1] === undefined) { const x = (a as PlainObject)[k2]; if (x !== undefined && SHARED[k2] === undefined) return x; } } return readPairSlowly(v, k1, k2); },
  (k1, k2) => v => { if (typeof v === 'object' && v !== null) { const a = (v as PlainObject)[k1]; if (typeof a === 'object' && a !== null && SHARED[k1] === undefined) { const x = (a as PlainObject)[k2]; if (x !== undefined && SHARED[k2] === undefined) return x; } } return readPairSlowly(v, k1, k2); },
  (k1, k2) => v => { if (typeof v === 'object' && v !== null) { const a = (v as PlainObject)[k1]; if (typeof a === 'object' && a !== null && SHARED[k1] === undefined) { const x = (a as PlainObject)[k2]; if (x !== undefined && SHARED[k2] === undefined) return x; } } return readPairSlowly(v, k1, k2); },
  (k1, k2) => v => { if (typeof v === 'object' && v !== null) { const a = (v as PlainObject)[k1]; if (typeof a === 'object' && a !== null && SHARED[k1] === undefined) { const x = (a as PlainObject)[k2]; if (x !== undefined && SHARED[k2] === undefined) return x; } } return readPairSlowly(v, k1, k2); },
  (k1, k2) => v => { if (typeof v === 'object' && v !== null) { const a = (v as PlainObject)[k1]; if (typeof a === 'object' && a !== null && SHARED[k1] === undefined) { const x = (a as PlainObject)[k2]; if (x !== undefined && SHARED[k2] === undefined) return x; } } return readPairSlowly(v, k1, k2); },
  (k1, k2) => v => { if (typeof v === 'object' && v !== null) { const a = (v as PlainObject)[k1]; if (typeof a === 'object' && a !== null && SHARED[k1] === undefined) { const x = (a as PlainObject)[k2]; if (x !== undefined && SHARED[k2] === undefined) return x; } } return readPairSlowly(v, k1, k2); },
  (k1, k2) => v => { if (typeof v === 'object' && v !== null) { const a = (v as PlainObject)[k1]; if (typeof a === 'object' && a !== null && SHARED[k1] === undefined) { const x = (a as PlainObject)[k2]; if (x !== undefined && SHARED[k2] === undefined) return x; } } return readPairSlowly(v, k1, k2); },
  (k1, k2) => v => { if (typeof v === 'object' && v !== null) { const a = (v as PlainObject)[k1]; if (typeof a === 'object' && a !== null && SHARED[k1] === undefined) { const x = (a as PlainObject)[k2]; if (x !== undefined && SHARED[k2] === undefined) return x; } } return readPairSlowly(v, k1, k2); },
  (k1, k2) => v => { if (typeof v === 'object' && v !== null) { const a = (v as PlainObject)[k1]; if (typeof a === 'object' && a !== null && SHARED[k1] === undefined) { const x = (a as PlainObject)[k2]; if (x !== undefined && SHARED[k2] === undefined) return x; } } return readPairSlowly(v, k1, k2); },
  (k1, k2) => v => { if (typeof v === 'object' && v !== null) { const a = (v as PlainObject)[k1]; if (typeof a === 'object' && a !== null && SHARED[k1] === undefined) { const x = (a as PlainObject)[k2]; if (x !== undefined && SHARED[k2] === undefined) return x; } } return readPairSlowly(v, k1, k2); },
  (k1, k2) => v => { if (typeof v === 'object' && v !== null) { const a = (v as PlainObject)[k1]; if (typeof a === 'object' && a !== null && SHARED[k1] === undefined) { const x = (a as PlainObject)[k2]; if (x !== undefined && SHARED[k2] === undefined) return x; } } return readPairSlowly(v, k1, k2); },
  (k1, k2) => v => { if (typeof v === 'object' && v !== null) { const a = (v as PlainObject)[k1]; if (typeof a === 'object' && a !== null && SHARED[k1] === undefined) { const x = (a as PlainObject)[k2]; if (x !== undefined && SHARED[k2] === undefined) return x; } } return readPairSlowly(v, k1, k2); },
  (k1, k2) => v => { if (typeof v === 'object' && v !== null) { const a = (v as PlainObject)[k1]; if (typeof a === 'object' && a !== null && SHARED[k1] === undefined) { const x = (a as PlainObject)[k2]; if (x !== undefined && SHARED[k2] === undefined) return x; } } return readPairSlowly(v, k1, k2); },
  (k1, k2) => v => { if (typeof v === 'object' && v !== null) { const a = (v as PlainObject)[k1]; if (typeof a === 'object' && a !== null && SHARED[k1] === undefined) { const x = (a as PlainObject)[k2]; if (x !== undefined && SHARED[k2] === undefined) return x; } } return readPairSlowly(v, k1, k2); },
  (k1, k2) => v => { if (typeof v === 'object' && v !== null) { const a = (v as PlainObject)[k1]; if (typeof a === 'object' && a !== null && SHARED[k1] === undefined) { const x = (a as PlainObject)[k2]; if (x !== undefined && SHARED[k2] === undefined) return x; } } return readPairSlowly(v, k1, k2); },
  (k1, k2) => v => { if (typeof v === 'object' && v !== null) { const a = (v as PlainObject)[k1]; if (typeof a === 'object' && a !== null && SHARED[k1] === undefined) { const x = (a as PlainObject)[k2]; if (x !== undefined && SHARED[k2] === undefined) return x; } } return readPairSlowly(v, k1, k2); },
  (k1, k2) => v => { if (typeof v === 'object' && v !== null) { const a = (v as PlainObject)[k1]; if (typeof a === 'object' && a !== null && SHARED[k1] === undefined) { const x = (a as PlainObject)[k2]; if (x !== undefined && SHARED[k2] === undefined) return x; } } return readPairSlowly(v, k1, k2); },
  (k1, k2) => v => { if (typeof v === 'object' && v !== null) { const a = (v as PlainObject)[k1]; if (typeof a === 'object' && a !== null && SHARED[k1] === undefined) { const x = (a as PlainObject)[k2]; if (x !== undefined && SHARED[k2] === undefined) return x; } } return readPairSlowly(v, k1, k2); },
  (k1, k2) => v => { if (typeof v === 'object' && v !== null) { const a = (v as PlainObject)[k1]; if (typeof a === 'object' && a !== null && SHARED[k1] === undefined) { const x = (a as PlainObject)[k2]; if (x !== undefined && SHARED[k2] === undefined) return x; } } return readPairSlowly(v, k1, k2); },
  (k1, k2) => v => { if (typeof v === 'object' && v !== null) { const a = (v as PlainObject)[k1]; if (typeof a === 'object' && a !== null && SHARED[k1] === undefined) { const x = (a as PlainObject)[k2]; if (x !== undefined && SHARED[k2] === undefined) return x; } } return readPairSlowly(v, k1, k2); },
  (k1, k2) => v => { if (typeof v === 'object' && v !== null) { const a = (v as PlainObject)[k1]; if (typeof a === 'object' && a !== null && SHARED[k1] === undefined) { const x = (a as PlainObject)[k2]; if (x !== undefined && SHARED[k2] === undefined) return x; } } return readPairSlowly(v, k1, k2); },
  (k1, k2) => v => { if (typeof v === 'object' && v !== null) { const a = (v as PlainObject)[k1]; if (typeof a === 'object' && a !== null && SHARED[k1] === undefined) { const x = (a as PlainObject)[k2]; if (x !== undefined && SHARED[k2] === undefined) return x; } } return readPairSlowly(v, k1, k2); },
  (k1, k2) => v => { if (typeof v === 'object' && v !== null) { const a = (v as PlainObject)[k1]; if (typeof a === 'object' && a !== null && SHARED[k1] === undefined) { const x = (a as PlainObject)[k2]; if (x !== undefined && SHARED[k2] === undefined) return x; } } return readPairSlowly(v, k1, k2); },
  (k1, k2) => v => { if (typeof v === 'object' && v !== null) { const a = (v as PlainObject)[k1]; if (typeof a === 'object' && a !== null && SHARED[k1] === undefined) { const x = (a as PlainObject)[k2]; if (x !== undefined && SHARED[k2] === undefined) return x; } } return readPairSlowly(v, k1, k2); },
  (k1, k2) => v => { if (typeof v === 'object' && v !== null) { const a = (v as PlainObject)[k1]; if (typeof a === 'object' && a !== null && SHARED[k1] === undefined) { const x = (a as PlainObject)[k2]; if (x !== undefined && SHARED[k2] === undefined) return x; } } return readPairSlowly(v, k1, k2); },
  (k1, k2) => v => { if (typeof v === 'object' && v !== null) { const a = (v as PlainObject)[k1]; if (typeof a === 'object' && a !== null && SHARED[k1] === undefined) { const x = (a as PlainObject)[k2]; if (x !== undefined && SHARED[k2] === undefined) return x; } } return readPairSlowly(v, k1, k2); },
  (k1, k2) => v => { if (typeof v === 'object' && v !== null) { const a = (v as PlainObject)[k1]; if (typeof a === 'object' && a !== null && SHARED[k1] === undefined) { const x = (a as PlainObject)[k2]; if (x !== undefined && SHARED[k2] === undefined) return x; } } return readPairSlowly(v, k1, k2); },
  (k1, k2) => v => { if (typeof v === 'object' && v !== null) { const a = (v as PlainObject)[k1]; if (typeof a === 'object' && a !== null && SHARED[k1] === undefined) { const x = (a as PlainObject)[k2]; if (x !== undefined && SHARED[k2] === undefined) return x; } } return readPairSlowly(v, k1, k2); },
  (k1, k2) => v => { if (typeof v === 'object' && v !== null) { const a = (v as PlainObject)[k1]; if (typeof a === 'object' && a !== null && SHARED[k1] === undefined) { const x = (a as PlainObject)[k2]; if (x !== undefined && SHARED[k2] === undefined) return x; } } return readPairSlowly(v, k1, k2); },
  (k1, k2) => v => { if (typeof v === 'object' && v !== null) { const a = (v as PlainObject)[k1]; if (typeof a === 'object' && a !== null && SHARED[k1] === undefined) { const x = (a as PlainObject)[k2]; if (x !== undefined && SHARED[k2] === undefined) return x; } } return readPairSlowly(v, k1, k2); },
  (k1, k2) => v => { if (typeof v === 'object' && v !== null) { const a = (v as PlainObject)[k1]; if (typeof a === 'object' && a !== null && SHARED[k1] === undefined) { const x = (a as PlainObject)[k2]; if (x !== undefined && SHARED[k2] === undefined) return x; } } return readPairSlowly(v, k1, k2); },
  (k1, k2) => v => { if (typeof v === 'object' && v !== null) { const a = (v as PlainObject)[k1]; if (typeof a === 'object' && a !== null && SHARED[k1] === undefined) { const x = (a as PlainObject)[k2]; if (x !== undefined && SHARED[k2] === undefined) return x; } } return readPairSlowly(v, k1, k2); },
  (k1, k2) => v => { if (typeof v === 'object' && v !== null) { const a = (v as PlainObject)[k1]; if (typeof a === 'object' && a !== null && SHARED[k1] === undefined) { const x = (a as PlainObject)[k2]; if (x !== undefined && SHARED[k2] === undefined) return x; } } return readPairSlowly(v, k1, k2); },
  (k1, k2) => v => { if (typeof v === 'object' && v !== null) { const a = (v as PlainObject)[k1]; if (typeof a === 'object' && a !== null && SHARED[k1] === undefined) { const x = (a as PlainObject)[k2]; if (x !== undefined && SHARED[k2] === undefined) return x; } } return readPairSlowly(v, k1, k2); },
  (k1, k2) => v => { if (typeof v === 'object' && v !== null) { const a = (v as PlainObject)[k1]; if (typeof a === 'object' && a !== null && SHARED[k1] === undefined) { const x = (a as PlainObject)[k2]; if (x !== undefined && SHARED[k2] === undefined) return x; } } return readPairSlowly(v, k1, k2); },
  (k1, k2) => v => { if (typeof v === 'object' && v !== null) { const a = (v as PlainObject)[k1]; if (typeof a === 'object' && a !== null && SHARED[k1] === undefined) { const x = (a as PlainObject)[k2]; if (x !== undefined && SHARED[k2] === undefined) return x; } } return readPairSlowly(v, k1, k2); },
  (k1, k2) => v => { if (typeof v === 'object' && v !== null) { const a = (v as PlainObject)[k1]; if (typeof a === 'object' && a !== null && SHARED[k1] === undefined) { const x = (a as PlainObject)[k2]; if (x !== undefined && SHARED[k2] === undefined) return x; } } return readPairSlowly(v, k1, k2); },
  (k1, k2) => v => { if (typeof v === 'object' && v !== null) { const a = (v as PlainObject)[k1]; if (typeof a === 'object' && a !== null && SHARED[k1] === undefined) { const x = (a as PlainObject)[k2]; if (x !== undefined && SHARED[k2] === undefined) return x; } } return readPairSlowly(v, k1, k2); },
  (k1, k2) => v => { if (typeof v === 'object' && v !== null) { const a = (v as PlainObject)[k1]; if (typeof a === 'object' && a !== null && SHARED[k1] === undefined) { const x = (a as PlainObject)[k2]; if (x !== undefined && SHARED[k2] === undefined) return x; } } return readPairSlowly(v, k1, k2); },
  (k1, k2) => v => { if (typeof v === 'object' && v !== null) { const a = (v as PlainObject)[k1]; if (typeof a === 'object' && a !== null && SHARED[k1] === undefined) { const x = (a as PlainObject)[k2]; if (x !== undefined && SHARED[k2] === undefined) return x; } } return readPairSlowly(v, k1, k2); },
  (k1, k2) => v => { if (typeof v === 'object' && v !== null) { const a = (v as PlainObject)[k1]; if (typeof a === 'object' && a !== null && SHARED[k1] === undefined) { const x = (a as PlainObject)[k2]; if (x !== undefined && SHARED[k2] === undefined) return x; } } return readPairSlowly(v, k1, k2); },
  (k1, k2) => v => { if (typeof v === 'object' && v !== null) { const a = (v as PlainObject)[k1]; if (typeof a === 'object' && a !== null && SHARED[k1] === undefined) { const x = (a as PlainObject)[k2]; if (x !== undefined && SHARED[k2] === undefined) return x; } } return readPairSlowly(v, k1, k2); },
  (k1, k2) => v => { if (typeof v === 'object' && v !== null) { const a = (v as PlainObject)[k1]; if (typeof a === 'object' && a !== null && SHARED[k1] === undefined) { const x = (a as PlainObject)[k2]; if (x !== undefined && SHARED[k2] === undefined) return x; } } return readPairSlowly(v, k1, k2); },
  (k1, k2) => v => { if (typeof v === 'object' && v !== null) { const a = (v as PlainObject)[k1]; if (typeof a === 'object' && a !== null && SHARED[k1] === undefined) { const x = (a as PlainObject)[k2]; if (x !== undefined && SHARED[k2] === undefined) return x; } } return readPairSlowly(v, k1, k2); },
  (k1, k2) => v => { if (typeof v === 'object' && v !== null) { const a = (v as PlainObject)[k1]; if (typeof a === 'object' && a !== null && SHARED[k1] === undefined) { const x = (a as PlainObject)[k2]; if (x !== undefined && SHARED[k2] === undefined) return x; } } return readPairSlowly(v, k1, k2); },
  (k1, k2) => v => { if (typeof v === 'object' && v !== null) { const a = (v as PlainObject)[k1]; if (typeof a === 'object' && a !== null && SHARED[k1] === undefined) { const x = (a as PlainObject)[k2]; if (x !== undefined && SHARED[k2] === undefined) return x; } } return readPairSlowly(v, k1, k2); },
  (k1, k2) => v => { if (typeof v === 'object' && v !== null) { const a = (v as PlainObject)[k1]; if (typeof a === 'object' && a !== null && SHARED[k1] === undefined) { const x = (a as PlainObject)[k2]; if (x !== undefined && SHARED[k2] === undefined) return x; } } return readPairSlowly(v, k1, k2); },
  (k1, k2) => v => { if (typeof v === 'object' && v !== null) { const a = (v as PlainObject)[k1]; if (typeof a === 'object' && a !== null && SHARED[k1] === undefined) { const x = (a as PlainObject)[k2]; if (x !== undefined && SHARED[k2] === undefined) return x; } } return readPairSlowly(v, k1, k2); },
  (k1, k2) => v => { if (typeof v === 'object' && v !== null) { const a = (v as PlainObject)[k1]; if (typeof a === 'object' && a !== null && SHARED[k1] === undefined) { const x = (a as PlainObject)[k2]; if (x !== undefined && SHARED[k2] === undefined) return x; } } return readPairSlowly(v, k1, k2); },
  (k1, k2) => v => { if (typeof v === 'object' && v !== null) { const a = (v as PlainObject)[k1]; if (typeof a === 'object' && a !== null && SHARED[k1] === undefined) { const x = (a as PlainObject)[k2]; if (x !== undefined && SHARED[k2] === undefined) return x; } } return readPairSlowly(v, k1, k2); },
  (k1, k2) => v => { if (typeof v === 'object' && v !== null) { const a = (v as PlainObject)[k1]; if (typeof a === 'object' && a !== null && SHARED[k1] === undefined) { const x = (a as PlainObject)[k2]; if (x !== undefined && SHARED[k2] === undefined) return x; } } return readPairSlowly(v, k1, k2); },
  (k1, k2) => v => { if (typeof v === 'object' && v !== null) { const a = (v as PlainObject)[k1]; if (typeof a === 'object' && a !== null && SHARED[k1] === undefined) { const x = (a as PlainObject)[k2]; if (x !== undefined && SHARED[k2] === undefined) return x; } } return readPairSlowly(v, k1, k2); },
  (k1, k2) => v => { if (typeof v === 'object' && v !== null) { const a = (v as PlainObject)[k1]; if (typeof a === 'object' && a !== null && SHARED[k1] === undefined) { const x = (a as PlainObject)[k2]; if (x !== undefined && SHARED[k2] === undefined) return x; } } return readPairSlowly(v, k1, k2); },
  (k1, k2) => v => { if (typeof v === 'object' && v !== null) { const a = (v as PlainObject)[k1]; if (typeof a === 'object' && a !== null && SHARED[k1] === undefined) { const x = (a as PlainObject)[k2]; if (x !== undefined && SHARED[k2] === undefined) return x; } } return readPairSlowly(v, k1, k2); },
  (k1, k2) => v => { if (typeof v === 'object' && v !== null) { const a = (v as PlainObject)[k1]; if (typeof a === 'object' && a !== null && SHARED[k1] === undefined) { const x = (a as PlainObject)[k2]; if (x !== undefined && SHARED[k2] === undefined) return x; } } return readPairSlowly(v, k1, k2); },
  (k1, k2) => v => { if (typeof v === 'object' && v !== null) { const a = (v as PlainObject)[k1]; if (typeof a === 'object' && a !== null && SHARED[k1] === undefined) { const x = (a as PlainObject)[k2]; if (x !== undefined && SHARED[k2] === undefined) return x; } } return readPairSlowly(v, k1, k2); },
  (k1, k2) => v => { if (typeof v === 'object' && v !== null) { const a = (v as PlainObject)[k1]; if (typeof a === 'object' && a !== null && SHARED[k1] === undefined) { const x = (a as PlainObject)[k2]; if (x !== undefined && SHARED[k2] === undefined) return x; } } return readPairSlowly(v, k1, k2); },
  (k1, k2) => v => { if (typeof v === 'object' && v !== null) { const a = (v as PlainObject)[k1]; if (typeof a === 'object' && a !== null && SHARED[k1] === undefined) { const x = (a as PlainObject)[k2]; if (x !== undefined && SHARED[k2] === undefined) return x; } } return readPairSlowly(v, k1, k2); },
  (k1, k2) => v => { if (typeof v === 'object' && v !== null) { const a = (v as PlainObject)[k1]; if (typeof a === 'object' && a !== null && SHARED[k1] === undefined) { const x = (a as PlainObject)[k2]; if (x !== undefined && SHARED[k2] === undefined) return x; } } return readPairSlowly(v, k1, k2); },
  (k1, k2) => v => { if (typeof v === 'object' && v !== null) { const a = (v as PlainObject)[k1]; if (typeof a === 'object' && a !== null && SHARED[k1] === undefined) { const x = (a as PlainObject)[k2]; if (x !== undefined && SHARED[k2] === undefined) return x; } } return readPairSlowly(v, k1, k2); },
  (k1, k2) => v => { if (typeof v === 'object' && v !== null) { const a = (v as PlainObject)[k1]; if (typeof a === 'object' && a !== null && SHARED[k1] === undefined) { const x = (a as PlainObject)[k2]; if (x !== undefined && SHARED[k2] === undefined) return x; } } return readPairSlowly(v, k1, k2); },
  (k1, k2) => v => { if (typeof v === 'object' && v !== null) { const a = (v as PlainObject)[k1]; if (typeof a === 'object' && a !== null && SHARED[k1] === undefined) { const x = (a as PlainObject)[k2]; if (x !== undefined && SHARED[k2] === undefined) return x; } } return readPairSlowly(v, k1, k2); },
  (k1, k2) => v => { if (typeof v === 'object' && v !== null) { const a = (v as PlainObject)[k1]; if (typeof a === 'object' && a !== null && SHARED[k1] === undefined) { const x = (a as PlainObject)[k2]; if (x !== undefined && SHARED[k2] === undefined) return x; } } return readPairSlowly(v, k1, k2); },
];

/** `input.k1.k2` the general way: what the pair readers answer when their fast path does not apply. */
function readPairSlowly(v: Value | undefined, k1: string, k2: string): Value | undefined {
  const a = readUninheritedKey(v, k1);
  return a === undefined ? undefined : readUninheritedKey(a, k2);
}

/** The keys that own a site; never more than `SITES.length`. */
const readers = new Map<string, KeyReader>();

/**
 * The reader of key `k`: its own load site while the pool lasts (first come, first served, for
 * the life of the process), the shared reader after that, and the own-property read for keys a
 * prototype defines.
 */
export function keyReader(key: string): KeyReader {
  const k = internKey(key);
  const owned = readers.get(k);
  if (owned) return owned;
  if (needsOwnCheck(k)) return v => readOwnKey(v, k);
  const site = SITES[readers.size];
  if (!site) return v => readUninheritedKey(v, k);
  const r = site(k);
  readers.set(k, r);
  return r;
}

/** The paths that own a pair site (key: both keys joined by a NUL, which JSON keys may hold, so
 * the first key's length leads). */
const pairReaders = new Map<string, KeyReader>();

/**
 * One reader for the path `k1.k2`, or undefined when the pool is used up or a key needs the
 * own-property read (callers then chain `keyReader(k1)` and `keyReader(k2)`).
 */
export function pairReader(key1: string, key2: string): KeyReader | undefined {
  const k1 = internKey(key1), k2 = internKey(key2);
  const id = `${k1.length}:${k1}\0${k2}`;
  const owned = pairReaders.get(id);
  if (owned) return owned;
  if (needsOwnCheck(k1) || needsOwnCheck(k2)) return undefined;
  const site = PAIR_SITES[pairReaders.size];
  if (!site) return undefined;
  const r = site(k1, k2);
  pairReaders.set(id, r);
  return r;
}
