/**
 * Lossless JSON for values: integers beyond 2^53 stay exact (`bigint`), `__proto__` is an ordinary
 * key, nesting is bounded. Serialisation matches OPA's `json.marshal` (sorted keys, sets as sorted
 * arrays, non-string keys as their JSON text, Go's HTML-safe escaping).
 */
import { defineKey, PolObject, PolSet, quoteJsonString as quoteString, type PlainObject, type Value } from './value.js';
import { decodeEscape } from '../dsl/ast/escapes.js';

export interface ParseJsonOptions {
  /** Deepest array/object nesting accepted (default 512). */
  maxDepth?: number;
}

/** Parse failure with an offset into the text. */
export class JsonParseError extends Error {
  readonly offset: number;
  constructor(message: string, offset: number) {
    super(message);
    this.name = 'JsonParseError';
    this.offset = offset;
  }
}

const DEFAULT_MAX_DEPTH = 512;

/**
 * Parses JSON text into a value. The common case (no integer literal long enough to lose
 * precision) takes `JSON.parse` after one linear pre-scan that also enforces the depth limit; only
 * texts with long integer literals go through the slower exact parser.
 */
export function parseJson(text: string, opts?: ParseJsonOptions): Value {
  const maxDepth = opts?.maxDepth ?? DEFAULT_MAX_DEPTH;
  if (!needsExactParse(text, maxDepth)) {
    try {
      // JSON.parse defines `__proto__` as an own data property, so no prototype is touched.
      return JSON.parse(text) as Value;
    } catch (e) {
      throw new JsonParseError((e as Error).message, 0);
    }
  }
  return new ExactParser(text, maxDepth).parseDocument();
}

/**
 * One pass over the text outside strings: throws when nesting exceeds `maxDepth`, and answers
 * whether some number literal has 16 or more digits (then `JSON.parse` could round it).
 */
function needsExactParse(text: string, maxDepth: number): boolean {
  // Native searches settle the common case: no run of 16 digits anywhere and fewer brackets
  // than the depth limit. Only texts failing either take the character-by-character scan.
  // An exponent of 100 or more may pass a 64-bit float's range, which JSON.parse would turn into
  // Infinity or 0 without a word (the match may be inside a string: then the exact parse is only
  // slower). One search looks for both long digit runs and such exponents.
  if (!LONG_DIGITS_OR_BIG_EXPONENT.test(text) && !moreOpeningsThan(text, maxDepth)) return false;
  let depth = 0, digits = 0, long = false;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) { if (++digits >= 16) long = true; continue; }
    digits = 0;
    if (c === 34) { // skip a string
      for (i++; i < n; i++) {
        const d = text.charCodeAt(i);
        if (d === 92) i++;
        else if (d === 34) break;
      }
    } else if (c === 91 || c === 123) {
      if (++depth > maxDepth) throw new JsonParseError(`JSON nested deeper than ${maxDepth} levels`, i);
    } else if (c === 93 || c === 125) {
      depth--;
    }
  }
  return long || BIG_EXPONENT.test(text);
}

const BIG_EXPONENT = /[0-9.][eE][+-]?0*[1-9][0-9]{2}/;
const LONG_DIGITS_OR_BIG_EXPONENT = new RegExp(`[0-9]{16}|${BIG_EXPONENT.source}`);

/** Whether `text` holds more than `limit` opening brackets (an upper bound on its nesting). */
function moreOpeningsThan(text: string, limit: number): boolean {
  let count = 0;
  for (let i = text.indexOf('{'); i !== -1; i = text.indexOf('{', i + 1)) if (++count > limit) return true;
  for (let i = text.indexOf('['); i !== -1; i = text.indexOf('[', i + 1)) if (++count > limit) return true;
  return false;
}

/** A digit other than 0 before any exponent. */
const NONZERO_MANTISSA = /^-?[0-9.]*[1-9]/;

class ExactParser {
  private pos = 0;
  constructor(private readonly text: string, private readonly maxDepth: number) {}

  parseDocument(): Value {
    this.ws();
    const v = this.value(0);
    this.ws();
    if (this.pos < this.text.length) this.fail('unexpected data after the JSON value');
    return v;
  }

  private fail(msg: string): never {
    throw new JsonParseError(`${msg} at offset ${this.pos}`, this.pos);
  }

  private ws(): void {
    const t = this.text;
    while (this.pos < t.length) {
      const c = t.charCodeAt(this.pos);
      if (c === 32 || c === 10 || c === 13 || c === 9) this.pos++;
      else break;
    }
  }

