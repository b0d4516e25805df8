/**
 * Go (RE2) regular expressions on JavaScript's engine. Patterns are translated once and cached:
 * RE2's inline flags, `\A`/`\z`, POSIX classes, `\Q…\E`, ASCII `\s`, and Go's `.` (anything but
 * `\n`) become their JS equivalents; what RE2 rejects (lookaround, backreferences) is rejected.
 * RE2 runs in linear time but JS backtracks, so patterns whose nested repetition can backtrack
 * exponentially are rejected instead of being allowed to hang evaluation.
 */
import { BoundedMap } from './bounded-map.js';

export class RegexSyntaxError extends Error {
  constructor(message: string) { super(message); this.name = 'RegexSyntaxError'; }
}

interface Flags { i: boolean; m: boolean; s: boolean; U: boolean }

/** Inclusive code point ranges; `undefined` stands for "unknown, assume anything". */
type CharSet = [number, number][] | undefined;

interface Atom {
  /** JS source of the atom. */
  src: string;
  /** Characters a single step of the atom can consume (for the backtracking check). */
  set: CharSet;
  /** Characters consumed by unbounded repetitions inside the atom; null when it has none. */
  rep: CharSet | null;
  /** Can match the empty string. */
  nullable: boolean;
  /** Character sets of the mandatory single-character atoms in sequence (for groups). */
  mandatory: CharSet[];
  /** The union of characters the atom can consume anywhere. */
  any: CharSet;
}

const MAX_REPEAT = 1000;
/**
 * Backtracking can cost up to n^d steps for d unbounded repetitions (plus one for an unanchored
 * search). Inputs longer than budget^(1/d) are refused for such patterns, so one call stays
 * around a second at worst; patterns with at most one factor of n are not limited.
 */
const BACKTRACK_BUDGET = 1e9;

export interface Translation {
  source: string;
  flags: string;
  /** Longest input this pattern may be run on (see BACKTRACK_BUDGET). */
  maxInput: number;
}
const ALL: [number, number][] = [[0, 0x10ffff]];

function unionSets(a: CharSet, b: CharSet): CharSet {
  if (a === undefined || b === undefined) return undefined;
  return [...a, ...b];
}
function disjoint(a: CharSet, b: CharSet): boolean {
  if (a === undefined || b === undefined) return false;
  for (const [x1, y1] of a) for (const [x2, y2] of b) if (x1 <= y2 && x2 <= y1) return false;
  return true;
}
function complement(a: [number, number][]): [number, number][] {
  const sorted = [...a].sort((p, q) => p[0] - q[0]);
  const out: [number, number][] = [];
  let next = 0;
  for (const [x, y] of sorted) {
    if (x > next) out.push([next, x - 1]);
    next = Math.max(next, y + 1);
  }
  if (next <= 0x10ffff) out.push([next, 0x10ffff]);
  return out;
}
function withCase(a: [number, number][]): [number, number][] {
  const out = [...a];
  for (const [x, y] of a) {
    const lo = Math.max(x, 0x41), hi = Math.min(y, 0x5a);
    if (lo <= hi) out.push([lo + 32, hi + 32]);
    const lo2 = Math.max(x, 0x61), hi2 = Math.min(y, 0x7a);
    if (lo2 <= hi2) out.push([lo2 - 32, hi2 - 32]);
  }
  return out;
}

