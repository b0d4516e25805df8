/**
 * Splits a module's token stream into top-level statements and checks bracket balance, pulling
 * tokens from the scanner so each statement can be parsed (and its tokens dropped) before the
 * next is scanned.
 *
 * A statement starts on a new line at bracket depth 0, unless the previous line ends with a token
 * that needs more (`:=`, `,`, an operator...) or the new line starts with a token that cannot begin
 * a statement (`else`, `if`, `{`, an operator...). When a bracket is left open, a second pass
 * (`resync`) also starts a statement at any line that begins in column 1 with what looks like a
 * rule head, so the rules after the mistake are still checked.
 */
import type { IToken, TokenType } from 'chevrotain';
import type { PolToken, Scanner } from '../lexer/index.js';
import * as T from '../lexer/tokens.js';
import { MSG, type Msg } from './messages.js';

/** Bracket nesting beyond this is rejected before parsing, so hostile input cannot exhaust the stack. */
export const MAX_NESTING = 500;

export const OPEN = new Set<TokenType>([T.LBrack, T.LBrace, T.LParen]);
export const CLOSE = new Map<TokenType, string>([[T.RBrack, '['], [T.RBrace, '{'], [T.RParen, '(']]);

/** Tokens that cannot end a statement: what follows them on the next line belongs to it. */
export const NEEDS_MORE = new Set<TokenType>([
  T.Assign, T.Unify, T.Comma, T.Colon, T.Dot, T.If, T.Else, T.Contains, T.Not, T.Default,
  T.Package, T.Import, T.As, T.With, T.Some, T.Every, T.In,
  T.EqEq, T.Neq, T.Lt, T.Lte, T.Gt, T.Gte, T.Plus, T.Minus, T.Star, T.Slash, T.Percent, T.Bar, T.Amp,
]);
/** Tokens that cannot start a statement: a line starting with one continues the previous statement. */
export const CONTINUES = new Set<TokenType>([
  T.Assign, T.Unify, T.Comma, T.Colon, T.Dot, T.If, T.Else, T.Contains, T.As, T.With, T.In, T.LBrace,
  T.EqEq, T.Neq, T.Lt, T.Lte, T.Gt, T.Gte, T.Plus, T.Minus, T.Star, T.Slash, T.Percent, T.Bar, T.Amp,
]);
/** The sets above by tokenTypeIdx, for the per-token checks of the splitter. */
function byIdx(types: Iterable<TokenType>): Uint8Array {
  const out = new Uint8Array(Math.max(...T.ALL_TOKENS.map(t => t.tokenTypeIdx!)) + 2);
  for (const t of types) out[t.tokenTypeIdx!] = 1;
  return out;
}
const IS_OPEN = byIdx(OPEN);
const IS_CLOSE = byIdx(CLOSE.keys());
const IS_NEEDS_MORE = byIdx(NEEDS_MORE);
const IS_CONTINUES = byIdx(CONTINUES);
const HEAD_FOLLOWERS = new Set<TokenType>([T.Assign, T.Unify, T.If, T.Contains, T.LBrack, T.LParen, T.Dot, T.LBrace]);
const KEYWORDS = new Set<TokenType>(T.KEYWORD_TOKENS);

export interface Chunk { tokens: PolToken[]; bad: boolean }

export interface SplitOptions {
  /** Queries and terms: one chunk, no statement splitting. */
  whole: boolean;
  /** Second pass after an unclosed bracket: resynchronise at likely statement starts. */
  resync: boolean;
  /** First pass of a module: on an unclosed bracket, hold back the last chunk for a resync pass. */
  deferUnclosed: boolean;
}

/** A keyword used as a name: directly followed by `.` or `[`. */
export function isKeywordRef(t: IToken, next: IToken | undefined): boolean {
  return KEYWORDS.has(t.tokenType) && !!next && (next.tokenType === T.Dot || next.tokenType === T.LBrack)
    && next.startOffset === (t.endOffset ?? t.startOffset) + 1;
}

export function looksLikeStatement(t: IToken, next: IToken | undefined): boolean {
  const type = t.tokenType;
  if (type === T.Default || type === T.Import || type === T.Package) return true;
  return (type === T.Ident || isKeywordRef(t, next)) && !!next && HEAD_FOLLOWERS.has(next.tokenType);
}

function findOpener(stack: IToken[], want: string): number {
  for (let i = stack.length - 1; i >= 0; i--) if (stack[i]!.image === want) return i;
  return -1;
}

export class Splitter {
  /** Set when the input ended inside brackets and the last chunk was held back (`deferUnclosed`). */
  deferred: PolToken | undefined;

  constructor(
    private readonly scanner: Scanner,
    private readonly report: (t: IToken, m: Msg) => void,
    private readonly opts: SplitOptions,
  ) {}

  *chunks(): Generator<Chunk> {
    const { whole, resync } = this.opts;
    let cur: Chunk = { tokens: [], bad: false };
    const stack: IToken[] = [];
    let prev: PolToken | undefined;
    let prevIsName = false;
    for (let t = this.scanner.next(); t; t = this.scanner.next()) {
      const type = t.tokenType;
      const idx = t.tokenTypeIdx;
      if (!whole && t.nl && prev && cur.tokens.length && (prevIsName || !IS_NEEDS_MORE[prev.tokenTypeIdx])) {
        if (stack.length === 0 && !(IS_CONTINUES[idx] && !isKeywordRef(t, this.scanner.peek()))) {
          yield cur;
          cur = { tokens: [], bad: false };
        } else if (resync && stack.length && t.startColumn === 1 && looksLikeStatement(t, this.scanner.peek())) {
          const open = stack[stack.length - 1]!;
          this.report(open, MSG.unmatchedOpen(open.image));
          cur.bad = true;
          stack.length = 0;
          yield cur;
          cur = { tokens: [], bad: false };
        }
      }
      if (IS_OPEN[idx]) {
        stack.push(t);
        if (stack.length > MAX_NESTING) {
          if (!cur.bad) this.report(t, MSG.tooDeep());
          cur.bad = true;
        }
      } else if (IS_CLOSE[idx]) {
        const at = findOpener(stack, CLOSE.get(type)!);
        if (at < 0) {
          this.report(t, MSG.unmatchedClose(t.image));
          cur.bad = true;
          prevIsName = false;
          prev = t;
          continue;
        }
        if (at !== stack.length - 1) {
          const inner = stack[stack.length - 1]!;
          this.report(inner, MSG.unmatchedOpen(inner.image));
          cur.bad = true;
        }
        stack.length = at;
      }
      cur.tokens.push(t);
      // A keyword after `.` is a name (`package foo.as`), so it does not ask for a continuation.
      prevIsName = prev !== undefined && prev.tokenType === T.Dot;
      prev = t;
    }
    if (stack.length) {
      if (this.opts.deferUnclosed && cur.tokens.length) {
        this.deferred = cur.tokens[0];
        return;
      }
      const open = stack[stack.length - 1]!;
      this.report(open, MSG.unmatchedOpen(open.image));
      cur.bad = true;
    }
    if (cur.tokens.length) yield cur;
  }
}
