/**
 * The logged input straight from the request's JSON text, when that text already is what parsing
 * it and writing it back compactly would give: the decision log then copies a slice of the text
 * instead of parsing it, erasing masked fields and serialising it again (about 1 µs a line of a
 * ~2 µs line on the writer thread). Anything the copy could get wrong makes the caller take the
 * slow way: whitespace inside the input, escapes other than the ones serialising writes, lone or
 * paired surrogates, numbers not written as JavaScript writes them, integer-like keys (objects
 * list those first), repeated keys (the last one wins), or a key the masks name.
 *
 * The text is scanned as UTF-8 bytes: the log's writer thread copies it straight from the ring
 * of records into the line's bytes (`copyableSpan`), without making a string of it.
 */
import { maskChildAt, type MaskNode } from './mask-tree.js';

/** Deepest nesting copied; deeper texts are parsed (the parser has its own limit). */
const MAX_DEPTH = 256;

/** Objects with at most this many keys find repeats by comparing; bigger ones use a set. */
const LINEAR_KEYS = 8;

/** Where the copyable input lies in the bytes scanned: `[from, to)`. */
export interface Span { from: number; to: number }

/**
 * Whether the input in `bytes[from, to)` can be copied as it is, and where it lies (into `span`):
 * the whole text (`member` false) or its top-level `input` member. `mask` is the input's mask
 * tree. The byte at `to` must be 0 (NUL, never part of JSON text: the scan stops there). False
 * when the input is absent (the slow way says so).
 */
export function copyableSpan(bytes: Buffer, from: number, to: number, member: boolean, mask: MaskNode | undefined, span: Span): boolean {
  if (mask?.erase) return false;
  const scan = scanner;
  scan.start(bytes, from, to);
  const copied = member ? memberInput(scan, mask, span) : wholeInput(scan, mask, span);
  // The scanner is reused: it must not keep the bytes alive.
  scan.start(EMPTY, 0, 0);
  return copied;
}

/**
 * The compact JSON of the input in `text`, as `copyableSpan` finds it; undefined when it cannot
 * be copied. For texts that are not bytes already (the request thread's own lines).
 */
export function copyableInput(text: string, member: boolean, mask: MaskNode | undefined): string | undefined {
  // A lone surrogate would become U+FFFD in UTF-8 and be copied changed; paired ones are not copied either.
  if (SURROGATE.test(text)) return undefined;
  const bytes = Buffer.from(text + '\u0000', 'utf8');
  const span = { from: 0, to: 0 };
  if (!copyableSpan(bytes, 0, bytes.length - 1, member, mask, span)) return undefined;
  // Byte positions are character positions when every character is ASCII.
  if (bytes.length - 1 === text.length) return span.from === 0 && span.to === text.length ? text : text.slice(span.from, span.to);
  return bytes.toString('utf8', span.from, span.to);
}

const SURROGATE = /[\ud800-\udfff]/;
const EMPTY = Buffer.alloc(0);

function wholeInput(scan: Scanner, mask: MaskNode | undefined, span: Span): boolean {
  scan.skipSpace();
  const start = scan.pos;
  if (!scan.value(mask, 0)) return false;
  const end = scan.pos;
  scan.skipSpace();
  if (scan.pos !== scan.end) return false;
  span.from = start; span.to = end;
  return true;
}

/** `{"input": ..., "path": ...}`: space is allowed around the top level's tokens, not inside the input. */
function memberInput(scan: Scanner, mask: MaskNode | undefined, span: Span): boolean {
  const b = scan.bytes;
  scan.skipSpace();
  if (b[scan.pos] !== LBRACE) return false;
  scan.pos++;
  let start = -1, end = -1;
  scan.skipSpace();
  if (b[scan.pos] === RBRACE) return false;
  for (;;) {
    scan.skipSpace();
    if (!scan.key()) return false;
    const isInput = scan.keyTo - scan.keyFrom === 5 && b[scan.keyFrom] === 105 && b[scan.keyFrom + 1] === 110
      && b[scan.keyFrom + 2] === 112 && b[scan.keyFrom + 3] === 117 && b[scan.keyFrom + 4] === 116;
    scan.skipSpace();
    if (b[scan.pos] !== COLON) return false;
    scan.pos++;
    scan.skipSpace();
    if (isInput) {
      if (start !== -1) return false;
      start = scan.pos;
      if (!scan.value(mask, 1)) return false;
      end = scan.pos;
    } else if (!scan.value(undefined, 1)) {
      return false;
    }
    scan.skipSpace();
    const c = b[scan.pos++];
    if (c === RBRACE) break;
    if (c !== COMMA) return false;
  }
  scan.skipSpace();
  if (scan.pos !== scan.end || start === -1) return false;
  span.from = start; span.to = end;
  return true;
}

