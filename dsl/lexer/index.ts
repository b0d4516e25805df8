/**
 * The .pol lexer: one shared chevrotain lexer instance. Besides the tokens it records, on each
 * token, whether a line break precedes it (`nl`): expressions in a body are separated by `;` or
 * by a line break, and a reference only continues with `.`/`[`/`(` written without whitespace.
 */
import { Lexer, type IToken } from 'chevrotain';
import { ALL_TOKENS } from './tokens.js';

export * as T from './tokens.js';

export interface PolToken extends IToken {
  /** True when a line break separates this token from the previous one (or from the start). */
  nl?: boolean;
}

export interface LexError { offset: number; line: number; col: number; length: number; char: string }

export interface LexResult {
  tokens: PolToken[];
  comments: IToken[];
  errors: LexError[];
}

let shared: Lexer | undefined;

function lexer(): Lexer {
  // Built on first use: construction validates every pattern, which costs a few milliseconds.
  shared ??= new Lexer(ALL_TOKENS, { positionTracking: 'full', ensureOptimizations: false });
  return shared;
}

export function lex(text: string): LexResult {
  const r = lexer().tokenize(text);
  const tokens = r.tokens as PolToken[];
  let prevEnd = 0;
  let nextNl = text.indexOf('\n');
  for (const t of tokens) {
    while (nextNl !== -1 && nextNl < prevEnd) nextNl = text.indexOf('\n', prevEnd);
    if (nextNl !== -1 && nextNl < t.startOffset) t.nl = true;
    prevEnd = (t.endOffset ?? t.startOffset) + 1;
  }
  const errors: LexError[] = r.errors.map(e => ({
    offset: e.offset,
    line: e.line ?? 0,
    col: e.column ?? 0,
    length: e.length,
    char: text.slice(e.offset, e.offset + e.length),
  }));
  return { tokens, comments: r.groups['comments'] ?? [], errors };
}
