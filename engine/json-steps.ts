/**
 * Large JSON texts parsed in steps (`Steps`), so a server loading megabytes of data goes on
 * answering requests in between: `JSON.parse` cannot be paused, and on a 7 MB data document it
 * holds the thread about 100 ms. The text is cut along its structure instead: a container larger
 * than `PIECE_CHARS` is walked member by member, runs of members that fit in a piece are parsed
 * together by `parseJson` (one step each), and a member too large for a piece is walked the same
 * way. The value is the one `parseJson` gives for the whole text, key order, repeated keys (the
 * last wins where the first stood), `__proto__` keys, exact big integers and the depth limit
 * included. A malformed text is handed whole to `parseJson`, so errors are reported in its words
 * and at its offsets.
 */
import type { Steps } from '../dsl/steps.js';
import { parseJson, type ParseJsonOptions } from './json.js';
import { defineKey, type PlainObject, type Value } from './value.js';

/** Characters parsed in one step (about a millisecond of `JSON.parse`). */
export const PIECE_CHARS = 64 * 1024;

const DEFAULT_MAX_DEPTH = 512;

const QUOTE = 34, BACKSLASH = 92, COMMA = 44, COLON = 58, LBRACE = 123, RBRACE = 125, LBRACKET = 91, RBRACKET = 93;

/** The walk met something it cannot cut: the whole text goes to `parseJson`. */
class CannotCut extends Error {}

/**
 * `parseJson(text, opts)` in steps of about `PIECE_CHARS` characters. `listed`, when given, gets
 * the own keys of each object put together from pieces (the wide ones), collected as they were
 * defined: listing a wide object's keys afterwards costs about 17 ms per 100,000 keys in one go.
 */
export function* parseJsonSteps(text: string, opts?: ParseJsonOptions, pieceChars = PIECE_CHARS, listed?: Map<object, string[]>): Steps<Value> {
  if (text.length <= pieceChars) return parseJson(text, opts);
  const maxDepth = opts?.maxDepth ?? DEFAULT_MAX_DEPTH;
  let value: Value;
  const found = listed && new Map<object, string[]>();
  try {
    value = yield* new PieceWalk(text, maxDepth, pieceChars, found).document();
    if (listed && found) for (const [o, keys] of found) listed.set(o, keys);
  } catch {
    // Malformed somewhere (the walk could not cut it, or a piece did not parse): the whole text
    // says where, in the one-go parser's words.
    return parseJson(text, opts);
  }
  return value;
}

class PieceWalk {
  private pos = 0;
  constructor(
    private readonly text: string, private readonly maxDepth: number, private readonly pieceChars: number,
    private readonly listed: Map<object, string[]> | undefined,
  ) {}

  *document(): Steps<Value> {
    this.skipSpace();
    const v = yield* this.value(1);
    this.skipSpace();
    if (this.pos !== this.text.length) throw new CannotCut();
    return v;
  }

  /** The value at `pos`, a container of which would sit at `depth` (the document is depth 1). */
  private *value(depth: number): Steps<Value> {
    const start = this.pos;
    const c = this.text.charCodeAt(start);
    if (c === LBRACE || c === LBRACKET) {
      const end = this.containerEnd(start, start + this.pieceChars);
      if (end === -1) {
        if (depth > this.maxDepth) throw new CannotCut();
        return yield* this.container(depth, c === LBRACE);
      }
      this.pos = end;
      return this.piece(start, end, depth);
    }
    const end = this.scalarEnd(start);
    this.pos = end;
    return this.piece(start, end, depth);
  }

  /** Parses `text[start, end)` whole, its outermost container at `depth`. */
  private piece(start: number, end: number, depth: number): Value {
    return parseJson(this.text.slice(start, end), { maxDepth: this.maxDepth - depth + 1 });
  }