const POSIX: Record<string, [number, number][]> = {
  alnum: [[0x30, 0x39], [0x41, 0x5a], [0x61, 0x7a]],
  alpha: [[0x41, 0x5a], [0x61, 0x7a]],
  ascii: [[0, 0x7f]],
  blank: [[0x09, 0x09], [0x20, 0x20]],
  cntrl: [[0, 0x1f], [0x7f, 0x7f]],
  digit: [[0x30, 0x39]],
  graph: [[0x21, 0x7e]],
  lower: [[0x61, 0x7a]],
  print: [[0x20, 0x7e]],
  punct: [[0x21, 0x2f], [0x3a, 0x40], [0x5b, 0x60], [0x7b, 0x7e]],
  space: [[0x09, 0x0d], [0x20, 0x20]],
  upper: [[0x41, 0x5a]],
  word: [[0x30, 0x39], [0x41, 0x5a], [0x61, 0x7a], [0x5f, 0x5f]],
  xdigit: [[0x30, 0x39], [0x41, 0x46], [0x61, 0x66]],
};
const PERL: Record<string, [number, number][]> = {
  d: POSIX.digit!, w: POSIX.word!, s: [[0x09, 0x0a], [0x0c, 0x0d], [0x20, 0x20]],
};
const GENERAL_CATEGORIES = new Set('L Lu Ll Lt Lm Lo M Mn Mc Me N Nd Nl No P Pc Pd Ps Pe Pi Pf Po S Sm Sc Sk So Z Zs Zl Zp C Cc Cf Cs Co Cn'.split(' '));

/**
 * A code point as a JS pattern character, escaped where it has meaning. Unicode-mode patterns
 * reject escapes of characters without meaning, so inside and outside a class differ.
 */
function lit(c: number, inClass = false): string {
  if (c < 0x20 || (c >= 0x7f && c <= 0xa0) || c === 0x2028 || c === 0x2029) return `\\u{${c.toString(16)}}`;
  const ch = String.fromCodePoint(c);
  return (inClass ? /[\\\]\[^-]/ : /[\\^$.*+?()[\]{}|/]/).test(ch) ? '\\' + ch : ch;
}
function rangesSrc(rs: [number, number][]): string {
  return rs.map(([x, y]) => (x === y ? lit(x, true) : `${lit(x, true)}-${lit(y, true)}`)).join('');
}

class Translator {
  private pos = 0;
  private groups = 0;
  /** Unbounded repetitions in the whole pattern: each can multiply backtracking work by n. */
  unboundedCount = 0;
  private readonly names = new Set<string>();
  constructor(private readonly p: string) {}

  private fail(msg: string): never {
    throw new RegexSyntaxError(`error parsing regexp: ${msg}: \`${this.p}\``);
  }

  translate(): Translation {
    const flags: Flags = { i: false, m: false, s: false, U: false };
    const a = this.alternation(flags, 0);
    if (this.pos < this.p.length) this.fail('unexpected )');
    // An unanchored search retries at every position: one more factor of n.
    const anchored = a.src.startsWith('^') || a.src.startsWith('(?<![^])');
    const degree = this.unboundedCount + (anchored ? 0 : 1);
    return { source: a.src, flags: 'u', maxInput: degree <= 1 ? Infinity : Math.floor(BACKTRACK_BUDGET ** (1 / degree)) };
  }

  private alternation(flags: Flags, depth: number): Atom {
    if (depth > 200) this.fail('expression nests too deeply');
    const alts: Atom[] = [this.sequence(flags, depth)];
    while (this.p[this.pos] === '|') {
      this.pos++;
      alts.push(this.sequence(flags, depth));
    }
    if (alts.length === 1) return alts[0]!;
    let any: CharSet = [];
    for (const a of alts) any = unionSets(any, a.any);
    return {
      src: alts.map(a => a.src).join('|'), set: any, any,
      rep: alts.reduce<CharSet | null>((acc, a) => unionRep(acc, a.rep), null), nullable: alts.some(a => a.nullable),
      // Only what every alternative requires would be mandatory; keep it simple and claim none.
      mandatory: [],
    };
  }