  private value(depth: number): Value {
    const t = this.text;
    const c = t[this.pos];
    switch (c) {
      case '{': return this.object(depth + 1);
      case '[': return this.array(depth + 1);
      case '"': return this.string();
      case 't': return this.word('true', true);
      case 'f': return this.word('false', false);
      case 'n': return this.word('null', null);
      default:
        if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return this.number();
        return this.fail(c === undefined ? 'unexpected end of JSON input' : `unexpected character ${JSON.stringify(c)}`);
    }
  }

  private word<V extends Value>(w: string, v: V): V {
    if (this.text.startsWith(w, this.pos)) { this.pos += w.length; return v; }
    return this.fail('invalid literal');
  }

  private object(depth: number): Value {
    if (depth > this.maxDepth) this.fail(`JSON nested deeper than ${this.maxDepth} levels`);
    this.pos++;
    const o: PlainObject = {};
    this.ws();
    if (this.text[this.pos] === '}') { this.pos++; return o; }
    for (;;) {
      this.ws();
      if (this.text[this.pos] !== '"') this.fail('expected a string key');
      const k = this.string();
      this.ws();
      if (this.text[this.pos] !== ':') this.fail('expected ":"');
      this.pos++;
      this.ws();
      defineKey(o, k, this.value(depth));
      this.ws();
      const c = this.text[this.pos++];
      if (c === '}') return o;
      if (c !== ',') { this.pos--; this.fail('expected "," or "}"'); }
    }
  }

  private array(depth: number): Value {
    if (depth > this.maxDepth) this.fail(`JSON nested deeper than ${this.maxDepth} levels`);
    this.pos++;
    const a: Value[] = [];
    this.ws();
    if (this.text[this.pos] === ']') { this.pos++; return a; }
    for (;;) {
      this.ws();
      a.push(this.value(depth));
      this.ws();
      const c = this.text[this.pos++];
      if (c === ']') return a;
      if (c !== ',') { this.pos--; this.fail('expected "," or "]"'); }
    }
  }

  private static readonly NUMBER = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;

  private number(): number | bigint {
    const re = ExactParser.NUMBER;
    re.lastIndex = this.pos;
    const m = re.exec(this.text);
    if (!m) return this.fail('invalid number');
    this.pos += m[0].length;
    if (m[1] === undefined && m[2] === undefined) {
      const n = Number(m[0]);
      return Number.isSafeInteger(n) ? n : BigInt(m[0]);
    }
    // Numbers are 64-bit floats: one beyond their range is refused, never read as Infinity (which
    // would equal every other huge number) or as 0.
    const n = Number(m[0]);
    if (!Number.isFinite(n)) return this.fail('number too large for a 64-bit float');
    if (n === 0 && NONZERO_MANTISSA.test(m[0])) return this.fail('number too small for a 64-bit float (it is not 0)');
    return n;
  }

  private string(): string {
    const t = this.text;
    const start = ++this.pos;
    // Fast path: no escapes.
    let i = start;
    for (; i < t.length; i++) {
      const c = t.charCodeAt(i);
      if (c === 34) { this.pos = i + 1; return t.slice(start, i); }
      if (c === 92 || c < 32) break;
    }
    let out = t.slice(start, i);
    for (;;) {
      if (i >= t.length) { this.pos = i; this.fail('unterminated string'); }
      const c = t.charCodeAt(i);
      if (c === 34) { this.pos = i + 1; return out; }
      if (c < 32) { this.pos = i; this.fail('control character in string'); }
      if (c !== 92) { out += t[i]; i++; continue; }
      const decoded = decodeEscape(t, i + 1);
      if (decoded === undefined) {
        if (t[i + 1] === 'u') { this.pos = i + 2; this.fail('invalid unicode escape'); }
        this.pos = i + 1; this.fail('invalid escape');
      }
      out += decoded.text;
      i += 1 + decoded.length;
    }
  }
}

// ---- serialisation -------------------------------------------------------------------------------

/** Go's encoder escapes these for safe embedding in HTML, and OPA's `json.marshal` inherits that. */
const HTML_UNSAFE = /[<>&\u2028\u2029]/;
const HTML_UNSAFE_ALL = /[<>&\u2028\u2029]/g;
const htmlEscape = (s: string): string => s.replace(HTML_UNSAFE_ALL, ch => '\\u' + ch.charCodeAt(0).toString(16).padStart(4, '0'));

/** A JSON string literal as Go writes it. */
export function quoteJsonString(s: string): string {
  // Most strings need no escape at all; JSON.stringify of a short string costs far more than the scan.
  let plain = true;
  for (let i = 0; i < s.length && plain; i++) {
    const c = s.charCodeAt(i);
    plain = c >= 0x20 && c !== 0x22 && c !== 0x5c && c !== 0x3c && c !== 0x3e && c !== 0x26 && c < 0x2028;
  }
  if (plain) return '"' + s + '"';
  const q = JSON.stringify(s);
  return HTML_UNSAFE.test(q) ? htmlEscape(q) : q;
}

