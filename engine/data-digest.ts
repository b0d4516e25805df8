/**
 * The data's share of a policy revision, made so that a small change of large data costs little.
 *
 * Each container (object or array) has a token: its canonical JSON (keys in code point order)
 * when it is small and holds only small containers, else `#` and a SHA-256 over its entries, in
 * which a child is written as its own token. A container of more than `CHUNK` entries is hashed
 * in chunks and its token hashes the chunks' digests: an array's chunks are `CHUNK` elements by
 * position; an object's end after a key whose hash is a multiple of `CHUNK` (about `CHUNK` keys
 * each, at most `MAX_CHUNK`), so that adding or removing a key changes its own chunk only. The
 * token depends on the content alone, so a fresh computation and one that reuses earlier work
 * give the same revision.
 *
 * Reuse: a `DataDigests` remembers the tokens of the large containers it has seen (by identity:
 * the data must never be changed afterwards, as the policy store guarantees by copying on write)
 * and, when told that a container is a changed copy of another (`derived`), hashes again only the
 * chunks whose entries differ. Told also which keys a write set or removed in it (`keyWritten`),
 * it does not list the copy's keys again either. A Data API write into a map of 100,000 users
 * then hashes one chunk and the chunks' digests, not the whole map.
 */
import { createHash } from 'node:crypto';
import { compareStrings, isPlainObject, quoteJsonString, sortKeys, stringifyJson, toJSON, type PlainObject, type Value } from './value.js';
import { finish, type Steps } from '../dsl/steps.js';

/** Entries per hashed chunk of a large container (an object's: on average). */
const CHUNK = 64;
/** The most keys in one chunk of an object. */
const MAX_CHUNK = 4 * CHUNK;
/** A container is written out in its parent's text (not hashed) up to this many entries... */
const INLINE_ENTRIES = 16;
/** ...and this many characters. */
const INLINE_CHARS = 256;

interface Hashed {
  token: string;
  /** An object's keys in code point order. */
  keys?: string[];
  /** Digests of the chunks, for containers of more than `CHUNK` entries. */
  chunks?: string[];
  /** Where each chunk ends (an index into `keys`), for objects of more than `CHUNK` keys. */
  ends?: number[];
}

export class DataDigests {
  private readonly hashed = new WeakMap<object, Hashed>();
  private readonly origins = new WeakMap<object, object>();
  /** The keys set or removed in a copy since it was made, when the writer says (see `keyWritten`). */
  private readonly written = new WeakMap<object, Set<string>>();
  /** Own keys of objects, in any order, as whoever made them listed them (see `learnKeys`). */
  private readonly listed = new WeakMap<object, string[]>();

  /**
   * Takes the own keys of objects from whoever made them (a parser that defined them), so that
   * they are not listed again: about 17 ms for 100,000 keys, in one go. The objects must not
   * change afterwards, as the data never does.
   */
  learnKeys(keys: ReadonlyMap<object, string[]>): void {
    for (const [o, k] of keys) this.listed.set(o, k);
  }

  /** Records that `copy` was made from `original` (and then changed): its unchanged chunks are reused. */
  derived(copy: object, original: object): void {
    this.origins.set(copy, original);
    this.written.delete(copy);
  }

  /**
   * Records that `key` was set or removed in `container`, a copy reported to `derived`. A writer
   * that reports every such key (as `applyWrite` does) spares listing the copy's keys again; one
   * that reports none leaves them to be compared (about 15 ms for 100,000 keys).
   */
  keyWritten(container: object, key: string): void {
    if (!this.origins.has(container)) return;
    let keys = this.written.get(container);
    if (keys === undefined) this.written.set(container, keys = new Set());
    keys.add(key);
  }

  /** The own keys of an object whose digest was made (in code point order), else `undefined`. */
  knownKeys(o: object): readonly string[] | undefined {
    return this.hashed.get(o)?.keys;
  }

  /** The token of `v` (see the module comment); the revision hashes it. */
  token(v: Value | undefined): string {
    if (v === null || typeof v !== 'object') return scalarText(v);
    if (Array.isArray(v)) return this.arrayToken(v);
    if (isPlainObject(v)) return this.objectToken(v);
    // Sets and non-string-keyed objects (library callers' data): their JSON, as the engine writes it.
    return stringifyJson(toJSON(v));
  }

  private objectToken(o: PlainObject): string {
    const known = this.hashed.get(o);
    if (known) return known.token;
    const from = this.objectOrigin(o);
    return from.keys.length <= CHUNK ? this.smallObject(o, from.keys) : finish(this.largeObjectSteps(o, from));
  }

