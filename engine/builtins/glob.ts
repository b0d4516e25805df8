/** Glob matching (gobwas/glob notation, as OPA uses it), compiled to cached regular expressions. */
import { LRUCache } from 'lru-cache';
import { decls } from '../../dsl/builtins/decls/glob.js';
import type { Value } from '../value.js';
import { builtinError, withChecks } from './check.js';
import type { BuiltinImpl } from './types.js';

const cache = new LRUCache<string, RegExp | Error>({ max: 1000 });

const escapeRe = (ch: string): string => (/[\\^$.*+?()[\]{}|/-]/.test(ch) ? '\\' + ch : ch);

/** Translates a glob to a JS regular expression source; throws on malformed patterns. */
export function globToRegex(pattern: string, delimiters: readonly string[]): string {
  const cs = [...pattern];
  const notDelim = delimiters.length ? `[^${delimiters.map(d => [...d].map(escapeRe).join('')).join('')}]` : '[^]';
  let out = '';
  let depth = 0;
  for (let i = 0; i < cs.length; i++) {
    const c = cs[i]!;
    switch (c) {
      case '*':
        if (cs[i + 1] === '*') {
          while (cs[i + 1] === '*') i++;
          out += '[^]*';
        } else {
          out += notDelim + '*';
        }
        break;
      case '?': out += notDelim; break;
      case '\\': {
        const e = cs[++i];
        if (e === undefined) throw new Error('unexpected end of pattern after escape');
        out += escapeRe(e);
        break;
      }
      case '[': {
        let j = i + 1;
        let neg = false;
        if (cs[j] === '!') { neg = true; j++; }
        let body = '';
        for (; j < cs.length && cs[j] !== ']'; j++) {
          const lo = cs[j]!;
          if (cs[j + 1] === '-' && j + 2 < cs.length && cs[j + 2] !== ']') {
            const hi = cs[j + 2]!;
            if (hi < lo) throw new Error(`invalid range ${lo}-${hi}`);
            body += escapeRe(lo) + '-' + escapeRe(hi);
            j += 2;
          } else {
            body += escapeRe(lo);
          }
        }
        if (j >= cs.length) throw new Error('unexpected end of pattern: unclosed [');
        out += body === '' ? (neg ? '[^]' : '[]') : `[${neg ? '^' : ''}${body}]`;
        i = j;
        break;
      }
      case '{': depth++; out += '(?:'; break;
      case '}':
        if (depth === 0) { out += '\\}'; break; }
        depth--; out += ')';
        break;
      case ',': out += depth > 0 ? '|' : ','; break;
      default: out += escapeRe(c);
    }
  }
  if (depth > 0) throw new Error('unexpected end of pattern: unclosed {');
  return '^' + out + '$';
}

function compiled(pattern: string, delimiters: readonly string[]): RegExp {
  const key = delimiters.join('\u0000') + '\u0001' + pattern;
  let r = cache.get(key);
  if (r === undefined) {
    try { r = new RegExp(globToRegex(pattern, delimiters), 'u'); } catch (e) { r = e as Error; }
    cache.set(key, r);
  }
  if (r instanceof Error) throw builtinError('glob.match', r.message);
  return r;
}

const DEFAULT_DELIMITERS = ['.'];

export const impls: Record<string, BuiltinImpl> = withChecks(decls, {
  'glob.match': ([p, d, s]) => {
    const delims = d === null ? [] : (d as Value[]).length === 0 ? DEFAULT_DELIMITERS : d as string[];
    return compiled(p as string, delims).test(s as string);
  },
  'glob.quote_meta': ([p]) => (p as string).replace(/[*?\\[\]{}]/g, '\\$&'),
});