  /**
   * A large object or array: its members in runs that fit a piece, parsed together (wrapped in
   * the container's brackets), and a member too large for one walked on its own, in order.
   */
  private *container(depth: number, isObject: boolean): Steps<Value> {
    const text = this.text;
    const [open, close, closeCode] = isObject ? ['{', '}', RBRACE] : ['[', ']', RBRACKET];
    this.pos++;
    let object: PlainObject | undefined;
    const array: Value[] = [];
    // The object's keys as they are defined, each once (a repeated key keeps its first place).
    const keys: string[] | undefined = isObject && this.listed ? [] : undefined;
    const define = (k: string, v: Value): void => {
      if (keys !== undefined && !Object.prototype.hasOwnProperty.call(object, k)) keys.push(k);
      defineKey(object!, k, v);
    };
    let runStart = -1, runEnd = -1;
    const flush = (): void => {
      if (runStart === -1) return;
      const part = parseJson(open + text.slice(runStart, runEnd) + close, { maxDepth: this.maxDepth - depth + 1 });
      runStart = -1;
      if (!isObject) { for (const v of part as Value[]) array.push(v); return; }
      if (object === undefined) {
        object = part as PlainObject;
        if (keys !== undefined) for (const k of Object.keys(object)) keys.push(k);
        return;
      }
      for (const k of Object.keys(part as PlainObject)) define(k, (part as PlainObject)[k]!);
    };
    this.skipSpace();
    if (text.charCodeAt(this.pos) !== closeCode) {
      for (;;) {
        this.skipSpace();
        const memberStart = this.pos;
        let key: [start: number, end: number] | undefined;
        if (isObject) {
          if (text.charCodeAt(memberStart) !== QUOTE) throw new CannotCut();
          key = [memberStart, this.stringEnd(memberStart)];
          this.pos = key[1];
          this.skipSpace();
          if (text.charCodeAt(this.pos) !== COLON) throw new CannotCut();
          this.pos++;
          this.skipSpace();
        }
        const valueStart = this.pos;
        const c = text.charCodeAt(valueStart);
        const end = c === LBRACE || c === LBRACKET ? this.containerEnd(valueStart, valueStart + this.pieceChars) : this.scalarEnd(valueStart);
        if (end === -1) {
          // Too large for a piece: what came before is parsed first, so the order is kept.
          flush();
          yield;
          const v = yield* this.value(depth + 1);
          if (key) { object ??= {}; define(JSON.parse(text.slice(key[0], key[1])) as string, v); }
          else array.push(v);
        } else {
          this.pos = end;
          if (runStart === -1) runStart = memberStart;
          runEnd = end;
          if (runEnd - runStart >= this.pieceChars) { flush(); yield; }
        }
        this.skipSpace();
        const sep = text.charCodeAt(this.pos++);
        if (sep === closeCode) break;
        if (sep !== COMMA) throw new CannotCut();
      }
    } else {
      this.pos++;
    }
    flush();
    if (!isObject) return array;
    object ??= {};
    if (keys !== undefined) this.listed!.set(object, keys);
    return object;
  }

  private skipSpace(): void {
    const t = this.text;
    for (;;) {
      const c = t.charCodeAt(this.pos);
      if (c === 32 || c === 10 || c === 13 || c === 9) this.pos++;
      else return;
    }
  }

  /** Just past the string starting at `start` (its opening quote). */
  private stringEnd(start: number): number {
    const t = this.text;
    let i = start + 1;
    for (;;) {
      const q = t.indexOf('"', i);
      if (q === -1) throw new CannotCut();
      // A quote preceded by an odd run of backslashes is escaped.
      let b = q - 1;
      while (t.charCodeAt(b) === BACKSLASH) b--;
      if ((q - 1 - b) % 2 === 0) return q + 1;
      i = q + 1;
    }
  }

  /** Just past a number, `true`, `false` or `null` starting at `start` (a string's end for a string). */
  private scalarEnd(start: number): number {
    const t = this.text;
    if (t.charCodeAt(start) === QUOTE) return this.stringEnd(start);
    let i = start;
    for (; i < t.length; i++) {
      const c = t.charCodeAt(i);
      if (c === COMMA || c === RBRACE || c === RBRACKET || c === 32 || c === 10 || c === 13 || c === 9) break;
      if (c === QUOTE || c === LBRACE || c === LBRACKET || c === COLON) throw new CannotCut();
    }
    if (i === start) throw new CannotCut();
    return i;
  }

  /** Just past the container opening at `start`, or -1 when it runs past `limit`. */
  private containerEnd(start: number, limit: number): number {
    const t = this.text;
    let depth = 0;
    for (let i = start; i < t.length; i++) {
      if (i > limit) return -1;
      const c = t.charCodeAt(i);
      if (c === QUOTE) { i = this.stringEnd(i) - 1; continue; }
      if (c === LBRACE || c === LBRACKET) depth++;
      else if (c === RBRACE || c === RBRACKET) { if (--depth === 0) return i + 1; }
    }
    throw new CannotCut();
  }
}
