/**
 * The .pol lexer: a hand-written scanner producing chevrotain tokens (the token types in
 * tokens.ts are the parser's vocabulary). It is several times faster than a regex-driven lexer
 * and allocates one object per token, which matters for policies with thousands of rules.
 *
 * Besides the tokens it records, on each token, whether a line break precedes it (`nl`):
 * expressions in a body are separated by `;` or by a line break.
 */
import type { IToken, TokenType } from 'chevrotain';
import * as T from './tokens.js';

export interface PolToken extends IToken {
  /** True when a line break separates this token from the previous one. */
  nl: boolean;
}

export interface LexError { offset: number; line: number; col: number; length: number; char: string }

export interface LexResult {
  tokens: PolToken[];
  comments: PolToken[];
  errors: LexError[];
}

const KEYWORDS = new Map<string, TokenType>(T.KEYWORD_TOKENS.map(t => [String(t.PATTERN).slice(1, -1), t]));

const SINGLE = new Map<number, TokenType>([
  [0x2b, T.Plus], [0x2d, T.Minus], [0x2a, T.Star], [0x2f, T.Slash], [0x25, T.Percent], [0x7c, T.Bar],
  [0x26, T.Amp], [0x2c, T.Comma], [0x3b, T.Semi], [0x2e, T.Dot], [0x28, T.LParen], [0x29, T.RParen],
  [0x5b, T.LBrack], [0x5d, T.RBrack], [0x7b, T.LBrace], [0x7d, T.RBrace], [0x24, T.Dollar],
]);

/** Token types whose text is always the same. */
const FIXED_IMAGE = new Map<TokenType, string>([
  ...[...KEYWORDS].map(([word, type]) => [type, word] as [TokenType, string]),
  ...[...SINGLE].map(([code, type]) => [type, String.fromCharCode(code)] as [TokenType, string]),
  [T.Assign, ':='], [T.Colon, ':'], [T.EqEq, '=='], [T.Unify, '='], [T.Neq, '!='],
  [T.Lte, '<='], [T.Lt, '<'], [T.Gte, '>='], [T.Gt, '>'],
]);

const isIdentStart = (c: number) => (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f;
const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
const isIdentPart = (c: number) => isIdentStart(c) || isDigit(c);
const isSpace = (c: number) => c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a || c === 0x0c || c === 0x0b || c === 0xa0 || c === 0xfeff;

export function lex(text: string): LexResult {
  const tokens: PolToken[] = [];
  const comments: PolToken[] = [];
  const errors: LexError[] = [];
  const n = text.length;
  let i = 0;
  let line = 1;
  let lineStart = 0;
  let nl = false;

  // Tokens of large files are retained for the whole parse: keep them small (no end line/column,
  // shared image strings for keywords and punctuation) to spare the garbage collector.
  const push = (list: PolToken[], type: TokenType, start: number, end: number, startLine: number, startCol: number) => {
    list.push({
      image: FIXED_IMAGE.get(type) ?? text.slice(start, end),
      startOffset: start,
      endOffset: end - 1,
      startLine,
      startColumn: startCol,
      tokenTypeIdx: type.tokenTypeIdx!,
      tokenType: type,
      nl,
    });
    nl = false;
  };

  while (i < n) {
    const c = text.charCodeAt(i);
    if (isSpace(c)) {
      if (c === 0x0a) { nl = true; line++; lineStart = i + 1; }
      i++;
      continue;
    }
    const start = i;
    const col = i - lineStart + 1;
    if (isIdentStart(c)) {
      i++;
      while (i < n && isIdentPart(text.charCodeAt(i))) i++;
      const word = text.slice(start, i);
      push(tokens, KEYWORDS.get(word) ?? T.Ident, start, i, line, col);
      continue;
    }
    if (isDigit(c)) {
      i++;
      while (i < n && isDigit(text.charCodeAt(i))) i++;
      if (text.charCodeAt(i) === 0x2e && isDigit(text.charCodeAt(i + 1))) {
        i += 2;
        while (i < n && isDigit(text.charCodeAt(i))) i++;
      }
      const e = text.charCodeAt(i);
      if (e === 0x65 || e === 0x45) {
        let j = i + 1;
        const s = text.charCodeAt(j);
        if (s === 0x2b || s === 0x2d) j++;
        if (isDigit(text.charCodeAt(j))) {
          i = j + 1;
          while (i < n && isDigit(text.charCodeAt(i))) i++;
        }
      }
      push(tokens, T.NumberLit, start, i, line, col);
      continue;
    }
    switch (c) {
      case 0x22: { // "
        i++;
        let closed = false;
        while (i < n) {
          const d = text.charCodeAt(i);
          if (d === 0x22) { i++; closed = true; break; }
          if (d === 0x0a || d === 0x0d) break;
          if (d === 0x5c) {
            const e = text.charCodeAt(i + 1);
            if (i + 1 >= n || e === 0x0a || e === 0x0d) { i++; break; }
            i += 2;
            continue;
          }
          i++;
        }
        push(tokens, closed ? T.StringLit : T.UnterminatedString, start, i, line, col);
        continue;
      }
      case 0x60: { // `
        const startLine = line;
        i++;
        let closed = false;
        while (i < n) {
          const d = text.charCodeAt(i);
          i++;
          if (d === 0x60) { closed = true; break; }
          if (d === 0x0a) { line++; lineStart = i; }
        }
        push(tokens, closed ? T.RawString : T.UnterminatedRawString, start, i, startLine, col);
        continue;
      }
      case 0x23: { // #
        while (i < n) {
          const d = text.charCodeAt(i);
          if (d === 0x0a || d === 0x0d) break;
          i++;
        }
        const keep: boolean = nl;
        push(comments, T.Comment, start, i, line, col);
        nl = keep;
        continue;
      }
      case 0x3a: // : :=
        if (text.charCodeAt(i + 1) === 0x3d) { i += 2; push(tokens, T.Assign, start, i, line, col); }
        else { i++; push(tokens, T.Colon, start, i, line, col); }
        continue;
      case 0x3d: // = ==
        if (text.charCodeAt(i + 1) === 0x3d) { i += 2; push(tokens, T.EqEq, start, i, line, col); }
        else { i++; push(tokens, T.Unify, start, i, line, col); }
        continue;
      case 0x3c: // < <=
        if (text.charCodeAt(i + 1) === 0x3d) { i += 2; push(tokens, T.Lte, start, i, line, col); }
        else { i++; push(tokens, T.Lt, start, i, line, col); }
        continue;
      case 0x3e: // > >=
        if (text.charCodeAt(i + 1) === 0x3d) { i += 2; push(tokens, T.Gte, start, i, line, col); }
        else { i++; push(tokens, T.Gt, start, i, line, col); }
        continue;
      case 0x21: // !=
        if (text.charCodeAt(i + 1) === 0x3d) { i += 2; push(tokens, T.Neq, start, i, line, col); continue; }
        break;
      default: {
        const single = SINGLE.get(c);
        if (single) { i++; push(tokens, single, start, i, line, col); continue; }
      }
    }
    // Unknown characters: one error per run.
    i++;
    while (i < n) {
      const d = text.charCodeAt(i);
      if (isSpace(d) || isIdentPart(d) || SINGLE.has(d) || d === 0x22 || d === 0x60 || d === 0x23 || d === 0x3a || d === 0x3d || d === 0x3c || d === 0x3e) break;
      i++;
    }
    errors.push({ offset: start, line, col, length: i - start, char: text.slice(start, i) });
  }
  return { tokens, comments, errors };
}
