/**
 * Cache keys for decisions: the policy revision, the entry point's path and a canonical projection
 * of only the input values the entry point can read. Two inputs that differ only in fields the
 * policy never reads share a key; any difference in a field it reads gives a different key.
 */
import { canonicalText, type Value } from '../value.js';

/** What the compiler reports about the input an entry point reads (see `EntryPointInfo.inputPaths`). */
export type InputPaths = string[][] | 'all';

/** Separates key parts; canonical text escapes it inside strings, so parts cannot run together. */
const SEP = '\u001f';
/** Marks an input path that is absent from the input (different from any value's text). */
const ABSENT = '\u0000';

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
  return kept.sort((a, b) => (a.join(SEP) < b.join(SEP) ? -1 : a.join(SEP) > b.join(SEP) ? 1 : 0));
}

/** The value at `path` in `input`, following own properties only (never the prototype chain). */
function valueAt(input: Value | undefined, path: string[]): Value | undefined {
  let cur: Value | undefined = input;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i]!;
    if (cur === null || typeof cur !== 'object' || Array.isArray(cur)) {
      // Arrays are addressed by numeric segments.
      if (Array.isArray(cur) && /^(0|[1-9][0-9]*)$/.test(seg)) { cur = cur[Number(seg)]; continue; }
      return undefined;
    }
    if (!Object.prototype.hasOwnProperty.call(cur, seg)) return undefined;
    cur = (cur as Record<string, Value>)[seg];
  }
  return cur;
}

/**
 * Canonical text of the projection of `input` on `paths`, or `undefined` when it would be longer
 * than `maxLength` (such inputs are not worth caching and would make keys a memory sink).
 */
export function projectInput(input: Value | undefined, paths: InputPaths, maxLength: number): string | undefined {
  const parts = projectionParts(input, paths, maxLength);
  return parts === undefined ? undefined : parts.join(SEP);
}

/** The projection's parts (one per path), or undefined when longer than `maxLength` in total. */
function projectionParts(input: Value | undefined, paths: InputPaths, maxLength: number, prefix: string[] = []): string[] | undefined {
  const parts = prefix;
  let length = 0;
  if (paths === 'all' || (paths.length === 1 && paths[0]!.length === 0)) {
    const text = input === undefined ? ABSENT : canonicalText(input);
    length = text.length;
    parts.push(text);
  } else {
    for (let i = 0; i < paths.length; i++) {
      const v = valueAt(input, paths[i]!);
      const text = v === undefined ? ABSENT : canonicalText(v);
      length += text.length + (i ? 1 : 0);
      if (length > maxLength) return undefined;
      parts.push(text);
    }
  }
  return length > maxLength ? undefined : parts;
}

/** The full cache key of a decision. */
export function decisionKey(revision: string, path: string, projection: string): string {
  return [revision, path, projection].join(SEP);
}

/**
 * The full key built in one go. Joining parts gives a flat string; a chain of `+` gives a rope
 * that the map lookup must flatten before hashing, which costs more than the rest of the key.
 */
export function decisionKeyFor(revision: string, path: string, input: Value | undefined, paths: InputPaths, maxLength: number): string | undefined {
  const parts = projectionParts(input, paths, maxLength, [revision, path]);
  return parts === undefined ? undefined : parts.join(SEP);
}