/** Compact JSON text of a value as OPA's `json.marshal` prints it. */
export function serializeJson(v: Value): string {
  return writeValue(v, '', '', '');
}

/** Indented JSON text (`json.marshal_with_options`): `prefix` starts every line, `indent` each level. */
export function serializeJsonIndented(v: Value, prefix: string, indent: string): string {
  return prefix + writeValue(v, prefix, indent, prefix);
}

const byKey = (a: [string, Value], b: [string, Value]): number => compareUtf8(a[0], b[0]);

/** Object entries with keys as JSON object keys (non-string keys as their JSON text), sorted. */
function jsonEntries(o: PlainObject | PolObject): [string, Value][] {
  const out: [string, Value][] = [];
  if (o instanceof PolObject) {
    for (const [k, x] of o.entries()) out.push([typeof k === 'string' ? k : serializeJson(k), x]);
  } else {
    for (const k of Object.keys(o)) out.push([k, o[k]!]);
  }
  return out.sort(byKey);
}

/** JSON text of a scalar (strings quoted by `quote`), or undefined for arrays, objects and sets. */
function scalarJson(x: Value, quote: (s: string) => string): string | undefined {
  switch (typeof x) {
    case 'bigint': return x.toString();
    case 'number': return Number.isFinite(x) ? String(x + 0) : 'null';
    case 'string': return quote(x);
    case 'boolean': return x ? 'true' : 'false';
    default: return x === null ? 'null' : undefined;
  }
}

/** Writes values directly (no intermediate JSON tree): sets as sorted arrays, keys sorted. */
function writeValue(x: Value, prefix: string, indent: string, pad: string): string {
  const scalar = scalarJson(x, quoteJsonString);
  if (scalar !== undefined) return scalar;
  const pretty = indent !== '' || prefix !== '';
  const inner = pad + indent;
  const nl = pretty ? '\n' : '';
  const items = Array.isArray(x) ? x : x instanceof PolSet ? x.sorted() : undefined;
  if (items) {
    if (items.length === 0) return '[]';
    let s = '[';
    for (let i = 0; i < items.length; i++) {
      if (i > 0) s += ',';
      s += nl + (pretty ? inner : '') + writeValue(items[i]!, prefix, indent, inner);
    }
    return s + nl + (pretty ? pad : '') + ']';
  }
  const entries = jsonEntries(x as PlainObject | PolObject);
  if (entries.length === 0) return '{}';
  const sep = pretty ? ': ' : ':';
  let s = '{';
  for (let i = 0; i < entries.length; i++) {
    if (i > 0) s += ',';
    s += nl + (pretty ? inner : '') + quoteJsonString(entries[i]![0]) + sep + writeValue(entries[i]![1], prefix, indent, inner);
  }
  return s + nl + (pretty ? pad : '') + '}';
}

/**
 * Compact JSON text of a value for logs: object keys in insertion order, sets as sorted arrays,
 * non-string keys as their JSON text, no HTML escaping. Cheaper than `serializeJson`, which sorts
 * every object's keys as OPA does.
 */
export function compactJson(x: Value): string {
  const scalar = scalarJson(x, quoteString);
  if (scalar !== undefined) return scalar;
  const items = Array.isArray(x) ? x : x instanceof PolSet ? x.sorted() : undefined;
  if (items) {
    let s = '[';
    for (let i = 0; i < items.length; i++) s += (i ? ',' : '') + compactJson(items[i]!);
    return s + ']';
  }
  let s = '{';
  if (x instanceof PolObject) {
    let first = true;
    for (const [k, v] of x.entries()) {
      s += (first ? '' : ',') + quoteString(typeof k === 'string' ? k : compactJson(k)) + ':' + compactJson(v);
      first = false;
    }
  } else {
    const keys = Object.keys(x as PlainObject);
    for (let i = 0; i < keys.length; i++) s += (i ? ',' : '') + quoteString(keys[i]!) + ':' + compactJson((x as PlainObject)[keys[i]!]!);
  }
  return s + '}';
}

/** Byte order of UTF-8 (Go's string order), which differs from UTF-16 order only above U+D7FF. */
export function compareUtf8(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i), y = b.charCodeAt(i);
    if (x === y) continue;
    // Surrogates (U+D800–DFFF) encode code points above U+FFFF, which sort after U+E000–FFFF in UTF-8.
    const sx = x >= 0xd800 && x <= 0xdfff, sy = y >= 0xd800 && y <= 0xdfff;
    if (sx !== sy && (x >= 0xe000 || y >= 0xe000)) return sx ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}
