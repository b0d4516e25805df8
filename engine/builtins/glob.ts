/** Glob matching (gobwas/glob notation, as OPA uses it), compiled to cached regular expressions. */
import { BoundedMap } from './bounded-map.js';
import { decls } from '../../dsl/builtins/decls/glob.js';
import type { Value } from '../value.js';
import { builtinError, withChecks } from './check.js';
import type { BuiltinImpl } from './types.js';

/** Compiled globs by delimiter set, then pattern: a hit builds no key for the usual 0–1 delimiters. */
const caches = new BoundedMap<string, BoundedMap<string, RegExp | GlobAutomaton | Error>>(64);

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

/** A compiled glob: a regular expression for simple patterns, an automaton otherwise. */
type Matcher = { test(s: string): boolean };

/**
 * Globs with two or more `*` make a backtracking regular expression polynomial in the input
 * length (`*a*b*c` on a long string without `c`); those run on a state-set automaton instead,
 * which is linear in input length times pattern length whatever the input.
 */
function compiled(pattern: string, delimiters: readonly string[]): Matcher {
  const dkey = delimiters.length === 0 ? '' : delimiters.length === 1 ? delimiters[0]! : delimiters.join('\u0000');
  let cache = caches.get(dkey);
  if (!cache) { cache = new BoundedMap(1000); caches.set(dkey, cache); }
  let r = cache.get(pattern);
  if (r === undefined) {
    try {
      const source = globToRegex(pattern, delimiters);
      const stars = (pattern.match(/(?<!\\)\*+/g) ?? []).length;
      r = stars >= 2 ? new GlobAutomaton(pattern, delimiters) : new RegExp(source, 'u');
    } catch (e) { r = e as Error; }
    cache.set(pattern, r);
  }
  if (r instanceof Error) throw builtinError('glob.match', r.message);
  return r;
}

/** Thompson-style automaton for a glob (states: single characters, stars, alternations). */
export class GlobAutomaton implements Matcher {
  /** Per state: kind 0 = consume one char then go to next, 1 = star (loop or skip), 2 = split, 3 = accept. */
  private readonly kind: number[] = [];
  private readonly test1: ((cp: number) => boolean)[] = [];
  private readonly next: number[] = [];
  private readonly alts: number[][] = [];
  private readonly start: number;

  constructor(pattern: string, delimiters: readonly string[]) {
    const delims = new Set(delimiters.flatMap(d => [...d].map(c => c.codePointAt(0)!)));
    const notDelim = (cp: number) => !delims.has(cp);
    const any = () => true;
    const cs = [...pattern];
    let i = 0;
    const add = (kind: number, test: (cp: number) => boolean = any): number => {
      this.kind.push(kind); this.test1.push(test); this.next.push(-1); this.alts.push([]);
      return this.kind.length - 1;
    };
    // Builds the sequence up to `,` or `}` (inside braces) or the end; returns [entry, exits].
    const seq = (inBraces: boolean): [number, number[]] => {
      const entry = add(2);
      let tails = [entry];
      const link = (to: number) => { for (const t of tails) { if (this.kind[t] === 2) this.alts[t]!.push(to); else this.next[t] = to; } };
      while (i < cs.length) {
        const c = cs[i]!;
        if (inBraces && (c === ',' || c === '}')) break;
        i++;
        let st: number;
        if (c === '*') {
          let crosses = false;
          while (cs[i] === '*') { i++; crosses = true; }
          st = add(1, crosses ? any : notDelim);
        } else if (c === '?') {
          st = add(0, notDelim);
        } else if (c === '\\') {
          const e = cs[i++]!.codePointAt(0)!;
          st = add(0, cp => cp === e);
        } else if (c === '[') {
          let j = i, neg = false;
          if (cs[j] === '!') { neg = true; j++; }
          const ranges: [number, number][] = [];
          for (; cs[j] !== ']'; j++) {
            const lo = cs[j]!.codePointAt(0)!;
            if (cs[j + 1] === '-' && cs[j + 2] !== undefined && cs[j + 2] !== ']') { ranges.push([lo, cs[j + 2]!.codePointAt(0)!]); j += 2; }
            else ranges.push([lo, lo]);
          }
          i = j + 1;
          st = add(0, cp => ranges.some(([a, b]) => cp >= a && cp <= b) !== neg);
        } else if (c === '{') {
          const split = add(2);
          const exits: number[] = [];
          for (;;) {
            const [e, x] = seq(true);
            this.alts[split]!.push(e);
            exits.push(...x);
            if (cs[i] === ',') { i++; continue; }
            i++; // '}'
            break;
          }
          link(split);
          tails = exits;
          continue;
        } else {
          const cp = c.codePointAt(0)!;
          st = add(0, x => x === cp);
        }
        link(st);
        tails = [st];
      }
      return [entry, tails];
    };
    const [entry, tails] = seq(false);
    const accept = add(3);
    for (const t of tails) { if (this.kind[t] === 2) this.alts[t]!.push(accept); else this.next[t] = accept; }
    this.start = entry;
  }

  /** Adds `s` and everything reachable from it without consuming input. */
  private close(s: number, into: Set<number>): void {
    if (s < 0 || into.has(s)) return;
    into.add(s);
    const k = this.kind[s]!;
    if (k === 2) for (const a of this.alts[s]!) this.close(a, into);
    else if (k === 1) this.close(this.next[s]!, into);
  }

  test(input: string): boolean {
    let cur = new Set<number>();
    this.close(this.start, cur);
    for (const ch of input) {
      const cp = ch.codePointAt(0)!;
      const nxt = new Set<number>();
      for (const s of cur) {
        const k = this.kind[s]!;
        if (k === 0 && this.test1[s]!(cp)) this.close(this.next[s]!, nxt);
        else if (k === 1 && this.test1[s]!(cp)) this.close(s, nxt);
      }
      if (nxt.size === 0) return false;
      cur = nxt;
    }
    for (const s of cur) if (this.kind[s] === 3) return true;
    return false;
  }
}

const DEFAULT_DELIMITERS = ['.'];

export const impls: Record<string, BuiltinImpl> = withChecks(decls, {
  'glob.match': ([p, d, s]) => {
    const delims = d === null ? [] : (d as Value[]).length === 0 ? DEFAULT_DELIMITERS : d as string[];
    return compiled(p as string, delims).test(s as string);
  },
  'glob.quote_meta': ([p]) => (p as string).replace(/[*?\\[\]{}]/g, '\\$&'),
});
