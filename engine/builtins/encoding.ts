/** base64, base64url, hex and URL query encodings with Go's strictness and error texts. */
import { decls } from '../../dsl/builtins/decls/encoding.js';
import { compareUtf8 } from '../json.js';
import { isObject, objectEntries, PolSet, type PlainObject, type PolObject, type Value } from '../value.js';
import { builtinError, withChecks } from './check.js';
import { BuiltinError, type BuiltinImpl } from './types.js';

const STD = /^[A-Za-z0-9+/]*={0,2}$/;
const URL_PADDED = /^[A-Za-z0-9\-_]*={0,2}$/;
const URL_RAW = /^[A-Za-z0-9\-_]*$/;

/** Bytes to a string as Go keeps them; invalid UTF-8 becomes U+FFFD. */
const bytesToString = (b: Buffer): string => b.toString('utf8');

/** Decodes base64 with Go's rules: padding required (unless raw), `\r`/`\n` ignored. */
function decodeBase64(name: string, input: string, alphabet: 'std' | 'url', padded: boolean): Buffer {
  const s = input.replace(/[\r\n]/g, '');
  const ok = alphabet === 'std' ? STD.test(s) : padded ? URL_PADDED.test(s) : URL_RAW.test(s);
  const pad = s.endsWith('==') ? 2 : s.endsWith('=') ? 1 : 0;
  const dataLen = s.length - pad;
  const validLength = padded ? s.length % 4 === 0 && (pad === 0 || dataLen % 4 >= 2) : dataLen % 4 !== 1;
  if (!ok || !validLength) {
    let bad = 0;
    const alpha = alphabet === 'std' ? /[A-Za-z0-9+/]/ : /[A-Za-z0-9\-_]/;
    while (bad < s.length && alpha.test(s[bad]!)) bad++;
    throw builtinError(name, `illegal base64 data at input byte ${Math.min(bad, s.length)}`);
  }
  return Buffer.from(s, alphabet === 'std' ? 'base64' : 'base64url');
}

function hexDecode(s: string): string {
  const isHex = (c: string) => /^[0-9a-fA-F]$/.test(c);
  const badByte = (c: string) => builtinError('hex.decode', `encoding/hex: invalid byte: U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')} ${goRuneQuote(c)}`);
  const cs = [...s];
  let i = 0;
  for (; i + 1 < cs.length; i += 2) {
    if (!isHex(cs[i]!)) throw badByte(cs[i]!);
    if (!isHex(cs[i + 1]!)) throw badByte(cs[i + 1]!);
  }
  if (cs.length % 2 === 1) {
    if (!isHex(cs[i]!)) throw badByte(cs[i]!);
    throw builtinError('hex.decode', 'encoding/hex: odd length hex string');
  }
  return bytesToString(Buffer.from(s, 'hex'));
}

function goRuneQuote(c: string): string {
  if (c === "'") return "'\\''";
  if (c === '\\') return "'\\\\'";
  const cp = c.codePointAt(0)!;
  if (cp < 0x20 || cp === 0x7f) return `'\\x${cp.toString(16).padStart(2, '0')}'`;
  return `'${c}'`;
}

/** Go's url.QueryEscape: unreserved bytes kept, space as `+`, the rest `%XX`. */
export function queryEscape(s: string): string {
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) {
    if ((b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || b === 0x2d || b === 0x2e || b === 0x5f || b === 0x7e) out += String.fromCharCode(b);
    else if (b === 0x20) out += '+';
    else out += '%' + b.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

/** Go's url.QueryUnescape. */
export function queryUnescape(name: string, s: string): string {
  if (!s.includes('%') && !s.includes('+')) return s;
  const bytes: number[] = [];
  const src = Buffer.from(s, 'utf8');
  for (let i = 0; i < src.length; i++) {
    const b = src[i]!;
    if (b === 0x25) {
      const h = src.subarray(i + 1, i + 3).toString('latin1');
      if (!/^[0-9a-fA-F]{2}$/.test(h)) {
        const bad = src.subarray(i, i + 3).toString('utf8');
        throw builtinError(name, `invalid URL escape ${JSON.stringify(bad)}`);
      }
      bytes.push(parseInt(h, 16));
      i += 2;
    } else if (b === 0x2b) {
      bytes.push(0x20);
    } else {
      bytes.push(b);
    }
  }
  return bytesToString(Buffer.from(bytes));
}

function encodeObject(o: PlainObject | PolObject): string {
  const entries = objectEntries(o) as [string, Value][];
  entries.sort((a, b) => compareUtf8(a[0], b[0]));
  const parts: string[] = [];
  for (const [k, v] of entries) {
    const key = queryEscape(k);
    const values = typeof v === 'string' ? [v] : v instanceof PolSet ? v.sorted() : v as Value[];
    for (const x of values) {
      if (typeof x !== 'string') throw new BuiltinError(`urlquery.encode_object: operand 1 must be object[string: any<string, array[string], set[string]>] but got object containing ${typeof x === 'object' ? 'composite' : typeof x}`, 'eval_type_error');
      parts.push(key + '=' + queryEscape(x));
    }
  }
  return parts.join('&');
}

function decodeObject(s: string): PlainObject {
  const out: PlainObject = {};
  for (const part of s.split('&')) {
    if (part === '') continue;
    if (part.includes(';')) throw builtinError('urlquery.decode_object', 'invalid semicolon separator in query');
    const eq = part.indexOf('=');
    const k = queryUnescape('urlquery.decode_object', eq < 0 ? part : part.slice(0, eq));
    const v = queryUnescape('urlquery.decode_object', eq < 0 ? '' : part.slice(eq + 1));
    const cur = Object.prototype.hasOwnProperty.call(out, k) ? out[k] as Value[] : undefined;
    if (cur) cur.push(v);
    else Object.defineProperty(out, k, { value: [v], enumerable: true, writable: true, configurable: true });
  }
  return out;
}

export const impls: Record<string, BuiltinImpl> = withChecks(decls, {
  'base64.encode': ([x]) => Buffer.from(x as string, 'utf8').toString('base64'),
  'base64.decode': ([x]) => bytesToString(decodeBase64('base64.decode', x as string, 'std', true)),
  'base64.is_valid': ([x]) => {
    try { decodeBase64('base64.is_valid', x as string, 'std', true); return true; } catch { return false; }
  },
  'base64url.encode': ([x]) => {
    const raw = Buffer.from(x as string, 'utf8').toString('base64url');
    return raw + '='.repeat((4 - (raw.length % 4)) % 4);
  },
  'base64url.encode_no_pad': ([x]) => Buffer.from(x as string, 'utf8').toString('base64url'),
  'base64url.decode': ([x]) => {
    const s = x as string;
    // OPA accepts both forms: padded when the length is a multiple of four, raw otherwise.
    return bytesToString(decodeBase64('base64url.decode', s, 'url', s.length % 4 === 0));
  },
  'hex.encode': ([x]) => Buffer.from(x as string, 'utf8').toString('hex'),
  'hex.decode': ([x]) => hexDecode(x as string),
  'urlquery.encode': ([x]) => queryEscape(x as string),
  'urlquery.decode': ([x]) => queryUnescape('urlquery.decode', x as string),
  'urlquery.encode_object': ([o]) => {
    if (!isObject(o)) return undefined;
    return encodeObject(o);
  },
  'urlquery.decode_object': ([x]) => decodeObject(x as string),
});