  private arrayToken(a: Value[]): string {
    const known = this.hashed.get(a);
    if (known) return known.token;
    const origin = this.takeOrigin(a);
    return a.length <= CHUNK ? this.smallArray(a) : finish(this.largeArraySteps(a, origin));
  }

  /**
   * Computes and remembers the tokens of `v`'s containers, children first, a large container a
   * chunk at a time, yielding between them (see `Steps`): `token(v)` afterwards costs little. For
   * data that arrives whole (a data file, a bundle) while requests are being answered.
   */
  *warmSteps(v: Value | undefined): Steps<void> {
    if (!isContainer(v) || this.hashed.has(v)) return;
    // Depth first with a stack of its own: a generator per container would cost more than the work.
    // An object's keys are listed once, for its children and then for its token: listing the keys
    // of an object of 100,000 (about 17 ms here) is the longest step there is, and a step of its own.
    const stack: Frame[] = [this.frameOf(v)];
    if (stack[0]!.entries > CHUNK) yield;
    let done = 0;
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      if (top.next < top.visit) {
        const i = top.next++;
        const child = top.keys === undefined ? (top.c as Value[])[i] : (top.c as PlainObject)[top.keys[i]!];
        if (isContainer(child) && !this.hashed.has(child)) {
          const frame = this.frameOf(child);
          stack.push(frame);
          if (frame.entries > CHUNK) yield;
        }
        continue;
      }
      stack.pop();
      const c = top.c;
      if (++done % CHUNK === 0) yield;
      // A small container is left to its parent (it may be written out there, not hashed): its
      // large descendants are done by now, so it costs the parent little.
      if (top.entries <= INLINE_ENTRIES && c !== v) continue;
      if (Array.isArray(c)) {
        if (c.length > CHUNK) yield* this.largeArraySteps(c, this.takeOrigin(c));
        else this.arrayToken(c);
      } else {
        const from = this.objectOrigin(c, top.listed);
        if (from.keys.length > CHUNK) { yield; yield* this.largeObjectSteps(c, from); }
        else this.smallObject(c, from.keys);
      }
    }
  }

  /**
   * An object's keys in order, and what it was copied from with that one's digests, when known.
   * `listed` are its keys as `Object.keys` gives them, when already listed (they are sorted in place).
   */
  private objectOrigin(o: PlainObject, listed?: string[]): Origin {
    const written = this.written.get(o);
    if (written !== undefined) this.written.delete(o);
    const origin = this.takeOrigin(o) as PlainObject | undefined;
    const before = origin && !Array.isArray(origin) ? this.hashed.get(origin) : undefined;
    let keys: string[];
    if (before?.keys === undefined) keys = sortKeys(listed ?? this.ownKeys(o));
    else if (written !== undefined) return { keys: keysAfterWrites(before.keys, written, origin!, o), origin, before, written };
    else {
      const own = listed ?? this.ownKeys(o);
      keys = sameKeys(own, origin!, before.keys.length) ? before.keys : sortKeys(own);
    }
    return { keys, origin, before, written: undefined };
  }

  private smallObject(o: PlainObject, keys: string[]): string {
    return this.small(o, keys.length, this.objectEntries(o, keys, 0, keys.length), '{', '}', 'o', keys);
  }

  private smallArray(a: Value[]): string {
    return this.small(a, a.length, this.arrayEntries(a, 0, a.length), '[', ']', 'a', undefined);
  }

  /** A container of at most `CHUNK` entries: written out (`open` text `close`) when small enough, else hashed. */
  private small(c: object, n: number, text: string, open: string, close: string, tag: string, keys: string[] | undefined): string {
    if (n <= INLINE_ENTRIES && text.length <= INLINE_CHARS && !text.includes('#')) return open + text + close;
    return this.remember(c, { token: '#' + sha256(tag + text), ...(keys ? { keys } : {}) });
  }

  /**
   * A large object's token, a chunk at a time. A chunk of what it was copied from is reused when
   * it starts at the same key and holds the same keys with the same values.
   */
  private *largeObjectSteps(o: PlainObject, from: Origin): Steps<string> {
    const { keys, origin, before, written } = from;
    const ends = objectChunkEnds(keys);
    let reuse: ((c: number, start: number, end: number) => string | undefined) | undefined;
    if (origin !== undefined && before?.keys !== undefined && before.chunks !== undefined && before.ends !== undefined) {
      const old = { keys: before.keys, chunks: before.chunks, ends: before.ends };
      // The earlier chunks by their first key.
      const byStart = new Map<string, number>();
      for (let c = 0; c < old.ends.length; c++) byStart.set(old.keys[c === 0 ? 0 : old.ends[c - 1]!]!, c);
      // With every key the writes set or removed known, the copy's other keys hold the
      // original's values: a chunk near none of those keys is the original's if it starts at
      // the same key and is as long, with nothing to compare.
      const touched = written !== undefined ? touchedChunks(keys, ends, written) : undefined;
      reuse = (newChunk, start, end) => {
        const c = byStart.get(keys[start]!);
        if (c === undefined) return undefined;
        const oldStart = c === 0 ? 0 : old.ends[c - 1]!;
        if (old.ends[c]! - oldStart !== end - start) return undefined;
        if (touched !== undefined) return touched.has(newChunk) ? undefined : old.chunks[c];
        for (let i = 0; i < end - start; i++) {
          const k = keys[start + i]!;
          if (old.keys[oldStart + i] !== k || o[k] !== origin[k]) return undefined;
        }
        return old.chunks[c];
      };
    }
    const { token, chunks } = yield* chunkedSteps(keys.length, ends, 'O', (start, end) => this.objectEntries(o, keys, start, end), reuse);
    return this.remember(o, { token, keys, chunks, ends });
  }

  /** A large array's token, a chunk at a time; unchanged chunks of what it was copied from are reused. */
  private *largeArraySteps(a: Value[], origin: object | undefined): Steps<string> {
    const reusable = Array.isArray(origin) && origin.length === a.length ? this.hashed.get(origin)?.chunks : undefined;
    const ends: number[] = [];
    for (let end = CHUNK; end < a.length + CHUNK; end += CHUNK) ends.push(Math.min(end, a.length));
    const { token, chunks } = yield* chunkedSteps(a.length, ends, 'A', (start, end) => this.arrayEntries(a, start, end),
      reusable && ((c, start, end) => sameElements(a, origin as Value[], start, end) ? reusable[c] : undefined));
    return this.remember(a, { token, chunks });
  }

  private objectEntries(o: PlainObject, keys: string[], start: number, end: number): string {
    let text = '';
    for (let i = start; i < end; i++) {
      const k = keys[i]!;
      text += (i === start ? '' : ',') + quoteJsonString(k) + ':' + this.token(o[k]);
    }
    return text;
  }

  private arrayEntries(a: Value[], start: number, end: number): string {
    let text = '';
    for (let i = start; i < end; i++) text += (i === start ? '' : ',') + this.token(a[i]);
    return text;
  }

  /**
   * What `c` was copied from, forgotten as it is read: the link holds the original alive, and a
   * chain of them (one per write) would keep every earlier version of the data.
   */
  private takeOrigin(c: object): object | undefined {
    const origin = this.origins.get(c);
    if (origin !== undefined) this.origins.delete(c);
    return origin;
  }

  /** An object's own keys: those learnt (taken, they are sorted in place later), else listed. */
  private ownKeys(o: PlainObject): string[] {
    const known = this.listed.get(o);
    if (known === undefined) return Object.keys(o);
    this.listed.delete(o);
    return known;
  }

  private frameOf(c: PlainObject | Value[]): Frame {
    if (Array.isArray(c)) return { c, keys: undefined, visit: c.length, entries: c.length, listed: undefined, next: 0 };
    // A copy whose writes said which keys they set or removed: only those keys' values can be new
    // (its other entries are the original's, whose digest its own reuses), and its key count
    // follows from the original's keys without listing the copy's.
    const written = this.written.get(c);
    const origin = written !== undefined ? this.origins.get(c) : undefined;
    const before = origin !== undefined && !Array.isArray(origin) ? this.hashed.get(origin)?.keys : undefined;
    if (before !== undefined) {
      let entries = before.length;
      const changed: string[] = [];
      for (const k of written!) {
        const had = Object.prototype.hasOwnProperty.call(origin, k), has = Object.prototype.hasOwnProperty.call(c, k);
        if (has) changed.push(k);
        entries += (has ? 1 : 0) - (had ? 1 : 0);
      }
      return { c, keys: changed, visit: changed.length, entries, listed: undefined, next: 0 };
    }
    const keys = this.ownKeys(c);
    return { c, keys, visit: keys.length, entries: keys.length, listed: keys, next: 0 };
  }

  private remember(c: object, h: Hashed): string {
    this.hashed.set(c, h);
    return h.token;
  }
}

