/**
 * JSON for JWT segments and keys. Parsing keeps integers beyond 2^53 exact (bigint), keeps the
 * last of duplicate keys (as Go and OPA do), stores `__proto__` as an ordinary key and bounds
 * nesting. Marshalling follows Go's `json.Marshal`: sorted keys, compact, `<`, `>`, `&`, U+2028
 * and U+2029 escaped, so signed tokens are byte-identical to OPA's.
 * NOTE: duplicates engine/json.ts (helper A) in part; fold into it once that lands.
 */
import { defineKey, stringifyJson, toJSON, type PlainObject, type Value } from '../../value.js';

export class JsonError extends Error {}

const MAX_DEPTH = 512;

/** A digit run that may be an integer beyond 2^53; only such texts need the exact parser. */
const LONG_DIGITS = /[0-9]{16,}/;

export function parseJson(text: string): Value {
  if (!LONG_DIGITS.test(text)) {
    if (nestingExceeds(text, MAX_DEPTH)) throw new JsonError('exceeded max depth');
    try {
      // JSON.parse keeps the last duplicate key and defines `__proto__` as an own property.
      return JSON.parse(text) as Value;
    } catch (e) {
      throw new JsonError(e instanceof Error ? e.message : String(e));
    }
  }
  return parseExact(text);
}

/** Whether brackets nest deeper than `limit` (strings skipped); bounds recursion downstream. */
function nestingExceeds(text: string, limit: number): boolean {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) { // skip a string
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === 92) i++;
        else if (d === 34) break;
      }
    } else if (c === 91 || c === 123) {
      if (++depth > limit) return true;
    } else if (c === 93 || c === 125) depth--;
  }
  return false;
}

function parseExact(text: string): Value {
  let i = 0;
  const n = text.length;
  const ws = () => { while (i < n) { const c = text.charCodeAt(i); if (c === 32 || c === 9 || c === 10 || c === 13) i++; else break; } };
  const fail = (what: string): never => {
    if (i >= n) throw new JsonError('unexpected end of JSON input');
    throw new JsonError(`invalid character ${JSON.stringify(text[i])} ${what}`);
  };
  const value = (depth: number): Value => {
    if (depth > MAX_DEPTH) throw new JsonError('exceeded max depth');
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const o: PlainObject = {};
      ws();
      if (text[i] === '}') { i++; return o; }
      for (;;) {
        ws();
        if (text[i] !== '"') fail('looking for beginning of object key string');
        const k = str();
        ws();
        if (text[i] !== ':') fail('after object key');
        i++;
        defineKey(o, k, value(depth + 1));
        ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === '}') { i++; return o; }
        fail('after object key:value pair');
      }
    }
    if (c === '[') {
      i++;
      const a: Value[] = [];
      ws();
      if (text[i] === ']') { i++; return a; }
      for (;;) {
        a.push(value(depth + 1));
        ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === ']') { i++; return a; }
        fail('after array element');
      }
    }
    if (c === '"') return str();
    if (c === 't' && text.startsWith('true', i)) { i += 4; return true; }
    if (c === 'f' && text.startsWith('false', i)) { i += 5; return false; }
    if (c === 'n' && text.startsWith('null', i)) { i += 4; return null; }
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return num();
    return fail('looking for beginning of value');
  };
  const NUM = /-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/y;
  const num = (): number | bigint => {
    NUM.lastIndex = i;
    const m = NUM.exec(text);
    if (!m) return fail('in numeric literal');
    i += m[0].length;
    if (!m[2] && !m[3]) {
      const v = Number(m[0]);
      return Number.isSafeInteger(v) ? v : BigInt(m[0]);
    }
    return Number(m[0]);
  };
  const str = (): string => {
    // Find the closing quote; unescaped, control-free strings need no decoding.
    let j = i + 1, escaped = false;
    for (; j < n; j++) {
      const d = text.charCodeAt(j);
      if (d === 92) { escaped = true; j++; continue; }
      if (d === 34) break;
      if (d < 32) { i = j; return fail('in string literal'); }
    }
    if (j >= n) { i = n; return fail('in string literal'); }
    const raw = text.slice(i, j + 1);
    i = j + 1;
    if (!escaped) return raw.slice(1, -1);
    try { return JSON.parse(raw) as string; } catch { i = j; return fail('in string escape code'); }
  };
  const v = value(0);
  ws();
  if (i < n) fail('after top-level value');
  return v;
}

/** Whether `text` is one JSON value (Go's `json.Valid`). */
export function isValidJson(text: string): boolean {
  try { parseJson(text); return true; } catch { return false; }
}

const GO_ESCAPES = /[<>&\u2028\u2029]/g;
const goEscape = (c: string) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0');

/** Go's `json.Marshal` of a value converted as OPA converts values to JSON. */
export function goMarshal(v: Value): string {
  const plain = toJSON(v);
  // stringifyJson sorts keys and writes bigints exactly; Go additionally escapes HTML characters.
  return stringifyJson(plain).replace(GO_ESCAPES, goEscape);
}

