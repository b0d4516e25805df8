/**
 * Data for an evaluation worker in parts. A thread given a whole new data document (a data file or
 * bundle reload) used to get it in one message, and copying it for the message held the request
 * thread 12–25 ms a megabyte. The sender now walks the data and posts it a part at a time
 * (`DataParts`, run in slices): runs of entries of at most `PART_NODES` values together, and a
 * container larger than that as an empty one, filled by the parts after it. The thread puts the
 * parts together in order (`DataAssembler`), so keys keep their order and `__proto__` stays an
 * ordinary key; its compile checks the revision, so data that came out different would be refused.
 */
import type { Steps } from '../../engine/index.js';
import { defineKey, type PlainObject, type Value } from '../../engine/value.js';

/** Values (containers and scalars alike) in one part: a copy of about a millisecond. */
export const PART_NODES = 4096;

/** Where a part goes: keys and array indexes from the root of the data. */
export type PartPath = (string | number)[];

/** Entries appended to the object, or items to the array, at `path`. */
export type DataPart =
  | { path: PartPath; entries: [string, Value][] }
  | { path: PartPath; items: Value[] };

/**
 * A data document to send in parts. Listing the keys of a wide object is itself slow (about 15 ms
 * for 100,000 keys here), so the keys of wide objects are listed once and kept for the walk.
 */
export class DataParts {
  private readonly wideKeys = new Map<object, readonly string[]>();

  /** `knownKeys`: an object's own keys when already known (in any order), so they are not listed. */
  constructor(
    private readonly data: PlainObject,
    private readonly partNodes = PART_NODES,
    private readonly knownKeys?: (o: object) => readonly string[] | undefined,
  ) {}

  /** Whether the data has more than a part's values, so that it goes in parts. */
  get large(): boolean {
    return this.countUpTo(this.data) > this.partNodes;
  }

  /** Posts the data as parts, one step per part. */
  *steps(post: (part: DataPart) => void): Steps<void> {
    yield* this.containerParts(this.data, [], post);
    this.wideKeys.clear();
  }

  private *containerParts(c: PlainObject | Value[], path: PartPath, post: (part: DataPart) => void): Steps<void> {
    const isArray = Array.isArray(c);
    const keys = isArray ? undefined : this.keysOf(c);
    const n = isArray ? c.length : keys!.length;
    let entries: [string, Value][] = [], items: Value[] = [];
    let nodes = 0;
    const flush = (): boolean => {
      if (nodes === 0) return false;
      post(isArray ? { path, items } : { path, entries });
      entries = []; items = []; nodes = 0;
      return true;
    };
    for (let i = 0; i < n; i++) {
      const key = isArray ? i : keys![i]!;
      const v = (c as Record<string | number, Value>)[key]!;
      const size = this.countUpTo(v);
      if (size > this.partNodes) {
        // Too large for a part: placed empty where it stands (the entries before it go first), then filled.
        if (flush()) yield;
        const empty: PlainObject | Value[] = Array.isArray(v) ? [] : {};
        post(isArray ? { path, items: [empty] } : { path, entries: [[key as string, empty]] });
        yield* this.containerParts(v as PlainObject | Value[], [...path, key], post);
        continue;
      }
      if (nodes + size > this.partNodes && flush()) yield;
      if (isArray) items.push(v); else entries.push([key as string, v]);
      nodes += size;
    }
    if (flush()) yield;
  }

  /** The values in `v` (itself included), counted up to just past the part size. */
  private countUpTo(v: Value): number {
    const limit = this.partNodes;
    let count = 0;
    const stack: Value[] = [v];
    while (stack.length > 0) {
      const x = stack.pop()!;
      if (++count > limit) return count;
      if (typeof x !== 'object' || x === null) continue;
      // Each value waiting counts at least one: past the limit without looking further.
      if (Array.isArray(x)) {
        if (count + stack.length + x.length > limit) return limit + 1;
        for (let i = 0; i < x.length; i++) stack.push(x[i]!);
        continue;
      }
      const o = x as PlainObject;
      const keys = this.keysOf(o);
      if (count + stack.length + keys.length > limit) return limit + 1;
      for (const k of keys) stack.push(o[k]!);
    }
    return count;
  }

  private keysOf(o: PlainObject): readonly string[] {
    let keys: readonly string[] | undefined = this.wideKeys.get(o);
    if (keys === undefined) {
      keys = this.knownKeys?.(o) ?? Object.keys(o);
      if (keys.length > WIDE_KEYS) this.wideKeys.set(o, keys);
    }
    return keys;
  }
}

/** Objects with more keys than this have them listed once per send. */
const WIDE_KEYS = 256;

/** Puts parts together, in the order they were posted. */
export class DataAssembler {
  readonly root: PlainObject = {};
  /** With `listKeys`, the own keys of each object entries were added to, as they were defined. */
  readonly listed: Map<object, string[]> | undefined;

  constructor(opts: { listKeys?: boolean } = {}) {
    this.listed = opts.listKeys ? new Map() : undefined;
  }

  add(part: DataPart): void {
    let c = this.root as PlainObject | Value[];
    for (const seg of part.path) {
      // Every container on a path was placed by an earlier part, as an own entry (never one
      // inherited, such as `__proto__`'s prototype).
      const next = Object.prototype.hasOwnProperty.call(c, seg) ? (c as Record<string | number, Value>)[seg] : undefined;
      if (typeof next !== 'object' || next === null) throw new Error(`data part for a path that was not placed: ${JSON.stringify(part.path)}`);
      c = next as PlainObject | Value[];
    }
    if ('items' in part) {
      if (!Array.isArray(c)) throw new Error('data part of items for an object');
      for (const v of part.items) c.push(v);
    } else {
      if (Array.isArray(c)) throw new Error('data part of entries for an array');
      const listed = this.listed;
      if (listed === undefined) { for (const [k, v] of part.entries) defineKey(c, k, v); return; }
      let keys = listed.get(c);
      if (keys === undefined) listed.set(c, keys = Object.keys(c));
      for (const [k, v] of part.entries) {
        if (!Object.prototype.hasOwnProperty.call(c, k)) keys.push(k);
        defineKey(c, k, v);
      }
    }
  }
}
