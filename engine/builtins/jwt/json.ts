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

export function parseJson(text: string): Value {
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
  const STR = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
  const str = (): string => {
    STR.lastIndex = i;
    const m = STR.exec(text);
    if (!m) { i++; return fail('in string literal'); }
    i += m[0].length;
    return JSON.parse(m[0]) as string;
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

