/**
 * The logged input straight from the request's JSON text, when that text already is what parsing
 * it and writing it back compactly would give: the decision log then copies a slice of the text
 * instead of parsing it, erasing masked fields and serialising it again (about 1 µs a line of a
 * ~2 µs line on the writer thread). Anything the copy could get wrong makes the caller take the
 * slow way: whitespace inside the input, escapes other than the ones serialising writes, lone or
 * paired surrogates, numbers not written as JavaScript writes them, integer-like keys (objects
 * list those first), repeated keys (the last one wins), or a key the masks name.
 */
import { maskChild, type MaskNode } from './mask-tree.js';

/** The text cannot be copied: parse it. */
const SLOW = undefined;

/** Deepest nesting copied; deeper texts are parsed (the parser has its own limit). */
const MAX_DEPTH = 256;

/** Objects with at most this many keys find repeats by comparing; bigger ones use a set. */
const LINEAR_KEYS = 8;

/**
 * The compact JSON of the input in `text`: the whole text (`member` false) or its top-level
 * `input` member. `mask` is the input's mask tree. `SLOW` when the text cannot be copied as it
 * is, or when the input is absent (the slow way says so).
 */
export function copyableInput(text: string, member: boolean, mask: MaskNode | undefined): string | undefined {
  if (mask?.erase) return SLOW;
  const scan = scanner;
  scan.start(text);
  const copied = member ? memberInput(scan, text, mask) : wholeInput(scan, text, mask);
  // The scanner is reused: it must not keep the text alive.
  scan.start('');
  return copied;
}

function wholeInput(scan: Scanner, text: string, mask: MaskNode | undefined): string | undefined {
  scan.skipSpace();
  const start = scan.pos;
  if (!scan.value(mask, 0)) return SLOW;
  const end = scan.pos;
  scan.skipSpace();
  if (scan.pos !== text.length) return SLOW;
  return start === 0 && end === text.length ? text : text.slice(start, end);
}

/** `{"input": ..., "path": ...}`: space is allowed around the top level's tokens, not inside the input. */
function memberInput(scan: Scanner, text: string, mask: MaskNode | undefined): string | undefined {
  scan.skipSpace();
  if (text.charCodeAt(scan.pos) !== LBRACE) return SLOW;
  scan.pos++;
  let start = -1, end = -1;
  scan.skipSpace();
  if (text.charCodeAt(scan.pos) === RBRACE) return SLOW;
  for (;;) {
    scan.skipSpace();
    if (!scan.key()) return SLOW;
    const isInput = scan.keyTo - scan.keyFrom === 5 && text.startsWith('input', scan.keyFrom);
    scan.skipSpace();
    if (text.charCodeAt(scan.pos) !== COLON) return SLOW;
    scan.pos++;
    scan.skipSpace();
    if (isInput) {
      if (start !== -1) return SLOW;
      start = scan.pos;
      if (!scan.value(mask, 1)) return SLOW;
      end = scan.pos;
    } else if (!scan.value(undefined, 1)) {
      return SLOW;
    }
    scan.skipSpace();
    const c = text.charCodeAt(scan.pos++);
    if (c === RBRACE) break;
    if (c !== COMMA) return SLOW;
  }
  scan.skipSpace();
  if (scan.pos !== text.length || start === -1) return SLOW;
  return text.slice(start, end);
}

const QUOTE = 34, BACKSLASH = 92, LBRACE = 123, RBRACE = 125, LBRACKET = 91, RBRACKET = 93, COMMA = 44, COLON = 58, MINUS = 45;

/**
 * One pass over a JSON text. Keys are kept as positions in the text, not as strings: a scan
 * allocates nothing unless a mask needs a key's name or an object has many keys. With a string
 * made of every key and a scanner (and key list) per call, scanning the benchmark's `/v1/decide`
 * body took about 15% longer (best of six runs each: 400-450 ns against 335-380 ns here).
 */
class Scanner {
  pos = 0;
  private text = '';
  /** The last key's characters, `[keyFrom, keyTo)`, set by `key`. */
  keyFrom = 0;
  keyTo = 0;
  /**
   * The keys of the objects being scanned, outermost first, as positions: `keyFroms[i]` to
   * `keyTos[i]` for `i < keyCount` (a count, not the arrays' length: setting that is slow).
   */
  private readonly keyFroms: number[] = [];
  private readonly keyTos: number[] = [];
  private keyCount = 0;

  start(text: string): void {
    this.text = text;
    this.pos = 0;
    this.keyCount = 0;
  }

  skipSpace(): void {
    const t = this.text;
    for (;;) {
      const c = t.charCodeAt(this.pos);
      if (c === 32 || c === 10 || c === 13 || c === 9) this.pos++;
      else return;
    }
  }

  /** Moves past one value; false when it cannot be copied as it is. */
  value(mask: MaskNode | undefined, depth: number): boolean {
    const c = this.text.charCodeAt(this.pos);
    if (c === QUOTE) return this.string();
    if (c === LBRACE) return depth < MAX_DEPTH && this.object(mask, depth + 1);
    if (c === LBRACKET) return depth < MAX_DEPTH && this.array(depth + 1);
    if (c === MINUS || (c >= 48 && c <= 57)) return this.number();
    return this.literal('true') || this.literal('false') || this.literal('null');
  }

