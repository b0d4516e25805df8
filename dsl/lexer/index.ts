/**
 * The .pol lexer: a hand-written, pull-based scanner producing chevrotain tokens (the token types
 * in tokens.ts are the parser's vocabulary). The parser pulls tokens one statement at a time, so
 * the tokens of a large file never all live at once: short-lived objects are cheap for the
 * garbage collector, and this is most of what makes a 10,000-rule file parse quickly.
 *
 * Each token records whether a line break precedes it (`nl`): expressions in a body are
 * separated by `;` or by a line break.
 */
import type { IToken, TokenType } from 'chevrotain';
import * as T from './tokens.js';
import { scanTemplate } from './template.js';

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

/** Token types whose text is always the same (their image is a shared string). */
const FIXED_IMAGE = new Map<TokenType, string>([
  ...[...KEYWORDS].map(([word, type]) => [type, word] as [TokenType, string]),
  ...[...SINGLE].map(([code, type]) => [type, String.fromCharCode(code)] as [TokenType, string]),
  [T.Assign, ':='], [T.Colon, ':'], [T.EqEq, '=='], [T.Unify, '='], [T.Neq, '!='],
  [T.Lte, '<='], [T.Lt, '<'], [T.Gte, '>='], [T.Gt, '>'],
]);

/** FIXED_IMAGE by tokenTypeIdx, for the per-token lookup. */
const IMAGE_BY_IDX: (string | undefined)[] = [];
for (const [type, image] of FIXED_IMAGE) IMAGE_BY_IDX[type.tokenTypeIdx!] = image;
const LONGEST_KEYWORD = Math.max(...[...KEYWORDS.keys()].map(k => k.length));

/** Character classes of ASCII codes, so the hot loops test one table entry. */
const SPACE = 1, NEWLINE = 2, IDENT_START = 3, DIGIT = 4;
const ASCII_CLASS = new Uint8Array(128);
for (const c of [0x20, 0x09, 0x0d, 0x0c, 0x0b]) ASCII_CLASS[c] = SPACE;
ASCII_CLASS[0x0a] = NEWLINE;
for (let c = 0x61; c <= 0x7a; c++) ASCII_CLASS[c] = IDENT_START;
for (let c = 0x41; c <= 0x5a; c++) ASCII_CLASS[c] = IDENT_START;
ASCII_CLASS[0x5f] = IDENT_START;
for (let c = 0x30; c <= 0x39; c++) ASCII_CLASS[c] = DIGIT;