/**
 * The token of a container of `n` entries hashed in chunks (`ends`: where each ends); `reuse`
 * gives a chunk's earlier digest when its entries are unchanged.
 */
function* chunkedSteps(
  n: number, ends: number[], tag: string, entries: (start: number, end: number) => string,
  reuse: ((c: number, start: number, end: number) => string | undefined) | undefined,
): Steps<{ token: string; chunks: string[] }> {
  const chunks: string[] = [];
  for (let c = 0, start = 0; c < ends.length; start = ends[c]!, c++) {
    const end = ends[c]!;
    chunks.push(reuse?.(c, start, end) ?? sha256('c' + entries(start, end)));
    yield;
  }
  return { token: '#' + sha256(tag + n + ':' + chunks.join('')), chunks };
}

/**
 * Where an object's chunks end, by its keys in order: after each key whose hash is a multiple of
 * `CHUNK`, and after `MAX_CHUNK` keys without one. Decided by the keys themselves, so a key added
 * or removed moves no other chunk's bounds (but for a run of `MAX_CHUNK`, rare).
 */
function objectChunkEnds(keys: string[]): number[] {
  const ends: number[] = [];
  let start = 0;
  for (let i = 0; i < keys.length; i++) {
    if (keyHash(keys[i]!) % CHUNK === 0 || i + 1 - start >= MAX_CHUNK) { ends.push(i + 1); start = i + 1; }
  }
  if (start < keys.length) ends.push(keys.length);
  return ends;
}