const QUOTE = 34, BACKSLASH = 92, LBRACE = 123, RBRACE = 125, LBRACKET = 91, RBRACKET = 93, COMMA = 44, COLON = 58, MINUS = 45;
/** UTF-8 lead bytes of four-byte characters: those outside the BMP, a surrogate pair in JavaScript. */
const FOUR_BYTE_LEAD = 0xf0;
const LITERALS = [Buffer.from('true'), Buffer.from('false'), Buffer.from('null')];

/**
 * One pass over a JSON text's UTF-8 bytes. Keys are kept as positions, not as strings: a scan
 * allocates nothing unless a mask needs a key's name or an object has many keys. With a string
 * made of every key and a scanner (and key list) per call, scanning the benchmark's `/v1/decide`
 * body took about 15% longer (best of six runs each: 400-450 ns against 335-380 ns with positions).
 * Peeks past the last byte read the 0 at `end`, which matches no token.
 */
class Scanner {
  bytes: Buffer = EMPTY;
  pos = 0;
  end = 0;
  /** The last key's bytes, `[keyFrom, keyTo)`, set by `key`. */
  keyFrom = 0;
  keyTo = 0;
  /**
   * The keys of the objects being scanned, outermost first, as positions: `keyFroms[i]` to
   * `keyTos[i]` for `i < keyCount` (a count, not the arrays' length: setting that is slow).
   */
  private readonly keyFroms: number[] = [];
  private readonly keyTos: number[] = [];
  private keyCount = 0;

  start(bytes: Buffer, from: number, to: number): void {
    this.bytes = bytes;
    this.pos = from;
    this.end = to;
    this.keyCount = 0;
  }

  skipSpace(): void {
    const b = this.bytes;
    for (;;) {
      const c = b[this.pos];
      if (c === 32 || c === 10 || c === 13 || c === 9) this.pos++;
      else return;
    }
  }

  /** Moves past one value; false when it cannot be copied as it is. */
  value(mask: MaskNode | undefined, depth: number): boolean {
    const c = this.bytes[this.pos]!;
    if (c === QUOTE) return this.string();
    if (c === LBRACE) return depth < MAX_DEPTH && this.object(mask, depth + 1);
    if (c === LBRACKET) return depth < MAX_DEPTH && this.array(depth + 1);
    if (c === MINUS || (c >= 48 && c <= 57)) return this.number();
    return this.literal(LITERALS[0]!) || this.literal(LITERALS[1]!) || this.literal(LITERALS[2]!);
  }

  private literal(word: Buffer): boolean {
    const b = this.bytes, at = this.pos;
    if (at + word.length > this.end) return false;
    for (let i = 0; i < word.length; i++) if (b[at + i] !== word[i]) return false;
    this.pos += word.length;
    return true;
  }

  /** A string in the form serialising writes: no escapes but the short ones, nothing outside the BMP. */
  private string(): boolean {
    const b = this.bytes;
    for (let i = this.pos + 1; i < this.end; i++) {
      const c = b[i]!;
      if (c === QUOTE) { this.pos = i + 1; return true; }
      if (c === BACKSLASH) {
        const e = b[++i];
        // \" \\ \b \f \n \r \t: what serialising writes for these characters.
        if (e !== QUOTE && e !== BACKSLASH && e !== 98 && e !== 102 && e !== 110 && e !== 114 && e !== 116) return false;
      } else if (c < 0x20 || c >= FOUR_BYTE_LEAD) {
        return false;
      }
    }
    return false;
  }