  private sequence(flags: Flags, depth: number): Atom {
    const parts: Atom[] = [];
    for (;;) {
      const c = this.p[this.pos];
      if (c === undefined || c === '|' || c === ')') break;
      // Inline flags change the rest of the enclosing group.
      if (c === '(' && this.p[this.pos + 1] === '?' && /^\(\?[imsU-]+\)/.test(this.p.slice(this.pos, this.pos + 12))) {
        const m = /^\(\?([imsU-]+)\)/.exec(this.p.slice(this.pos))!;
        this.applyFlags(flags, m[1]!);
        this.pos += m[0].length;
        continue;
      }
      const atom = this.atom(flags, depth);
      parts.push(this.quantified(atom, flags));
    }
    let any: CharSet = [];
    for (const a of parts) any = unionSets(any, a.any);
    const mandatory: CharSet[] = [];
    for (const a of parts) if (!a.nullable) { if (a.mandatory.length) mandatory.push(...a.mandatory); else if (a.rep === null) mandatory.push(a.set); }
    return {
      src: parts.map(a => a.src).join(''),
      set: parts.length === 1 ? parts[0]!.set : undefined,
      any, mandatory,
      rep: parts.reduce<CharSet | null>((acc, a) => unionRep(acc, a.rep), null),
      nullable: parts.every(a => a.nullable),
    };
  }

  private applyFlags(flags: Flags, spec: string): void {
    let on = true;
    let seen = false;
    for (const f of spec) {
      if (f === '-') { if (!on || (!seen && spec.length === 1)) this.fail(`invalid or unsupported Perl syntax: \`(?${spec}\``); on = false; continue; }
      seen = true;
      flags[f as keyof Flags] = on;
    }
  }

