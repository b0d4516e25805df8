/** String builtins with Go's semantics: positions and lengths count characters (code points). */
import { decls } from '../../dsl/builtins/decls/strings.js';
import { objectEntries, PolSet, type PlainObject, type PolObject, type Value } from '../value.js';
import { compareUtf8 } from '../json.js';
import { runeCount } from './aggregates.js';
import { builtinError, withChecks } from './check.js';
import { isIntegral, toDouble, type Num } from './num.js';
import { sprintf } from './sprintf.js';
import { BuiltinError, type BuiltinImpl } from './types.js';

const SURROGATE = /[\ud800-\udfff]/;

/** Code-point index of a UTF-16 index. */
function runeIndex(s: string, utf16: number): number {
  return utf16 <= 0 || !SURROGATE.test(s) ? utf16 : runeCount(s.slice(0, utf16));
}

function intOperand(name: string, pos: number, v: Value): number {
  const x = toDouble(v as Num);
  if (!isIntegral(v as Num)) throw new BuiltinError(`${name}: operand ${pos} must be integer number but got floating-point number`, 'eval_type_error');
  return x;
}

/** Characters of a string (code points), as Go's `strings.Split(s, "")` yields them. */
const chars = (s: string): string[] => (SURROGATE.test(s) ? [...s] : s.split(''));

function split(s: string, delim: string): string[] {
  if (delim === '') return chars(s);
  return s.split(delim);
}

function replaceAll(s: string, old: string, rep: string): string {
  if (old !== '') return s.split(old).join(rep);
  // Go inserts at every character boundary, including both ends.
  const cs = chars(s);
  return rep + cs.join(rep) + (cs.length > 0 ? rep : '');
}

/** Go's strings.Replacer: leftmost position first; at a position, the first pattern (in key order) that matches wins. */
function replaceN(patterns: [string, string][], s: string): string {
  patterns.sort((a, b) => compareUtf8(a[0], b[0]));
  const empty = patterns.find(p => p[0] === '');
  let out = '';
  let last = 0;
  let prevEmpty = false;
  for (let i = 0; i <= s.length;) {
    let hit: [string, string] | undefined;
    for (const p of patterns) {
      if (p[0] === '') { if (!prevEmpty) { hit = p; break; } continue; }
      if (s.startsWith(p[0], i)) { hit = p; break; }
    }
    if (hit) {
      out += s.slice(last, i) + hit[1];
      prevEmpty = hit[0] === '';
      i += hit[0].length;
      last = i;
      continue;
    }
    prevEmpty = false;
    if (i >= s.length) break;
    const c = s.charCodeAt(i);
    i += c >= 0xd800 && c <= 0xdbff && i + 1 < s.length ? 2 : 1;
    if (!empty) continue;
  }
  return out + s.slice(last);
}

/** Go's unicode.IsSpace set. */
const SPACE = '\t\n\v\f\r \u0085\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000';
const LEADING_SPACE = new RegExp(`^[${SPACE}]+`);
const TRAILING_SPACE = new RegExp(`[${SPACE}]+$`);

/** Cut sets are usually constants in a policy: keep their character sets (bounded). */
const cutsets = new Map<string, Set<string>>();
function cutsetOf(cutset: string): Set<string> {
  let set = cutsets.get(cutset);
  if (!set) {
    if (cutsets.size >= 256) cutsets.clear();
    set = new Set(chars(cutset));
    cutsets.set(cutset, set);
  }
  return set;
}

function trimLeft(s: string, cutset: string): string {
  if (cutset === '' || s === '') return s;
  const cut = cutsetOf(cutset);
  let i = 0;
  for (const c of s) { if (!cut.has(c)) break; i += c.length; }
  return s.slice(i);
}

function trimRight(s: string, cutset: string): string {
  if (cutset === '' || s === '') return s;
  const cut = cutsetOf(cutset);
  let j = s.length;
  while (j > 0) {
    let c = s[j - 1]!;
    const code = c.charCodeAt(0);
    if (code >= 0xdc00 && code <= 0xdfff && j > 1) c = s[j - 2]! + c;
    if (!cut.has(c)) break;
    j -= c.length;
  }
  return s.slice(0, j);
}

const ASCII = /^[\x00-\x7f]*$/;

/**
 * Go maps case one character at a time (`ß` stays `ß`, `İ` lowers to `i̇` only in JS): characters
 * whose JS mapping is longer than one character keep Go's single-character behaviour.
 */
function caseMap(s: string, upper: boolean): string {
  const whole = upper ? s.toUpperCase() : s.toLowerCase();
  if (ASCII.test(s) || [...whole].length === [...s].length) return whole;
  let out = '';
  for (const ch of s) {
    const m = upper ? ch.toUpperCase() : ch.toLowerCase();
    out += [...m].length === 1 ? m : ch;
  }
  return out;
}

