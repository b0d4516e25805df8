/** Regular-expression builtins over Go (RE2) syntax, compiled once through the `re2` translator. */
import { decls } from '../../dsl/builtins/decls/regex.js';
import type { Value } from '../value.js';
import { builtinError, withChecks } from './check.js';
import { globsIntersect } from './regex-globs.js';
import { toDouble, type Num } from './num.js';
import { compileRe2, maxInputLength, quoteMeta, RegexSyntaxError } from './re2.js';
import type { BuiltinImpl } from './types.js';

/** The compiled pattern, refusing inputs long enough to make its backtracking explode. */
function compile(name: string, pattern: string, input: string, global = false): RegExp {
  let re: RegExp;
  try {
    re = compileRe2(pattern, global);
  } catch (e) {
    if (e instanceof RegexSyntaxError) throw builtinError(name, e.message);
    throw e;
  }
  const limit = maxInputLength(re);
  if (input.length > limit) throw builtinError(name, `input of ${input.length} characters is too long for this pattern (limit ${limit}); anchor the pattern or use fewer unbounded repetitions`);
  return re;
}

/**
 * Go's FindAll: successive non-overlapping matches; an empty match right where the previous match
 * ended is skipped. `limit < 0` means all.
 */
export function findAll(re: RegExp, s: string, limit: number): RegExpExecArray[] {
  const out: RegExpExecArray[] = [];
  if (limit === 0) return out;
  re.lastIndex = 0;
  let prevEnd = -1;
  while (limit < 0 || out.length < limit) {
    const m = re.exec(s);
    if (!m) break;
    const end = m.index + m[0].length;
    if (m[0].length === 0) {
      // Step over one character (a whole surrogate pair) so the scan always advances.
      const c = s.charCodeAt(m.index);
      re.lastIndex = m.index + (c >= 0xd800 && c <= 0xdbff ? 2 : 1);
      if (m.index === prevEnd) { if (m.index >= s.length) break; continue; }
    }
    out.push(m);
    prevEnd = end;
    if (m.index >= s.length) break;
  }
  re.lastIndex = 0;
  return out;
}

/** Go's template expansion: `$1`, `${1}`, `$name`, `${name}`, `$$`; unknown groups expand to "". */
export function expandReplacement(template: string, m: RegExpExecArray): string {
  if (!template.includes('$')) return template;
  let out = '';
  for (let i = 0; i < template.length; i++) {
    const c = template[i]!;
    if (c !== '$') { out += c; continue; }
    const rest = template.slice(i + 1);
    if (rest[0] === '$') { out += '$'; i++; continue; }
    const mm = /^\{([A-Za-z0-9_]+)\}/.exec(rest) ?? /^([A-Za-z0-9_]+)/.exec(rest);
    if (!mm) { out += '$'; continue; }
    const name = mm[1]!;
    i += mm[0].length;
    if (/^\d+$/.test(name)) out += m[Number(name)] ?? '';
    else out += m.groups?.[name] ?? '';
  }
  return out;
}

function limitOperand(v: Value): number {
  const n = toDouble(v as Num);
  return n < 0 ? -1 : Math.floor(n);
}

/** Template delimiters split literal text (quoted) from embedded regular expressions. */
function templateRegex(template: string, open: string, close: string): string {
  let out = '^';
  let i = 0;
  while (i < template.length) {
    const a = template.indexOf(open, i);
    if (a < 0) { out += quoteMeta(template.slice(i)); break; }
    const b = template.indexOf(close, a + open.length);
    if (b < 0) throw builtinError('regex.template_match', `unbalanced braces in template ${JSON.stringify(template)}`);
    out += quoteMeta(template.slice(i, a)) + '(?:' + template.slice(a + open.length, b) + ')';
    i = b + close.length;
  }
  return out + '$';
}

export const impls: Record<string, BuiltinImpl> = withChecks(decls, {
  'regex.match': ([p, s]) => {
    const re = compile('regex.match', p as string, s as string);
    return re.test(s as string);
  },
  'regex.is_valid': ([p]) => {
    if (typeof p !== 'string') return false;
    try { compileRe2(p); return true; } catch { return false; }
  },
  'regex.split': ([p, s]) => {
    const str = s as string;
    const re = compile('regex.split', p as string, str, true);
    if (str === '') return [''];
    const out: string[] = [];
    let beg = 0, end = 0;
    for (const m of findAll(re, str, -1)) {
      end = m.index;
      const mend = m.index + m[0].length;
      if (mend !== 0) out.push(str.slice(beg, end));
      beg = mend;
    }
    if (end !== str.length) out.push(str.slice(beg));
    return out;
  },
  'regex.find_n': ([p, s, n]) => findAll(compile('regex.find_n', p as string, s as string, true), s as string, limitOperand(n!)).map(m => m[0]),
  'regex.find_all_string_submatch_n': ([p, s, n]) =>
    findAll(compile('regex.find_all_string_submatch_n', p as string, s as string, true), s as string, limitOperand(n!)).map(m => [...m].map(x => x ?? '')),
  'regex.replace': ([s, p, r]) => {
    const str = s as string, rep = r as string;
    const re = compile('regex.replace', p as string, str, true);
    let out = '', last = 0;
    for (const m of findAll(re, str, -1)) {
      out += str.slice(last, m.index) + expandReplacement(rep, m);
      last = m.index + m[0].length;
    }
    return out + str.slice(last);
  },
  'regex.template_match': ([t, s, open, close]) =>
    compile('regex.template_match', templateRegex(t as string, open as string, close as string), s as string).test(s as string),
  'regex.globs_match': ([a, b]) => globsIntersect(a as string, b as string),
});