  private quantified(a: Atom, flags: Flags): Atom {
    const c = this.p[this.pos];
    let min: number, max: number;
    let q: string;
    if (c === '*' || c === '+' || c === '?') {
      this.pos++;
      q = c; min = c === '+' ? 1 : 0; max = c === '?' ? 1 : Infinity;
    } else if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(this.p.slice(this.pos));
      if (!m) return a; // a literal `{`, already handled by atom()
      min = Number(m[1]);
      max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
      if (min > MAX_REPEAT || (max !== Infinity && max > MAX_REPEAT) || max < min) this.fail(`invalid repeat count: \`${m[0]}\``);
      this.pos += m[0].length;
      q = m[0];
    } else {
      return a;
    }
    if (a.src === '') this.fail(`missing argument to repetition operator: \`${q}\``);
    let lazy = this.p[this.pos] === '?';
    if (lazy) this.pos++;
    const next = this.p[this.pos];
    if (next === '*' || next === '+' || next === '?' || (next === '{' && /^\{\d+(,\d*)?\}/.test(this.p.slice(this.pos)))) {
      this.fail(`invalid nested repetition operator: \`${q}${lazy ? '?' : ''}${next}\``);
    }
    if (flags.U) lazy = !lazy;
    if (max === Infinity) this.unboundedCount++;
    const repeats = max > 1;
    if (repeats && a.rep !== null) this.checkBacktracking(a);
    return {
      src: a.src + q + (lazy ? '?' : ''),
      set: a.any, any: a.any,
      rep: max === Infinity ? unionRep(a.rep, a.any) : a.rep,
      nullable: a.nullable || min === 0,
      mandatory: [],
    };
  }

  /**
   * A repeated sub-pattern that itself repeats without bound can split one input many ways
   * (`(a+)+`, `(a*b*)*`, `(.*x)*`) and backtrack exponentially. It is safe when the sub-pattern
   * requires a character its inner repetition cannot consume (`(\w+\.)*`), which pins each
   * iteration's end.
   */
  private checkBacktracking(a: Atom): void {
    for (const m of a.mandatory) if (disjoint(m, a.rep ?? [])) return;
    this.fail('pattern may backtrack catastrophically (nested repetition); rewrite it without repeating a repetition');
  }

  private atom(flags: Flags, depth: number): Atom {
    const p = this.p;
    const c = p[this.pos]!;
    switch (c) {
      case '(': return this.group(flags, depth);
      case '[': return this.charClass(flags);
      case '.': {
        this.pos++;
        const set: [number, number][] = flags.s ? ALL : complement([[10, 10]]);
        return single(flags.s ? '[^]' : '[^\\n]', set);
      }
      case '^': this.pos++; return zeroWidth(flags.m ? '(?<=^|\\n)' : '^');
      case '$': this.pos++; return zeroWidth(flags.m ? '(?=\\n|$)' : '(?![^])');
      case '\\': return this.escape(flags);
      case '*': case '+': case '?': this.fail(`missing argument to repetition operator: \`${c}\``);
      // eslint-disable-next-line no-fallthrough
      case '{': {
        if (/^\{\d+(,\d*)?\}/.test(p.slice(this.pos))) this.fail(`missing argument to repetition operator: \`${/^\{[^}]*\}/.exec(p.slice(this.pos))![0]}\``);
        this.pos++;
        return single('\\{', [[0x7b, 0x7b]]);
      }
      default: {
        const cp = p.codePointAt(this.pos)!;
        this.pos += cp > 0xffff ? 2 : 1;
        return this.literal(cp, flags);
      }
    }
  }

  private literal(cp: number, flags: Flags): Atom {
    if (flags.i) {
      const ch = String.fromCodePoint(cp);
      const lo = ch.toLowerCase(), up = ch.toUpperCase();
      if (lo !== up && [...lo].length === 1 && [...up].length === 1) {
        const set: [number, number][] = [[lo.codePointAt(0)!, lo.codePointAt(0)!], [up.codePointAt(0)!, up.codePointAt(0)!]];
        return single(`[${lit(set[0]![0], true)}${lit(set[1]![0], true)}]`, set);
      }
    }
    return single(lit(cp), [[cp, cp]]);
  }

  private group(flags: Flags, depth: number): Atom {
    const p = this.p;
    this.pos++;
    let open = '(';
    const inner: Flags = { ...flags };
    if (p[this.pos] === '?') {
      const rest = p.slice(this.pos);
      let m: RegExpExecArray | null;
      if ((m = /^\?P?<([A-Za-z0-9_]+)>/.exec(rest))) {
        const name = m[1]!;
        if (!/^[A-Za-z_]/.test(name)) this.fail(`invalid named capture: \`(${m[0]}\``);
        if (this.names.has(name)) this.fail(`duplicate capture group name: \`${name}\``);
        this.names.add(name);
        this.groups++;
        open = `(?<${name}>`;
        this.pos += m[0].length;
      } else if ((m = /^\?([imsU-]*):/.exec(rest))) {
        if (m[1]) this.applyFlags(inner, m[1]);
        open = '(?:';
        this.pos += m[0].length;
      } else {
        this.fail(`invalid or unsupported Perl syntax: \`(${rest.slice(0, 2)}\``);
      }
    } else {
      this.groups++;
    }
    const body = this.alternation(inner, depth + 1);
    if (p[this.pos] !== ')') this.fail('missing closing )');
    this.pos++;
    return { ...body, src: open + body.src + ')', set: body.any };
  }

  private escape(flags: Flags): Atom {
    const p = this.p;
    const e = p[this.pos + 1];
    if (e === undefined) this.fail('trailing backslash at end of expression');
    this.pos += 2;
    switch (e) {
      case 'A': return zeroWidth('(?<![^])');
      case 'z': return zeroWidth('(?![^])');
      case 'b': return zeroWidth('\\b');
      case 'B': return zeroWidth('\\B');
      case 'Q': {
        const end = p.indexOf('\\E', this.pos);
        const text = end < 0 ? p.slice(this.pos) : p.slice(this.pos, end);
        this.pos = end < 0 ? p.length : end + 2;
        const atoms = [...text].map(ch => this.literal(ch.codePointAt(0)!, flags));
        return {
          src: atoms.length === 1 ? atoms[0]!.src : `(?:${atoms.map(a => a.src).join('')})`,
          set: atoms.length === 1 ? atoms[0]!.set : undefined,
          any: atoms.reduce<CharSet>((acc, a) => unionSets(acc, a.set), []),
          rep: null, nullable: atoms.length === 0, mandatory: atoms.map(a => a.set),
        };
      }
      case 'd': case 'w': case 's': {
        const set = PERL[e]!;
        return single(`[${rangesSrc(set)}]`, set);
      }
      case 'D': case 'W': case 'S': {
        const set = PERL[e.toLowerCase()]!;
        return single(`[^${rangesSrc(set)}]`, complement(set));
      }
      case 'p': case 'P': {
        const src = this.unicodeClass(e === 'P');
        return single(src, undefined);
      }
      default: {
        this.pos -= 2;
        const cp = this.escapedChar();
        return this.literal(cp, flags);
      }
    }
  }

  /** `\pL`, `\p{Greek}`, `\PL` → JS property escapes. */
  private unicodeClass(negated: boolean): string {
    const p = this.p;
    let name: string;
    if (p[this.pos] === '{') {
      const end = p.indexOf('}', this.pos);
      if (end < 0) this.fail('invalid character class range');
      name = p.slice(this.pos + 1, end);
      this.pos = end + 1;
    } else {
      name = p[this.pos] ?? '';
      this.pos++;
    }
    if (name.startsWith('^')) { negated = !negated; name = name.slice(1); }
    if (!/^[A-Za-z_]+$/.test(name)) this.fail(`invalid character class range: \`${name}\``);
    const prop = name === 'Any' ? undefined : GENERAL_CATEGORIES.has(name) ? name : `Script=${name}`;
    if (prop === undefined) return negated ? '[^\\s\\S]' : '[\\s\\S]';
    try { new RegExp(`\\p{${prop}}`, 'u'); } catch { this.fail(`invalid character class range: \`\\p{${name}}\``); }
    return `\\${negated ? 'P' : 'p'}{${prop}}`;
  }

  /** One escaped character (at `\`): control escapes, hex, octal, escaped punctuation. */
  private escapedChar(): number {
    const p = this.p;
    const e = p[this.pos + 1]!;
    this.pos += 2;
    switch (e) {
      case 'a': return 7;
      case 'f': return 12;
      case 't': return 9;
      case 'n': return 10;
      case 'r': return 13;
      case 'v': return 11;
      case 'x': {
        if (p[this.pos] === '{') {
          const end = p.indexOf('}', this.pos);
          const hex = end < 0 ? '' : p.slice(this.pos + 1, end);
          if (!/^[0-9A-Fa-f]{1,6}$/.test(hex) || parseInt(hex, 16) > 0x10ffff) this.fail('invalid escape sequence: `\\x{`');
          this.pos = end + 1;
          return parseInt(hex, 16);
        }
        const hex = p.slice(this.pos, this.pos + 2);
        if (!/^[0-9A-Fa-f]{2}$/.test(hex)) this.fail('invalid escape sequence: `\\x`');
        this.pos += 2;
        return parseInt(hex, 16);
      }
      case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7': {
        const m = /^[0-7]{0,2}/.exec(p.slice(this.pos))![0];
        if (e !== '0' && m.length < 2) this.fail(`invalid escape sequence: \`\\${e}\``);
        this.pos += m.length;
        return parseInt(e + m, 8);
      }
      default:
        if (/[!-/:-@[-`{-~]/.test(e)) return e.charCodeAt(0);
        return this.fail(`invalid escape sequence: \`\\${e}\``);
    }
  }

  /** `[...]` with Go's rules (`]` first is literal, POSIX classes, Perl classes) rebuilt for JS. */
  private charClass(flags: Flags): Atom {
    const p = this.p;
    const start = this.pos;
    this.pos++;
    let negated = false;
    if (p[this.pos] === '^') { negated = true; this.pos++; }
    const ranges: [number, number][] = [];
    const extra: string[] = [];
    let first = true;
    for (;;) {
      if (this.pos >= p.length) this.fail(`missing closing ]: \`${p.slice(start)}\``);
      const c = p[this.pos]!;
      if (c === ']' && !first) { this.pos++; break; }
      first = false;
      if (c === '[' && p[this.pos + 1] === ':') {
        const m = /^\[:(\^?)([a-z]+):\]/.exec(p.slice(this.pos));
        if (m) {
          const set = POSIX[m[2]!];
          if (!set) this.fail(`invalid character class range: \`${m[0]}\``);
          ranges.push(...(m[1] ? complement(set) : set));
          this.pos += m[0].length;
          continue;
        }
      }
      if (c === '\\') {
        const e = p[this.pos + 1];
        if (e === 'd' || e === 'w' || e === 's') { ranges.push(...PERL[e]!); this.pos += 2; continue; }
        if (e === 'D' || e === 'W' || e === 'S') { ranges.push(...complement(PERL[e.toLowerCase()]!)); this.pos += 2; continue; }
        if (e === 'p' || e === 'P') { this.pos += 2; extra.push(this.unicodeClass(e === 'P')); continue; }
      }
      const lo = this.classChar();
      if (p[this.pos] === '-' && p[this.pos + 1] !== ']' && this.pos + 1 < p.length) {
        this.pos++;
        const hi = this.classChar();
        if (hi < lo) this.fail(`invalid character class range: \`${String.fromCodePoint(lo)}-${String.fromCodePoint(hi)}\``);
        ranges.push([lo, hi]);
      } else {
        ranges.push([lo, lo]);
      }
    }
    const cased = flags.i ? withCase(ranges) : ranges;
    const body = rangesSrc(cased) + extra.join('');
    const src = body === '' ? (negated ? '[^]' : '[]') : `[${negated ? '^' : ''}${body}]`;
    const set: CharSet = extra.length ? undefined : negated ? complement(cased) : cased;
    return single(src, set);
  }

  private classChar(): number {
    if (this.p[this.pos] === '\\') return this.escapedChar();
    const cp = this.p.codePointAt(this.pos)!;
    this.pos += cp > 0xffff ? 2 : 1;
    return cp;
  }
}