function members(v: Value): string[] {
  if (typeof v === 'string') return [v];
  if (v instanceof PolSet) return [...v.values()] as string[];
  return v as string[];
}

function anyMatch(search: Value, base: Value, test: (s: string, b: string) => boolean): boolean {
  const bs = members(base);
  for (const s of members(search)) for (const b of bs) if (test(s, b)) return true;
  return false;
}

function substring(s: string, offset: number, length: number): string {
  if (offset < 0) throw builtinError('substring', 'negative offset');
  if (!SURROGATE.test(s)) {
    if (offset >= s.length) return '';
    return length < 0 ? s.slice(offset) : s.slice(offset, offset + length);
  }
  const cs = [...s];
  if (offset >= cs.length) return '';
  return (length < 0 ? cs.slice(offset) : cs.slice(offset, offset + length)).join('');
}

function indexesOf(s: string, sub: string): number[] {
  const out: number[] = [];
  if (sub === '') return out;
  for (let i = s.indexOf(sub); i >= 0; i = s.indexOf(sub, i + 1)) out.push(runeIndex(s, i));
  return out;
}

function countOf(s: string, sub: string): number {
  if (sub === '') return runeCount(s) + 1;
  let n = 0;
  for (let i = s.indexOf(sub); i >= 0; i = s.indexOf(sub, i + sub.length)) n++;
  return n;
}

function formatInt(x: Num, base: Num): string {
  const b = toDouble(base);
  if (b !== 2 && b !== 8 && b !== 10 && b !== 16) throw new BuiltinError('format_int: operand 2 must be one of {2, 8, 10, 16}', 'eval_type_error');
  const i = typeof x === 'bigint' ? x : BigInt(Math.trunc(x));
  return i.toString(b);
}

function replacePatterns(o: Value): [string, string][] {
  const out: [string, string][] = [];
  for (const [k, v] of objectEntries(o as PlainObject | PolObject)) {
    if (typeof k !== 'string') throw new BuiltinError('strings.replace_n: operand 1 non-string key found in pattern object', 'eval_type_error');
    if (typeof v !== 'string') throw new BuiltinError('strings.replace_n: operand 1 non-string value found in pattern object', 'eval_type_error');
    out.push([k, v]);
  }
  return out;
}

export const impls: Record<string, BuiltinImpl> = withChecks(decls, {
  concat: ([d, c]) => (c instanceof PolSet ? c.sorted() : c as Value[]).join(d as string),
  contains: ([a, b]) => (a as string).includes(b as string),
  startswith: ([a, b]) => (a as string).startsWith(b as string),
  endswith: ([a, b]) => (a as string).endsWith(b as string),
  lower: ([x]) => caseMap(x as string, false),
  upper: ([x]) => caseMap(x as string, true),
  split: ([x, d]) => split(x as string, d as string),
  'strings.split_n': ([x, d, count]) => {
    const k = intOperand('strings.split_n', 3, count!);
    const parts = split(x as string, d as string);
    if (k >= 0) return parts.slice(0, k);
    return parts.slice(Math.max(0, parts.length + k));
  },
  replace: ([x, o, r]) => replaceAll(x as string, o as string, r as string),
  'strings.replace_n': ([p, x]) => replaceN(replacePatterns(p!), x as string),
  'strings.reverse': ([x]) => [...(x as string)].reverse().join(''),
  'strings.count': ([x, sub]) => countOf(x as string, sub as string),
  'strings.any_prefix_match': ([s, b]) => anyMatch(s!, b!, (x, y) => x.startsWith(y)),
  'strings.any_suffix_match': ([s, b]) => anyMatch(s!, b!, (x, y) => x.endsWith(y)),
  trim: ([x, c]) => trimRight(trimLeft(x as string, c as string), c as string),
  trim_left: ([x, c]) => trimLeft(x as string, c as string),
  trim_right: ([x, c]) => trimRight(x as string, c as string),
  trim_prefix: ([x, p]) => ((x as string).startsWith(p as string) ? (x as string).slice((p as string).length) : x!),
  trim_suffix: ([x, p]) => ((p as string) !== '' && (x as string).endsWith(p as string) ? (x as string).slice(0, (x as string).length - (p as string).length) : x!),
  trim_space: ([x]) => (x as string).replace(LEADING_SPACE, '').replace(TRAILING_SPACE, ''),
  substring: ([x, o, l]) => substring(x as string, intOperand('substring', 2, o!), intOperand('substring', 3, l!)),
  indexof: ([x, sub]) => {
    const i = (x as string).indexOf(sub as string);
    return i < 0 ? -1 : runeIndex(x as string, i);
  },
  indexof_n: ([x, sub]) => indexesOf(x as string, sub as string),
  sprintf: ([f, vals]) => sprintf(f as string, vals as Value[]),
  format_int: ([x, b]) => formatInt(x as Num, b as Num),
});