  private literal(word: string): boolean {
    if (!this.text.startsWith(word, this.pos)) return false;
    this.pos += word.length;
    return true;
  }

  /** A string in the form serialising writes: no escapes but the short ones, no surrogates. */
  private string(): boolean {
    const t = this.text;
    for (let i = this.pos + 1; i < t.length; i++) {
      const c = t.charCodeAt(i);
      if (c === QUOTE) { this.pos = i + 1; return true; }
      if (c === BACKSLASH) {
        const e = t.charCodeAt(++i);
        // \" \\ \b \f \n \r \t: what serialising writes for these characters.
        if (e !== QUOTE && e !== BACKSLASH && e !== 98 && e !== 102 && e !== 110 && e !== 114 && e !== 116) return false;
      } else if (c < 0x20 || (c >= 0xd800 && c <= 0xdfff)) {
        return false;
      }
    }
    return false;
  }

  /** Moves past an object key without escapes, not integer-like (its characters in `keyFrom`/`keyTo`); false otherwise. */
  key(): boolean {
    const t = this.text;
    if (t.charCodeAt(this.pos) !== QUOTE) return false;
    const start = this.pos + 1;
    const first = t.charCodeAt(start);
    // Integer-like keys ("0", "42") come first in an object's key order, whatever the text's.
    if (first >= 48 && first <= 57) return false;
    for (let i = start; i < t.length; i++) {
      const c = t.charCodeAt(i);
      if (c === QUOTE) { this.pos = i + 1; this.keyFrom = start; this.keyTo = i; return true; }
      if (c === BACKSLASH || c < 0x20 || (c >= 0xd800 && c <= 0xdfff)) return false;
    }
    return false;
  }

  /** Whether the text holds the same characters at `[aFrom, aTo)` and `[bFrom, bTo)`. */
  private same(aFrom: number, aTo: number, bFrom: number, bTo: number): boolean {
    if (aTo - aFrom !== bTo - bFrom) return false;
    const t = this.text;
    for (let i = 0; i < aTo - aFrom; i++) if (t.charCodeAt(aFrom + i) !== t.charCodeAt(bFrom + i)) return false;
    return true;
  }

  private object(mask: MaskNode | undefined, depth: number): boolean {
    const t = this.text;
    this.pos++;
    if (t.charCodeAt(this.pos) === RBRACE) { this.pos++; return true; }
    // This object's keys are those from `base` to `keyCount`, dropped when it ends (one list for every level).
    const froms = this.keyFroms, tos = this.keyTos;
    const base = this.keyCount;
    let seen: Set<string> | undefined;
    for (;;) {
      if (!this.key()) return false;
      const from = this.keyFrom, to = this.keyTo;
      if (seen) {
        const name = t.slice(from, to);
        if (seen.has(name)) return false;
        seen.add(name);
      } else {
        for (let i = base; i < this.keyCount; i++) if (this.same(froms[i]!, tos[i]!, from, to)) return false;
        froms[this.keyCount] = from;
        tos[this.keyCount] = to;
        this.keyCount++;
        if (this.keyCount - base > LINEAR_KEYS) {
          seen = new Set();
          for (let i = base; i < this.keyCount; i++) seen.add(t.slice(froms[i]!, tos[i]!));
        }
      }
      let child: MaskNode | undefined;
      if (mask !== undefined) {
        child = maskChild(mask, t.slice(from, to));
        if (child?.erase) return false;
      }
      if (t.charCodeAt(this.pos) !== COLON) return false;
      this.pos++;
      if (!this.value(child, depth)) return false;
      const c = t.charCodeAt(this.pos++);
      if (c === COMMA) continue;
      this.keyCount = base;
      return c === RBRACE;
    }
  }

  private array(depth: number): boolean {
    const t = this.text;
    this.pos++;
    if (t.charCodeAt(this.pos) === RBRACKET) { this.pos++; return true; }
    for (;;) {
      // Masks reach through objects only.
      if (!this.value(undefined, depth)) return false;
      const c = t.charCodeAt(this.pos++);
      if (c === RBRACKET) return true;
      if (c !== COMMA) return false;
    }
  }

  /**
   * A number written as JavaScript writes it (`String(Number(text))`), with fewer than 16
   * digits (longer ones may be kept exact as big integers) and no exponent.
   */
  private number(): boolean {
    const t = this.text;
    const start = this.pos;
    let i = start;
    if (t.charCodeAt(i) === MINUS) i++;
    let digits = 0, fraction = false;
    for (; i < t.length; i++) {
      const c = t.charCodeAt(i);
      if (c >= 48 && c <= 57) digits++;
      else if (c === 46 && !fraction) fraction = true;
      else break;
    }
    const c = t.charCodeAt(i);
    if (digits === 0 || digits > 15 || c === 101 || c === 69) return false;
    this.pos = i;
    // An integer without a leading zero (and not -0) is written back as it is.
    if (!fraction) {
      const lead = t.charCodeAt(t.charCodeAt(start) === MINUS ? start + 1 : start);
      return lead !== 48 || (i === start + 1);
    }
    const literal = t.slice(start, i);
    return String(Number(literal)) === literal;
  }
}

/** Reused call to call: scanning allocates nothing (see `Scanner`). */
const scanner = new Scanner();