function single(src: string, set: CharSet): Atom {
  return { src, set, any: set, rep: null, nullable: false, mandatory: [set] };
}
function zeroWidth(src: string): Atom {
  return { src, set: [], any: [], rep: null, nullable: true, mandatory: [] };
}
function unionRep(a: CharSet | null, b: CharSet | null): CharSet | null {
  if (a === null) return b;
  if (b === null) return a;
  return unionSets(a, b);
}

/** Translates a Go regular expression to a JS `RegExp` source and flags; throws `RegexSyntaxError`. */
export function translateRe2(pattern: string): Translation {
  return new Translator(pattern).translate();
}

/** Compiled patterns, one cache per flag set so a lookup needs no key building. */
const plainCache = new BoundedMap<string, RegExp | RegexSyntaxError>(1000);
const globalCache = new BoundedMap<string, RegExp | RegexSyntaxError>(1000);

/**
 * A compiled Go regular expression (cached). `global` variants are cached separately; callers
 * of a global one must reset `lastIndex` before use.
 */
export function compileRe2(pattern: string, global = false): RegExp {
  const cache = global ? globalCache : plainCache;
  let r = cache.get(pattern);
  if (r === undefined) {
    try {
      const { source, flags, maxInput } = translateRe2(pattern);
      r = new RegExp(source, flags + (global ? 'g' : ''));
      if (maxInput !== Infinity) inputLimits.set(r, maxInput);
    } catch (e) {
      r = e instanceof RegexSyntaxError ? e : new RegexSyntaxError(`error parsing regexp: ${(e as Error).message}`);
    }
    cache.set(pattern, r);
  }
  if (r instanceof RegexSyntaxError) throw r;
  return r;
}

const inputLimits = new WeakMap<RegExp, number>();

/** Longest input a compiled pattern may be run on; Infinity for patterns that cannot blow up. */
export function maxInputLength(re: RegExp): number {
  return inputLimits.get(re) ?? Infinity;
}

/** Go's regexp.QuoteMeta. */
export function quoteMeta(s: string): string {
  return s.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&');
}