  /** Moves past an object key without escapes, not integer-like (its bytes in `keyFrom`/`keyTo`); false otherwise. */
  key(): boolean {
    const b = this.bytes;
    if (b[this.pos] !== QUOTE) return false;
    const start = this.pos + 1;
    const first = b[start]!;
    // Integer-like keys ("0", "42") come first in an object's key order, whatever the text's.
    if (first >= 48 && first <= 57) return false;
    for (let i = start; i < this.end; i++) {
      const c = b[i]!;
      if (c === QUOTE) { this.pos = i + 1; this.keyFrom = start; this.keyTo = i; return true; }
      if (c === BACKSLASH || c < 0x20 || c >= FOUR_BYTE_LEAD) return false;
    }
    return false;
  }

  /** Whether the bytes at `[aFrom, aTo)` and `[bFrom, bTo)` are the same. */
  private same(aFrom: number, aTo: number, bFrom: number, bTo: number): boolean {
    if (aTo - aFrom !== bTo - bFrom) return false;
    const b = this.bytes;
    for (let i = 0; i < aTo - aFrom; i++) if (b[aFrom + i] !== b[bFrom + i]) return false;
    return true;
  }

  private object(mask: MaskNode | undefined, depth: number): boolean {
    const b = this.bytes;
    this.pos++;
    if (b[this.pos] === RBRACE) { this.pos++; return true; }
    // This object's keys are those from `base` to `keyCount`, dropped when it ends (one list for every level).
    const froms = this.keyFroms, tos = this.keyTos;
    const base = this.keyCount;
    let seen: Set<string> | undefined;
    for (;;) {
      if (!this.key()) return false;
      const from = this.keyFrom, to = this.keyTo;
      if (seen) {
        // Latin-1 maps bytes to characters one to one: equal names, equal strings.
        const name = b.toString('latin1', from, to);
        if (seen.has(name)) return false;
        seen.add(name);
      } else {
        for (let i = base; i < this.keyCount; i++) if (this.same(froms[i]!, tos[i]!, from, to)) return false;
        froms[this.keyCount] = from;
        tos[this.keyCount] = to;
        this.keyCount++;
        if (this.keyCount - base > LINEAR_KEYS) {
          seen = new Set();
          for (let i = base; i < this.keyCount; i++) seen.add(b.toString('latin1', froms[i]!, tos[i]!));
        }
      }
      let child: MaskNode | undefined;
      if (mask !== undefined) {
        child = maskChildAt(mask, b, from, to);
        if (child?.erase) return false;
      }
      if (b[this.pos] !== COLON) return false;
      this.pos++;
      if (!this.value(child, depth)) return false;
      const c = b[this.pos++];
      if (c === COMMA) continue;
      this.keyCount = base;
      return c === RBRACE;
    }
  }

  private array(depth: number): boolean {
    const b = this.bytes;
    this.pos++;
    if (b[this.pos] === RBRACKET) { this.pos++; return true; }
    for (;;) {
      // Masks reach through objects only.
      if (!this.value(undefined, depth)) return false;
      const c = b[this.pos++];
      if (c === RBRACKET) return true;
      if (c !== COMMA) return false;
    }
  }

  /**
   * A number written as JavaScript writes it (`String(Number(text))`), with fewer than 16
   * digits (longer ones may be kept exact as big integers) and no exponent.
   */
  private number(): boolean {
    const b = this.bytes;
    const start = this.pos;
    let i = start;
    if (b[i] === MINUS) i++;
    let digits = 0, fraction = false;
    for (; i < this.end; i++) {
      const c = b[i]!;
      if (c >= 48 && c <= 57) digits++;
      else if (c === 46 && !fraction) fraction = true;
      else break;
    }
    const c = b[i];
    if (digits === 0 || digits > 15 || c === 101 || c === 69) return false;
    this.pos = i;
    // An integer without a leading zero (and not -0) is written back as it is.
    if (!fraction) {
      const lead = b[b[start] === MINUS ? start + 1 : start];
      return lead !== 48 || (i === start + 1);
    }
    const literal = b.toString('latin1', start, i);
    return String(Number(literal)) === literal;
  }
}

/** Reused call to call: scanning allocates nothing (see `Scanner`). */
const scanner = new Scanner();