/** FNV-1a over a key's UTF-16 code units: cheap, and spread well enough to place chunk bounds. */
function keyHash(k: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < k.length; i++) h = Math.imul(h ^ k.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/**
 * The chunks (indexes into `ends`) of an object's `keys` that a written key is in, or (for a
 * removed key) next to: those whose content may differ from the original's.
 */
function touchedChunks(keys: string[], ends: number[], written: Set<string>): Set<number> {
  const out = new Set<number>();
  const chunkOf = (i: number): number => {
    let lo = 0, hi = ends.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (ends[mid]! <= i) lo = mid + 1; else hi = mid;
    }
    return lo;
  };
  for (const k of written) {
    const at = lowerBound(keys, k);
    if (keys[at] === k) { out.add(chunkOf(at)); continue; }
    // Removed: the chunks either side of where it stood (one of them held it, or ended at it).
    if (at < keys.length) out.add(chunkOf(at));
    if (at > 0) out.add(chunkOf(at - 1));
  }
  return out;
}

/** The first index of `keys` (in code point order) whose key is not below `k`. */
function lowerBound(keys: string[], k: string): number {
  let lo = 0, hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareStrings(keys[mid]!, k) < 0) lo = mid + 1; else hi = mid;
  }
  return lo;
}

/**
 * `keys` (an original's, in order) as they are in `copy` after writes that set or removed only
 * the keys in `written`: each one added or removed is put in or taken out where the order says.
 */
function keysAfterWrites(keys: string[], written: Set<string>, original: PlainObject, copy: PlainObject): string[] {
  let out = keys;
  for (const k of written) {
    const had = Object.prototype.hasOwnProperty.call(original, k), has = Object.prototype.hasOwnProperty.call(copy, k);
    if (had === has) continue;
    if (out === keys) out = keys.slice();
    const lo = lowerBound(out, k);
    if (has) out.splice(lo, 0, k);
    else out.splice(lo, 1);
  }
  return out;
}

/** Plain objects and arrays: the containers a digest is made of (others are written as JSON). */
function isContainer(v: Value | undefined): v is PlainObject | Value[] {
  return v !== null && typeof v === 'object' && (Array.isArray(v) || isPlainObject(v));
}

/** An object's keys in order, what it was copied from and that one's digests, and the keys writes set or removed in it, as far as known. */
interface Origin { keys: string[]; origin: PlainObject | undefined; before: Hashed | undefined; written: Set<string> | undefined }

/**
 * A container on `warmSteps`' stack: the keys of the entries to visit (an object's), how many to
 * visit and the next one, how many entries it has, and its own keys when they were listed.
 */
interface Frame { c: PlainObject | Value[]; keys: string[] | undefined; visit: number; entries: number; listed: string[] | undefined; next: number }



/** A scalar as canonical JSON (as `stringifyJson` writes it). */
function scalarText(v: Value | undefined): string {
  if (typeof v === 'string') return quoteJsonString(v);
  if (typeof v === 'number') return Number.isFinite(v) ? JSON.stringify(v) : 'null';
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return 'null';
}

/** Whether `o` has exactly `count` own keys, every one of them also `origin`'s. */
/** Whether `keys` (a copy's own keys) are `count` keys all of which `origin` has. */
function sameKeys(keys: string[], origin: PlainObject, count: number): boolean {
  if (keys.length !== count) return false;
  for (const k of keys) if (!Object.prototype.hasOwnProperty.call(origin, k)) return false;
  return true;
}

function sameElements(a: Value[], origin: Value[], start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (a[i] !== origin[i]) return false;
  return true;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('base64');
}
