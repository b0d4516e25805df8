/**
 * Runtime values. JSON values are plain JS values (so input needs no conversion on the hot path):
 * null, boolean, number, string, arrays and string-keyed objects. Beyond JSON:
 *  - integers outside the safe range are `bigint` (never a `bigint` inside the safe range);
 *  - sets are `PolSet`;
 *  - objects with at least one non-string key are `PolObject`.
 * String-keyed objects are read with own-property checks only, so `__proto__` and `constructor`
 * are ordinary (usually missing) keys.
 */

export type Value =
  | null | boolean | number | bigint | string
  | Value[] | PolSet | PolObject | PlainObject;
export interface PlainObject { [key: string]: Value }

const hasOwn = Object.prototype.hasOwnProperty;

/**
 * A set with canonical equality: members are stored under their canonical key. State lives in
 * private fields so a set has no own string-keyed properties (refs read objects by own property).
 */
export class PolSet {
  readonly #map: Map<string, Value>;
  #order: Value[] | undefined;
  constructor(items?: Iterable<Value>) {
    this.#map = new Map();
    if (items) for (const v of items) this.#map.set(keyOf(v), v);
  }
  get size(): number { return this.#map.size; }
  add(v: Value): void { this.#map.set(keyOf(v), v); this.#order = undefined; }
  has(v: Value): boolean { return this.#map.has(keyOf(v)); }
  /** Canonical-key operations, so set algebra need not re-hash members. */
  hasKey(canonicalKey: string): boolean { return this.#map.has(canonicalKey); }
  addKeyed(canonicalKey: string, v: Value): void { this.#map.set(canonicalKey, v); this.#order = undefined; }
  keys(): IterableIterator<string> { return this.#map.keys(); }
  keyed(): IterableIterator<[string, Value]> { return this.#map.entries(); }
  values(): IterableIterator<Value> { return this.#map.values(); }
  /** Members in canonical order (as OPA serialises and iterates sets); cached until the next add. */
  sorted(): Value[] { return (this.#order ??= [...this.#map.values()].sort(compare)); }
}

/** An object whose keys may be any value. Used only when some key is not a string. */
export class PolObject {
  readonly #map: Map<string, [Value, Value]>;
  constructor(entries?: Iterable<[Value, Value]>) {
    this.#map = new Map();
    if (entries) for (const [k, v] of entries) this.#map.set(keyOf(k), [k, v]);
  }
  get size(): number { return this.#map.size; }
  get(k: Value): Value | undefined { return this.#map.get(keyOf(k))?.[1]; }
  set(k: Value, v: Value): void { this.#map.set(keyOf(k), [k, v]); }
  has(k: Value): boolean { return this.#map.has(keyOf(k)); }
  entries(): IterableIterator<[Value, Value]> { return this.#map.values(); }
}

export function isPlainObject(v: unknown): v is PlainObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof PolSet) && !(v instanceof PolObject);
}
export function isObject(v: Value | undefined): v is PlainObject | PolObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof PolSet);
}
export function isSet(v: Value | undefined): v is PolSet { return v instanceof PolSet; }
export function isNumber(v: Value | undefined): v is number | bigint {
  return typeof v === 'number' || typeof v === 'bigint';
}

export type TypeName = 'null' | 'boolean' | 'number' | 'string' | 'array' | 'set' | 'object';
export function typeName(v: Value): TypeName {
  switch (typeof v) {
    case 'string': return 'string';
    case 'number': case 'bigint': return 'number';
    case 'boolean': return 'boolean';
    default:
      if (v === null) return 'null';
      if (Array.isArray(v)) return 'array';
      if (v instanceof PolSet) return 'set';
      return 'object';
  }
}

// ---- objects --------------------------------------------------------------------------------

/** Value of `key` in an object, or undefined. Works for plain and non-string-keyed objects. */
export function objectGet(o: PlainObject | PolObject, key: Value): Value | undefined {
  if (o instanceof PolObject) return o.get(key);
  if (typeof key !== 'string') return undefined;
  return hasOwn.call(o, key) ? o[key] : undefined;
}
export function objectSize(o: PlainObject | PolObject): number {
  return o instanceof PolObject ? o.size : Object.keys(o).length;
}
/** Entries of an object; keys of plain objects are strings. */
export function objectEntries(o: PlainObject | PolObject): [Value, Value][] {
  if (o instanceof PolObject) return [...o.entries()];
  const out: [Value, Value][] = [];
  for (const k of Object.keys(o)) out.push([k, o[k]!]);
  return out;
}
export function objectKeys(o: PlainObject | PolObject): Value[] {
  return o instanceof PolObject ? [...o.entries()].map(e => e[0]) : Object.keys(o);
}

/**
 * Builds an object from entries, choosing the plain representation when every key is a string.
 * Later entries win; callers that must detect conflicts check before adding.
 */
export function makeObject(entries: Iterable<[Value, Value]>): PlainObject | PolObject {
  const list = Array.isArray(entries) ? entries as [Value, Value][] : [...entries];
  let allStrings = true;
  for (const e of list) if (typeof e[0] !== 'string') { allStrings = false; break; }
  if (allStrings) {
    const o: PlainObject = {};
    for (const [k, v] of list) defineKey(o, k as string, v);
    return o;
  }
  return new PolObject(list);
}

/** Sets an own property even for `__proto__`, without touching the prototype chain. */
export function defineKey(o: PlainObject, key: string, v: Value): void {
  if (key === '__proto__') Object.defineProperty(o, key, { value: v, enumerable: true, writable: true, configurable: true });
  else o[key] = v;
}

/**
 * A mutable object builder that upgrades to `PolObject` when a non-string key appears.
 */
export class ObjectBuilder {
  private plain: PlainObject | undefined = {};
  private poly: PolObject | undefined;
  get(k: Value): Value | undefined {
    if (this.poly) return this.poly.get(k);
    return typeof k === 'string' && hasOwn.call(this.plain, k) ? this.plain![k] : undefined;
  }
  has(k: Value): boolean { return this.get(k) !== undefined; }
  set(k: Value, v: Value): void {
    if (this.poly) { this.poly.set(k, v); return; }
    if (typeof k === 'string') { defineKey(this.plain!, k, v); return; }
    this.poly = new PolObject(Object.keys(this.plain!).map(key => [key, this.plain![key]!] as [Value, Value]));
    this.plain = undefined;
    this.poly.set(k, v);
  }
  build(): PlainObject | PolObject { return this.poly ?? this.plain!; }
}

// ---- numbers --------------------------------------------------------------------------------

/** Converts a number literal's text; integers beyond 2^53 become bigint, others a double. */
export function parseNumber(text: string): number | bigint {
  if (/^-?\d+$/.test(text)) {
    const n = Number(text);
    if (Number.isSafeInteger(n)) return n;
    return BigInt(text);
  }
  // An exponent or fraction that still denotes an unsafe integer (e.g. 1e20) stays a double, as
  // in JSON; only literal integer text is kept exact.
  return Number(text);
}

/** Normalises a bigint back to a number when it fits exactly. */
export function normBig(b: bigint): number | bigint {
  return b >= -9007199254740991n && b <= 9007199254740991n ? Number(b) : b;
}

/** Number compare that is exact for bigints against doubles. */
function compareNumbers(a: number | bigint, b: number | bigint): number {
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
  // JS compares bigint and number exactly with < and >.
  return a < b ? -1 : a > b ? 1 : 0;
}

// ---- ordering, equality, canonical keys ------------------------------------------------------

const ORDER: Record<TypeName, number> = { null: 0, boolean: 1, number: 2, string: 3, array: 4, object: 5, set: 6 };

/** OPA's total order: null < boolean < number < string < array < object < set. */
export function compare(a: Value, b: Value): number {
  // Same-type scalars first: they are what sorting sets and keys mostly meets.
  if (typeof a === 'string' && typeof b === 'string') return compareStrings(a, b);
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
  const ta = typeName(a), tb = typeName(b);
  if (ta !== tb) return ORDER[ta] - ORDER[tb];
  switch (ta) {
    case 'null': return 0;
    case 'boolean': return a === b ? 0 : a ? 1 : -1;
    case 'number': return compareNumbers(a as number | bigint, b as number | bigint);
    case 'string': return compareStrings(a as string, b as string);
    case 'array': return compareSeq(a as Value[], b as Value[]);
    case 'set': return compareSeq((a as PolSet).sorted(), (b as PolSet).sorted());
    case 'object': {
      if (a === b) return 0;
      if (!(a instanceof PolObject) && !(b instanceof PolObject)) return comparePlainObjects(a as PlainObject, b as PlainObject);
      const ea = objectEntries(a as PlainObject).sort((x, y) => compare(x[0], y[0]));
      const eb = objectEntries(b as PlainObject).sort((x, y) => compare(x[0], y[0]));
      const n = Math.min(ea.length, eb.length);
      for (let i = 0; i < n; i++) {
        const c = compare(ea[i]![0], eb[i]![0]) || compare(ea[i]![1], eb[i]![1]);
        if (c !== 0) return c;
      }
      return ea.length - eb.length;
    }
  }
}

/** Objects compare key by key in canonical key order, each key before its value. */
function comparePlainObjects(a: PlainObject, b: PlainObject): number {
  const ka = sortedKeys(a), kb = sortedKeys(b);
  const n = Math.min(ka.length, kb.length);
  for (let i = 0; i < n; i++) {
    const x = ka[i]!, y = kb[i]!;
    const c = x === y ? compare(a[x]!, b[y]!) : compareStrings(x, y);
    if (c !== 0) return c;
  }
  return ka.length - kb.length;
}
/**
 * Strings order by code point (as Go's byte-wise UTF-8 comparison does), not by UTF-16 unit:
 * characters beyond U+FFFF sort after U+E000–U+FFFF.
 */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i), y = b.charCodeAt(i);
    if (x === y) continue;
    const sx = x >= 0xd800 && x <= 0xdfff, sy = y >= 0xd800 && y <= 0xdfff;
    if (sx !== sy) return sx ? 1 : -1;
    return x < y ? -1 : 1;
  }
  return a.length - b.length;
}

/** Object keys in canonical (code point) order. */
export function sortedKeys(o: PlainObject): string[] {
  return sortKeys(Object.keys(o));
}

/** `keys` in canonical (code point) order, sorted in place. */
export function sortKeys(keys: string[]): string[] {
  // Objects built from JSON usually list their keys in order already: check before sorting.
  for (let i = 1; i < keys.length; i++) if (compareStrings(keys[i - 1]!, keys[i]!) > 0) return keys.sort(compareStrings);
  return keys;
}

function compareSeq(a: Value[], b: Value[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const c = compare(a[i]!, b[i]!);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

/** Structural equality (`1 == 1.0`, sets and objects by content). */
export function equal(a: Value, b: Value): boolean {
  if (a === b) return true;
  const ta = typeof a;
  if (ta === 'string' || ta === 'boolean' || typeof b === 'string' || typeof b === 'boolean') return false;
  if ((ta === 'number' || ta === 'bigint') && (typeof b === 'number' || typeof b === 'bigint')) {
    // eslint-disable-next-line eqeqeq
    return (a as number) == (b as number);
  }
  if (a === null || b === null || ta !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!equal(a[i]!, b[i]!)) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  if (a instanceof PolSet) {
    if (!(b instanceof PolSet) || a.size !== b.size) return false;
    for (const k of a.keys()) if (!b.hasKey(k)) return false;
    return true;
  }
  if (b instanceof PolSet) return false;
  const oa = a as PlainObject | PolObject, ob = b as PlainObject | PolObject;
  if (oa instanceof PolObject || ob instanceof PolObject) {
    if (objectSize(oa) !== objectSize(ob)) return false;
    for (const [k, v] of objectEntries(oa)) {
      const w = objectGet(ob, k);
      if (w === undefined || !equal(v, w)) return false;
    }
    return true;
  }
  const ka = Object.keys(oa);
  if (ka.length !== Object.keys(ob).length) return false;
  for (const k of ka) {
    if (!hasOwn.call(ob, k) || !equal(oa[k]!, ob[k]!)) return false;
  }
  return true;
}

/**
 * Canonical key: equal values (by `equal`) have equal keys. Used for set membership, object keys
 * of `PolObject`, and cache keys. The first character tags the type so `1` and `"1"` differ.
 */
export function keyOf(v: Value): string {
  switch (typeof v) {
    case 'string': return 's' + v;
    case 'number': return 'n' + (Object.is(v, -0) ? 0 : v);
    case 'bigint': return 'n' + v.toString();
    case 'boolean': return v ? 't' : 'f';
    default:
      if (v === null) return 'z';
      return 'c' + canonicalText(v);
  }
}

/** What JSON text must escape, and surrogates (left to `JSON.stringify`, which escapes lone ones). */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/** Below this length a loop finds characters to escape faster than the regular expression. */
const SCAN_BY_LOOP = 24;

/**
 * `JSON.stringify` for a string, with a fast path: in Node 20 the builtin costs several hundred
 * nanoseconds even for short strings, and canonical keys and responses quote many of them.
 * Strings without quotes, backslashes, control characters or surrogates need no escaping. (A
 * 36-character string, a decision id: 72 ns by the loop, 35 ns by the expression.)
 */
export function quoteJsonString(s: string): string {
  if (s.length < SCAN_BY_LOOP) {
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) return JSON.stringify(s);
    }
  } else if (NEEDS_ESCAPE.test(s)) {
    return JSON.stringify(s);
  }
  return '"' + s + '"';
}

/** Compact canonical text of a value: sets and object keys sorted; used inside `keyOf`. */
export function canonicalText(v: Value): string {
  switch (typeof v) {
    case 'string': return quoteJsonString(v);
    case 'number': return String(Object.is(v, -0) ? 0 : v);
    case 'bigint': return v.toString();
    case 'boolean': return v ? 'true' : 'false';
    default:
      if (v === null) return 'null';
      if (Array.isArray(v)) return '[' + v.map(canonicalText).join(',') + ']';
      // Sets get their own brackets so an empty set and an empty object differ.
      if (v instanceof PolSet) return '<' + v.sorted().map(canonicalText).join(',') + '>';
      if (!(v instanceof PolObject)) {
        const keys = sortedKeys(v);
        let out = '{';
        for (let i = 0; i < keys.length; i++) {
          if (i) out += ',';
          out += quoteJsonString(keys[i]!) + ':' + canonicalText(v[keys[i]!]!);
        }
        return out + '}';
      }
      return '{' + objectEntries(v).sort((x, y) => compare(x[0], y[0]))
        .map(([k, x]) => canonicalText(k) + ':' + canonicalText(x)).join(',') + '}';
  }
}

// ---- JSON conversion ------------------------------------------------------------------------

/**
 * Converts a value to plain JSON as OPA serialises it: sets become sorted arrays, non-string
 * object keys become their compact JSON text, bigints stay bigint (use `stringifyJson` to print).
 */
export function toJSON(v: Value): unknown {
  if (typeof v !== 'object' || v === null) return v;
  if (Array.isArray(v)) return v.map(toJSON);
  if (v instanceof PolSet) return v.sorted().map(toJSON);
  const out: Record<string, unknown> = {};
  if (v instanceof PolObject) {
    const entries = [...v.entries()].sort((x, y) => compare(x[0], y[0]));
    for (const [k, x] of entries) {
      const key = typeof k === 'string' ? k : stringifyJson(toJSON(k));
      Object.defineProperty(out, key, { value: toJSON(x), enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  const keys = Object.keys(v);
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    // Plain assignment keeps the object fast; only `__proto__` needs defining (it is a setter).
    if (k === '__proto__') Object.defineProperty(out, k, { value: toJSON(v[k]!), enumerable: true, writable: true, configurable: true });
    else out[k] = toJSON(v[k]!);
  }
  return out;
}

/** JSON.stringify that writes bigints as exact integer literals and object keys sorted (as OPA does). */
export function stringifyJson(v: unknown, indent?: number): string {
  const step = indent ? ' '.repeat(indent) : '';
  const walk = (x: unknown, pad: string): string => {
    if (typeof x === 'bigint') return x.toString();
    if (typeof x === 'number') return Number.isFinite(x) ? JSON.stringify(x) : 'null';
    if (typeof x === 'string') return quoteJsonString(x);
    if (typeof x !== 'object' || x === null) return JSON.stringify(x) ?? 'null';
    const inner = pad + step;
    const nl = step ? '\n' : '';
    if (Array.isArray(x)) {
      if (x.length === 0) return '[]';
      return '[' + nl + x.map(e => inner + walk(e, inner)).join(',' + nl) + nl + pad + ']';
    }
    const keys = sortedKeys(x as PlainObject);
    if (keys.length === 0) return '{}';
    const sep = step ? ': ' : ':';
    return '{' + nl + keys.map(k => inner + quoteJsonString(k) + sep + walk((x as Record<string, unknown>)[k], inner)).join(',' + nl) + nl + pad + '}';
  };
  return walk(v, '');
}

/** Deep-freeze-free clone of JSON into values: only needed when JSON came with bigint markers. */
export function fromJSON(v: unknown): Value {
  return v as Value;
}
