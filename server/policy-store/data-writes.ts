/**
 * Documents written through the Data API (`PUT`, `PATCH` and `DELETE /v1/data/{path}`), kept as
 * an ordered list of writes apart from the base data (the policy directory's data files) and laid
 * over it at every load: a directory reload keeps them, as it keeps policies written through the
 * API. The data a generation was compiled with is never changed in place (requests may still be
 * reading it): a write copies each container on its way before changing it.
 *
 * Paths are keys below `data`. Inside an array a key is an element's index (`0`, `1`, ...), as in
 * OPA; a write never turns an array or a scalar into an object on its way.
 */
import { defineKey, isPlainObject, type PlainObject, type Value } from '../../engine/value.js';
import { finish, type Steps } from '../../engine/index.js';

/** Keys or elements copied in one step of `applyWriteSteps` (a few milliseconds). */
const COPY_STEP = 2048;

/** A document put at `path`, or (`value` undefined) the document there removed. */
export interface DataWrite {
  readonly path: readonly string[];
  readonly value: Value | undefined;
}

/** The write cannot be made: something other than an object or array is on its way (OPA: a write conflict). */
export class WriteConflict extends Error {
  constructor(message: string) { super(message); this.name = 'WriteConflict'; }
}

/** The document a removal, a replacement or a patch's parent names does not exist. */
export class DocumentNotFound extends Error {
  constructor(message: string) { super(message); this.name = 'DocumentNotFound'; }
}

/** More separately written documents than `MAX_DATA_WRITES` would be kept. */
export class TooManyWrites extends Error {
  constructor(message: string) { super(message); this.name = 'TooManyWrites'; }
}

/** Distinct written paths kept at most: past this, write a parent document instead. */
export const MAX_DATA_WRITES = 10_000;

export class DataWrites {
  constructor(readonly list: readonly DataWrite[] = []) {}

  get size(): number { return this.list.length; }

  /**
   * The writes with `writes` added last, in order; a write at or below the path of a later one is
   * dropped, since the later one replaces it. Linear in the writes (times their depth).
   */
  with(writes: readonly DataWrite[]): DataWrites {
    const all = [...this.list, ...writes];
    const later = new Set<string>();
    const kept: DataWrite[] = [];
    for (let i = all.length - 1; i >= 0; i--) {
      const w = all[i]!;
      let replaced = false;
      for (let depth = 0; depth <= w.path.length && !replaced; depth++) replaced = later.has(JSON.stringify(w.path.slice(0, depth)));
      if (!replaced) kept.push(w);
      later.add(JSON.stringify(w.path));
    }
    return new DataWrites(kept.reverse());
  }

  /**
   * `base` with every write laid over it in order. A write that no longer fits (the base data
   * changed under it since it was made) is skipped and returned with the reason, so a reload
   * never fails because of one.
   */
  apply(base: PlainObject, copies?: Copies): { data: PlainObject; kept: DataWrites; skipped: { write: DataWrite; reason: string }[] } {
    const fresh = new Set<object>();
    let data = base;
    const kept: DataWrite[] = [];
    const skipped: { write: DataWrite; reason: string }[] = [];
    for (const w of this.list) {
      try {
        data = applyWrite(data, w, fresh, copies);
        kept.push(w);
      } catch (e) {
        if (!(e instanceof WriteConflict || e instanceof DocumentNotFound)) throw e;
        skipped.push({ write: w, reason: e.message });
      }
    }
    return { data, kept: skipped.length ? new DataWrites(kept) : this, skipped };
  }
}

/** The document at `path` in `data`, or undefined. */
export function documentAt(data: Value, path: readonly string[]): Value | undefined {
  let v: Value | undefined = data;
  for (const key of path) {
    if (v === undefined) return undefined;
    v = childOf(v, key);
  }
  return v;
}

/**
 * The write that removes the document at `path` from `data`. An array element is removed by
 * writing the array without it: removing it shifts the elements after it, which a later write
 * at the same index, replacing the removal in `DataWrites.with`, must not undo.
 */
export function removalWrite(data: PlainObject, path: readonly string[]): DataWrite {
  if (documentAt(data, path) === undefined) throw new DocumentNotFound(`document ${pathName(path)} does not exist`);
  if (path.length === 0) return { path, value: undefined };
  const parentPath = path.slice(0, -1);
  const parent = documentAt(data, parentPath);
  if (!Array.isArray(parent)) return { path, value: undefined };
  const rest = parent.slice();
  rest.splice(arrayIndex(parent, path[path.length - 1]!)!, 1);
  return { path: parentPath, value: rest };
}

/** The path as OPA's Data API URL would name it, for messages. */
export function pathName(path: readonly string[]): string {
  return '/' + path.map(k => encodeURIComponent(k)).join('/');
}

/**
 * Told of each container a write copies, and what from, and of each key a write then sets or
 * removes in an object (the revision's `DataDigests` reuse the original's work).
 */
export interface Copies {
  derived(copy: object, original: object): void;
  keyWritten?(container: object, key: string): void;
  /**
   * An object's own keys when already known (in any order), so that copying it does not list
   * them again: about 17 ms for 100,000 keys.
   */
  knownKeys?(o: object): readonly string[] | undefined;
}

