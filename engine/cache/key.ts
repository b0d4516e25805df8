/**
 * Cache keys for decisions: the policy revision, the entry point's path and a projection of only
 * the input values the entry point can read. Two inputs that differ only in fields the policy
 * never reads share a key; any difference in a field it reads gives a different key.
 *
 * A key is a short list of parts, not one string: scalars stay as they are (a map lookup on a
 * string the request already holds costs a fraction of building, flattening and hashing a joined
 * key), and only composite values are reduced to their canonical text.
 */
import { canonicalText, type Value } from '../value.js';

/** What the compiler reports about the input an entry point reads (see `EntryPointInfo.inputPaths`). */
export type InputPaths = string[][] | 'all';

/** An input path that is absent from the input (different from every value, `null` included). */
export const ABSENT: unique symbol = Symbol('absent');

/** A composite value (object, array, set) as its canonical text; kept apart from plain strings. */
export class CompositeText {
  constructor(readonly text: string) {}
}

/** One part of a key: scalars are compared by value (`SameValueZero`), composites by their text. */
export type KeyPart = string | number | boolean | null | bigint | typeof ABSENT | CompositeText;

/** Revision, entry point path, then one part per normalised input path. */
export type DecisionKey = readonly KeyPart[];

/**
 * Reduces a path list to the minimal set: a path under another (`[user, role]` under `[user]`)
 * adds nothing, since projecting the shorter path already covers it. Sorted for stable keys.
 */
export function normalizeInputPaths(paths: InputPaths): InputPaths {
  if (paths === 'all') return 'all';
  const sorted = [...paths].sort((a, b) => a.length - b.length);
  const kept: string[][] = [];
  for (const p of sorted) {
    if (p.length === 0) return [[]];
    if (!kept.some(k => k.length <= p.length && k.every((seg, i) => seg === p[i]))) kept.push(p);
  }
  const text = (p: string[]) => JSON.stringify(p);
  return kept.sort((a, b) => (text(a) < text(b) ? -1 : text(a) > text(b) ? 1 : 0));
}

const ARRAY_INDEX = /^(0|[1-9][0-9]*)$/;

/** The value at `path` in `input`, following own properties only (never the prototype chain). */
function valueAt(input: Value | undefined, path: string[]): Value | undefined {
  let cur: Value | undefined = input;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i]!;
    if (cur === null || typeof cur !== 'object' || Array.isArray(cur)) {
      // Arrays are addressed by numeric segments.
      if (Array.isArray(cur) && ARRAY_INDEX.test(seg)) { cur = cur[Number(seg)]; continue; }
      return undefined;
    }
    if (!Object.prototype.hasOwnProperty.call(cur, seg)) return undefined;
    cur = (cur as Record<string, Value>)[seg];
  }
  return cur;
}

/** A value as a key part, and the length it counts against the key's size limit. */
function partOf(v: Value | undefined): KeyPart {
  if (v === undefined) return ABSENT;
  if (typeof v === 'object' && v !== null) return new CompositeText(canonicalText(v));
  return v;
}

function partLength(p: KeyPart): number {
  if (typeof p === 'string') return p.length;
  if (p instanceof CompositeText) return p.text.length;
  return 1;
}

/**
 * The key of evaluating the entry point at `path` (under `revision`) on `input`, given the input
 * paths it reads; `undefined` when the projection is longer than `maxLength` characters (such
 * inputs are not worth caching and would make the cache a memory sink).
 */
export function decisionKeyFor(revision: string, path: string, input: Value | undefined, paths: InputPaths, maxLength: number): DecisionKey | undefined {
  if (paths === 'all' || (paths.length === 1 && paths[0]!.length === 0)) {
    const part = partOf(input);
    return partLength(part) > maxLength ? undefined : [revision, path, part];
  }
  const key: KeyPart[] = new Array(paths.length + 2);
  key[0] = revision;
  key[1] = path;
  let length = 0;
  for (let i = 0; i < paths.length; i++) {
    const part = partOf(valueAt(input, paths[i]!));
    length += partLength(part);
    if (length > maxLength) return undefined;
    key[i + 2] = part;
  }
  return key;
}

/**
 * A key as one string, equal for equal keys and different for different ones (each part tagged
 * with its kind, strings quoted): for maps that need a single string, such as decisions in flight.
 */
export function keyText(key: DecisionKey): string {
  let out = '';
  for (const p of key) {
    if (out !== '') out += ',';
    if (typeof p === 'string') out += 's' + JSON.stringify(p);
    else if (p instanceof CompositeText) out += 'c' + JSON.stringify(p.text);
    else if (p === ABSENT) out += 'a';
    else if (p === null) out += 'z';
    else if (typeof p === 'bigint') out += 'i' + p.toString();
    // SameValueZero: -0 and 0 are one key, as String() writes them.
    else out += (typeof p === 'number' ? 'n' : 'b') + String(p);
  }
  return out;
}