const isIdentStart = (c: number) => (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f;
const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
const isIdentPart = (c: number) => isIdentStart(c) || isDigit(c);
const isSpace = (c: number) => c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a || c === 0x0c || c === 0x0b || c === 0xa0 || c === 0xfeff;
const startsToken = (c: number) => isSpace(c) || isIdentPart(c) || SINGLE.has(c)
  || c === 0x22 || c === 0x60 || c === 0x23 || c === 0x3a || c === 0x3d || c === 0x3c || c === 0x3e || c === 0x21;

export class Scanner {
  readonly comments: PolToken[] = [];
  readonly errors: LexError[] = [];
  private i: number;
  private line: number;
  private lineStart: number;
  private nl = false;
  private buffered: PolToken | undefined;
  private done = false;
  /**
   * One string per distinct identifier: the parsed tree keeps every name it meets (`input`,
   * `data`, field names), and a generated policy repeats a few of them tens of thousands of
   * times. Sharing them keeps the tree smaller, which is most of what a large compile spends in
   * the garbage collector.
   */
  private readonly names = new Map<string, string>();

  /** Scans `text` from `offset`, which must be the start of a token or whitespace on `line` (1-based). */
  constructor(private readonly text: string, offset = 0, line = 1, lineStart = 0) {
    this.i = offset;
    this.line = line;
    this.lineStart = lineStart;
  }

  /** The token `next()` will return, without consuming it. */
  peek(): PolToken | undefined {
    if (!this.buffered && !this.done) {
      this.buffered = this.scan();
      if (!this.buffered) this.done = true;
    }
    return this.buffered;
  }

  next(): PolToken | undefined {
    const t = this.peek();
    this.buffered = undefined;
    return t;
  }

  private make(type: TokenType, start: number, end: number, startLine: number, startCol: number, image?: string): PolToken {
    const t: PolToken = {
      image: image ?? IMAGE_BY_IDX[type.tokenTypeIdx!] ?? this.text.slice(start, end),
      startOffset: start,
      endOffset: end - 1,
      startLine,
      startColumn: startCol,
      tokenTypeIdx: type.tokenTypeIdx!,
      tokenType: type,
      nl: this.nl,
    };
    this.nl = false;
    return t;
  }

  private scan(): PolToken | undefined {
    const text = this.text;
    const n = text.length;
    while (this.i < n) {
      let i = this.i;
      // Whitespace, in one tight loop.
      let c = text.charCodeAt(i);
      let cls = c < 128 ? ASCII_CLASS[c]! : 0;
      if (cls === SPACE || cls === NEWLINE || c === 0xa0 || c === 0xfeff) {
        do {
          if (cls === NEWLINE) { this.nl = true; this.line++; this.lineStart = i + 1; }
          i++;
          if (i >= n) break;
          c = text.charCodeAt(i);
          cls = c < 128 ? ASCII_CLASS[c]! : 0;
        } while (cls === SPACE || cls === NEWLINE || c === 0xa0 || c === 0xfeff);
        this.i = i;
        if (i >= n) break;
      }
      const start = i;
      const line = this.line;
      const col = i - this.lineStart + 1;
      let type: TokenType | undefined;
      if (cls === IDENT_START) {
        i++;
        while (i < n) {
          const d = text.charCodeAt(i);
          if (d < 128 && (ASCII_CLASS[d] === IDENT_START || ASCII_CLASS[d] === DIGIT)) i++;
          else break;
        }
        const word = text.slice(start, i);
        const kw = i - start <= LONGEST_KEYWORD ? KEYWORDS.get(word) : undefined;
        this.i = i;
        if (kw) return this.make(kw, start, i, line, col);
        let name = this.names.get(word);
        if (name === undefined) this.names.set(word, name = word);
        return this.make(T.Ident, start, i, line, col, name);
      } else if (isDigit(c)) {
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
        type = T.NumberLit;
      } else {
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
            type = closed ? T.StringLit : T.UnterminatedString;
            break;
          }
          case 0x60: { // ` raw strings may span lines
            i++;
            let closed = false;
            while (i < n) {
              const d = text.charCodeAt(i);
              i++;
              if (d === 0x60) { closed = true; break; }
              if (d === 0x0a) { this.line++; this.lineStart = i; }
            }
            type = closed ? T.RawString : T.UnterminatedRawString;
            break;
          }
          case 0x24: { // $: a template string, or a lone dollar (reported by the parser)
            const q = text.charCodeAt(i + 1);
            if (q !== 0x22 && q !== 0x60) { type = T.Dollar; i++; break; }
            const scan = scanTemplate(text, i);
            // Raw templates and the expressions inside any template may span lines.
            for (let j = i; j < scan.end; j++) if (text.charCodeAt(j) === 0x0a) { this.line++; this.lineStart = j + 1; }
            i = scan.end;
            type = scan.closed ? T.TemplateString : T.UnterminatedTemplate;
            break;
          }
          case 0x23: { // # comment: not a token for the parser
            while (i < n) {
              const d = text.charCodeAt(i);
              if (d === 0x0a || d === 0x0d) break;
              i++;
            }
            const keep = this.nl;
            this.comments.push(this.make(T.Comment, start, i, line, col));
            this.nl = keep;
            this.i = i;
            continue;
          }
          case 0x3a: type = text.charCodeAt(i + 1) === 0x3d ? T.Assign : T.Colon; i += type === T.Assign ? 2 : 1; break;
          case 0x3d: type = text.charCodeAt(i + 1) === 0x3d ? T.EqEq : T.Unify; i += type === T.EqEq ? 2 : 1; break;
          case 0x3c: type = text.charCodeAt(i + 1) === 0x3d ? T.Lte : T.Lt; i += type === T.Lte ? 2 : 1; break;
          case 0x3e: type = text.charCodeAt(i + 1) === 0x3d ? T.Gte : T.Gt; i += type === T.Gte ? 2 : 1; break;
          case 0x21: if (text.charCodeAt(i + 1) === 0x3d) { type = T.Neq; i += 2; } break;
          default: {
            const single = SINGLE.get(c);
            if (single) { type = single; i++; }
          }
        }
      }
      if (type) {
        this.i = i;
        return this.make(type, start, i, line, col);
      }
      // Unknown characters: one error per run.
      i++;
      while (i < n && !startsToken(text.charCodeAt(i))) i++;
      this.errors.push({ offset: start, line, col, length: i - start, char: text.slice(start, i) });
      this.i = i;
    }
    return undefined;
  }
}

/** Scans a whole text at once (for queries and terms; modules are scanned statement by statement). */
export function lex(text: string): LexResult {
  const s = new Scanner(text);
  const tokens: PolToken[] = [];
  for (let t = s.next(); t; t = s.next()) tokens.push(t);
  return { tokens, comments: s.comments, errors: s.errors };
}