/**
 * `data` with one write made; containers not in `fresh` (made by this same series of writes) are
 * copied before they change, and each copy and each key set or removed is reported to `copies`.
 * Throws `WriteConflict` or `DocumentNotFound`, leaving `data` as it was.
 */
export function applyWrite(data: PlainObject, w: DataWrite, fresh: Set<object> = new Set(), copies?: Copies): PlainObject {
  return finish(applyWriteSteps(data, w, fresh, copies));
}

/**
 * `applyWrite` in steps (see `Steps`): a container of more than `COPY_STEP` entries on the way is
 * copied that many at a time, so a write into an object of 100,000 keys lets requests be answered
 * meanwhile. Nothing is changed that another step could see half-made: the copies are new.
 */
export function* applyWriteSteps(data: PlainObject, w: DataWrite, fresh: Set<object> = new Set(), copies?: Copies): Steps<PlainObject> {
  const { path, value } = w;
  if (path.length === 0) {
    if (value === undefined) return mark({}, fresh);
    if (!isPlainObject(value)) throw new WriteConflict('the root document `data` must be an object');
    return value;
  }
  const root = yield* writable(data, fresh, copies);
  let container: PlainObject | Value[] = root;
  for (let i = 0; i < path.length - 1; i++) {
    const key = path[i]!;
    const child = childOf(container, key);
    if (child === undefined) {
      if (value === undefined) throw new DocumentNotFound(`document ${pathName(path)} does not exist`);
      if (Array.isArray(container)) throw new WriteConflict(`${pathName(path.slice(0, i))} is an array without an element \`${key}\``);
      // Missing containing documents are made, as `mkdir -p` makes directories.
      const made = mark({}, fresh);
      defineKey(container, key, made);
      copies?.keyWritten?.(container, key);
      container = made;
      continue;
    }
    if (!isPlainObject(child) && !Array.isArray(child)) {
      throw new WriteConflict(`${pathName(path.slice(0, i + 1))} is ${describe(child)}, not an object or array`);
    }
    const copy = yield* writable(child, fresh, copies);
    setChild(container, key, copy);
    if (!Array.isArray(container)) copies?.keyWritten?.(container, key);
    container = copy;
  }
  const last = path[path.length - 1]!;
  if (Array.isArray(container)) {
    const at = arrayIndex(container, last);
    if (at === undefined) {
      if (value === undefined) throw new DocumentNotFound(`document ${pathName(path)} does not exist`);
      throw new WriteConflict(`${pathName(path.slice(0, -1))} is an array without an element \`${last}\``);
    }
    // See `removalWrite`: an element is removed by writing its array.
    if (value === undefined) throw new WriteConflict(`${pathName(path)} is an array element: remove it by writing the array without it`);
    container[at] = value;
    return root;
  }
  if (value === undefined) {
    if (!Object.prototype.hasOwnProperty.call(container, last)) throw new DocumentNotFound(`document ${pathName(path)} does not exist`);
    delete container[last];
  } else {
    defineKey(container, last, value);
  }
  copies?.keyWritten?.(container, last);
  return root;
}

function childOf(v: Value, key: string): Value | undefined {
  if (Array.isArray(v)) {
    const at = arrayIndex(v, key);
    return at === undefined ? undefined : v[at];
  }
  if (!isPlainObject(v)) return undefined;
  return Object.prototype.hasOwnProperty.call(v, key) ? v[key] : undefined;
}

function setChild(container: PlainObject | Value[], key: string, v: Value): void {
  if (Array.isArray(container)) container[arrayIndex(container, key)!] = v;
  else defineKey(container, key, v);
}

/** `key` as an index of an existing element of `arr`: digits only, no leading zero. */
export function arrayIndex(arr: readonly Value[], key: string): number | undefined {
  if (!/^(?:0|[1-9]\d{0,14})$/.test(key)) return undefined;
  const i = Number(key);
  return i < arr.length ? i : undefined;
}

function* writable<T extends PlainObject | Value[]>(c: T, fresh: Set<object>, copies: Copies | undefined): Steps<T> {
  if (fresh.has(c)) return c;
  let copy: PlainObject | Value[];
  if (Array.isArray(c)) {
    if (c.length <= COPY_STEP) copy = c.slice();
    else {
      copy = [];
      for (let i = 0; i < c.length; i++) {
        if (i > 0 && i % COPY_STEP === 0) yield;
        copy.push(c[i]!);
      }
    }
  } else {
    const o: PlainObject = {};
    // Key order is not observable (iteration and serialisation sort keys): the keys the digest
    // holds, sorted, serve as well as a fresh listing.
    const keys = copies?.knownKeys?.(c) ?? Object.keys(c);
    for (let i = 0; i < keys.length; i++) {
      if (i > 0 && i % COPY_STEP === 0) yield;
      const k = keys[i]!;
      defineKey(o, k, (c as PlainObject)[k]!);
    }
    copy = o;
  }
  copies?.derived(copy, c);
  return mark(copy, fresh) as T;
}

function mark<T extends object>(c: T, fresh: Set<object>): T {
  fresh.add(c);
  return c;
}

function describe(v: Value): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return 'a string';
  if (typeof v === 'boolean') return 'a boolean';
  if (typeof v === 'number' || typeof v === 'bigint') return 'a number';
  return 'a value';
}
