/**
 * The parse driver: lexes, splits a module into top-level statements, parses each statement with
 * the shared grammar and builds the AST. Splitting first means one broken rule is reported once
 * and the next rule still parses, without chevrotain's token-level recovery inventing cascades.
 */
import { tokenMatcher, type IRecognitionException, type IToken, type TokenType } from 'chevrotain';
import type { Comment, Expr, Import, Module, Package, Rule, Term } from '../ast/nodes.js';
import { diagnosticAt, sortDiagnostics, type Diagnostic, type Loc, type Result } from '../diagnostic.js';
import { lex, type PolToken } from '../lexer/index.js';
import * as T from '../lexer/tokens.js';
import { grammar } from './grammar.js';
import { MSG, type Msg } from './messages.js';
import { AstBuilder, Incomplete } from './to-ast.js';

/** Bracket nesting beyond this is rejected before parsing, so hostile input cannot exhaust the stack. */
export const MAX_NESTING = 500;

const OPEN = new Map<TokenType, string>([[T.LBrack, '['], [T.LBrace, '{'], [T.LParen, '(']]);
const CLOSE = new Map<TokenType, string>([[T.RBrack, '['], [T.RBrace, '{'], [T.RParen, '(']]);

/** Tokens that cannot end a statement: what follows them on the next line belongs to it. */
const NEEDS_MORE = new Set<TokenType>([
  T.Assign, T.Unify, T.Comma, T.Colon, T.Dot, T.If, T.Else, T.Contains, T.Not, T.Default,
  T.Package, T.Import, T.As, T.With, T.Some, T.Every, T.In,
  T.EqEq, T.Neq, T.Lt, T.Lte, T.Gt, T.Gte, T.Plus, T.Minus, T.Star, T.Slash, T.Percent, T.Bar, T.Amp,
]);
/** Tokens that cannot start a statement: a line starting with one continues the previous statement. */
const CONTINUES = new Set<TokenType>([
  T.Assign, T.Unify, T.Comma, T.Colon, T.Dot, T.If, T.Else, T.Contains, T.As, T.With, T.In, T.LBrace,
  T.EqEq, T.Neq, T.Lt, T.Lte, T.Gt, T.Gte, T.Plus, T.Minus, T.Star, T.Slash, T.Percent, T.Bar, T.Amp,
]);

/** Tokens that can end an operand: an assignment after one is misplaced, not missing its left side. */
const ENDS_OPERAND = new Set<TokenType>([
  T.Ident, T.NumberLit, T.StringLit, T.RawString, T.True, T.False, T.Null, T.RParen, T.RBrack, T.RBrace,
]);

const DISPLAY: Record<string, string> = {
  RBrace: '`}`', RBrack: '`]`', RParen: '`)`', LBrace: '`{`', LBrack: '`[`', LParen: '`(`', Colon: '`:`',
  Comma: '`,`', As: '`as`', Name: 'a name', Ident: 'a name', EOF: 'end of file', Semi: '`;`', Dot: '`.`',
  BinOp: 'an operator', In: '`in`', Assign: '`:=`',
};

interface Chunk { tokens: PolToken[]; bad: boolean }

class Session {
  readonly diagnostics: Diagnostic[] = [];
  /** Lexical errors, kept apart so they win over their consequences on the same line. */
  readonly lexical: Diagnostic[] = [];
  readonly build: AstBuilder;
  constructor(readonly file: string, readonly text: string) {
    this.build = new AstBuilder(file, this.diagnostics);
  }

  report(t: IToken, m: Msg, width?: number, list = this.diagnostics): void {
    const loc = this.tokLoc(t, width);
    list.push(diagnosticAt('rego_parse_error', loc, m.message, m.help));
  }

  tokLoc(t: IToken, width?: number): Loc {
    if (t.tokenType.name === 'EOF' || Number.isNaN(t.startOffset)) return this.endLoc();
    return { file: this.file, line: t.startLine ?? 0, col: t.startColumn ?? 0, offset: t.startOffset, end: t.startOffset + (width ?? t.image.length) };
  }

  endLoc(): Loc {
    const lines = this.text.split('\n');
    const last = lines[lines.length - 1] ?? '';
    const line = lines.length;
    return { file: this.file, line, col: last.length + 1, offset: this.text.length, end: this.text.length };
  }

  /** Lexes and reports lexical errors; returns the tokens. */
  lex(): { tokens: PolToken[]; comments: IToken[] } {
    const r = lex(this.text);
    for (const e of r.errors) {
      this.lexical.push(diagnosticAt('rego_parse_error',
        { file: this.file, line: e.line, col: e.col, offset: e.offset, end: e.offset + e.length }, MSG.unexpectedChar(e.char).message));
    }
    for (const t of r.tokens) {
      if (t.tokenType === T.UnterminatedString) this.report(t, MSG.unterminatedString(), undefined, this.lexical);
      else if (t.tokenType === T.UnterminatedRawString) this.report(t, MSG.unterminatedRawString(), 1, this.lexical);
      else if (t.tokenType === T.Dollar) this.report(t, MSG.templateString(), undefined, this.lexical);
    }
    return r;
  }

  /**
   * Splits tokens into statements and checks bracket balance. A statement starts on a new line at
   * bracket depth 0, unless the previous line ends with a token that needs more (`:=`, `,`, an
   * operator...) or the new line starts with one that cannot begin a statement (`else`, `if`, `{`...).
   *
   * When a bracket is left open, everything after it would be one broken statement; a second pass
   * (`resync`) then also starts a statement at any line that begins in column 1 with what looks
   * like a rule head, so the rules after the mistake are still checked.
   */
  split(tokens: PolToken[], whole: boolean): Chunk[] {
    const first = this.splitPass(tokens, whole, false);
    const r = first.unclosed && !whole ? this.splitPass(tokens, whole, true) : first;
    this.diagnostics.push(...r.diagnostics);
    return r.chunks;
  }

  private splitPass(tokens: PolToken[], whole: boolean, resync: boolean): { chunks: Chunk[]; diagnostics: Diagnostic[]; unclosed: boolean } {
    const diagnostics: Diagnostic[] = [];
    const report = (t: IToken, m: Msg) => this.report(t, m, undefined, diagnostics);
    const chunks: Chunk[] = [];
    let cur: Chunk = { tokens: [], bad: false };
    const stack: IToken[] = [];
    let prev: PolToken | undefined;
    let prevIsName = false;
    let unclosed = false;
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i]!;
      const type = t.tokenType;
      if (!whole && t.nl && prev && cur.tokens.length && (prevIsName || !NEEDS_MORE.has(prev.tokenType))) {
        if (stack.length === 0 && !(CONTINUES.has(type) && !kwRefAt(tokens, i))) {
          chunks.push(cur);
          cur = { tokens: [], bad: false };
        } else if (resync && stack.length && t.startColumn === 1 && looksLikeStatement(tokens, i)) {
          const open = stack[stack.length - 1]!;
          report(open, MSG.unmatchedOpen(open.image));
          cur.bad = true;
          stack.length = 0;
          chunks.push(cur);
          cur = { tokens: [], bad: false };
        }
      }
      if (OPEN.has(type)) {
        stack.push(t);
        if (stack.length > MAX_NESTING) {
          if (!cur.bad) report(t, MSG.tooDeep());
          cur.bad = true;
        }
      } else if (CLOSE.has(type)) {
        const want = CLOSE.get(type)!;
        const at = findOpener(stack, want);
        if (at < 0) {
          report(t, MSG.unmatchedClose(t.image));
          cur.bad = true;
          prevIsName = false;
          prev = t;
          continue;
        }
        if (at !== stack.length - 1) {
          const inner = stack[stack.length - 1]!;
          report(inner, MSG.unmatchedOpen(inner.image));
          cur.bad = true;
        }
        stack.length = at;
      }
      cur.tokens.push(t);
      // A keyword after `.` is a name (`package foo.as`), so it does not ask for a continuation.
      prevIsName = prev?.tokenType === T.Dot;
      prev = t;
    }
    if (stack.length) {
      const open = stack[stack.length - 1]!;
      report(open, MSG.unmatchedOpen(open.image));
      cur.bad = true;
      unclosed = true;
    }
    if (cur.tokens.length) chunks.push(cur);
    return { chunks, diagnostics, unclosed };
  }

  /** Maps chevrotain's first error for a statement to one targeted diagnostic. */
  syntaxError(e: IRecognitionException, chunk: PolToken[]): void {
    const t = e.token as PolToken;
    if (t.tokenType.name === 'EOF') {
      const last = chunk[chunk.length - 1];
      const loc = last ? { ...this.tokLoc(last), offset: (last.endOffset ?? last.startOffset) + 1 } : this.endLoc();
      if (last) { loc.col += last.image.length; loc.end = loc.offset; }
      const d = diagnosticAt('rego_parse_error', loc, MSG.unexpectedEof().message);
      this.diagnostics.push(d);
      return;
    }
    const type = t.tokenType;
    if (type === T.Dollar || type === T.UnterminatedString || type === T.UnterminatedRawString) return; // already reported
    const prevTok = chunk[chunk.indexOf(t) - 1];
    const prevType = prevTok?.tokenType;
    if ((type === T.Some || type === T.Every) && prevType === T.Not) {
      return this.report(t, type === T.Some ? MSG.someNegated() : MSG.everyNegated());
    }
    if ((type === T.Assign || type === T.Unify) && prevTok && ENDS_OPERAND.has(prevType!)) {
      return this.report(t, MSG.misplacedAssign(t.image));
    }
    const expected = /-->\s*(\w+)\s*<--/.exec(e.message)?.[1];
    if ((T.KEYWORD_TOKENS as TokenType[]).includes(type)) {
      const m = MSG.unexpectedKeyword(t.image);
      if (t === chunk[0] || t.nl || prevType === T.Default) return this.report(t, m);
      return this.report(t, { message: m.message });
    }
    if (prevType && tokenMatcher(prevTok!, T.BinOp) && !tokenMatcher(t, T.BinOp) && prevType !== T.In) {
      return this.report(t, MSG.missingOperand(t.image, prevTok!.image));
    }
    if (!t.nl && prevTok && type !== T.Semi && !OPEN.has(prevType!) && !CLOSE.has(type)
      && (expected === 'RBrace' || expected === 'RBrack' || e.name === 'NotAllInputParsedException')
      && !NEEDS_MORE.has(prevType!) && prevType !== T.Bar) {
      return this.report(t, MSG.missingSeparator(t.image));
    }
    const want = expected && e.name === 'MismatchedTokenException' ? DISPLAY[expected] : undefined;
    this.report(t, MSG.unexpectedToken(t.image, want));
  }
}

function kwRefAt(tokens: PolToken[], i: number): boolean {
  const t = tokens[i]!;
  if (!(T.KEYWORD_TOKENS as TokenType[]).includes(t.tokenType)) return false;
  const n = tokens[i + 1];
  return !!n && (n.tokenType === T.Dot || n.tokenType === T.LBrack) && n.startOffset === (t.endOffset ?? 0) + 1;
}

const HEAD_FOLLOWERS = new Set<TokenType>([T.Assign, T.Unify, T.If, T.Contains, T.LBrack, T.LParen, T.Dot, T.LBrace]);

/** A line that starts like `name :=`, `name if`, `name[`, `default ...`, `import ...`: a likely statement. */
function looksLikeStatement(tokens: PolToken[], i: number): boolean {
  const t = tokens[i]!.tokenType;
  if (t === T.Default || t === T.Import || t === T.Package) return true;
  const next = tokens[i + 1];
  return (t === T.Ident || kwRefAt(tokens, i)) && !!next && HEAD_FOLLOWERS.has(next.tokenType);
}

function findOpener(stack: IToken[], want: string): number {
  for (let i = stack.length - 1; i >= 0; i--) if (stack[i]!.image === want) return i;
  return -1;
}

/** Keeps the first diagnostic per line so one mistake does not produce a cascade of follow-ups. */
function dedupe(list: Diagnostic[], first: Diagnostic[] = []): Diagnostic[] {
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  // Lexical errors (unterminated strings...) explain whatever else went wrong on their line.
  for (const d of first) seen.add(`${d.file}\u0000${d.line}`);
  out.push(...first);
  for (const d of sortDiagnostics(list)) {
    const key = `${d.file}\u0000${d.line}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(d);
  }
  return sortDiagnostics(out);
}

/** Runs `fn` over a CST; a thrown Incomplete means the statement is already reported as broken. */
function guarded<X>(fn: () => X): X | undefined {
  try {
    return fn();
  } catch (e) {
    if (e instanceof Incomplete) return undefined;
    if (e instanceof RangeError) return undefined;
    throw e;
  }
}

export function parseModule(file: string, text: string): Result<Module> {
  const s = new Session(file, text);
  const { tokens, comments } = s.lex();
  const chunks = s.split(tokens, false);
  const g = grammar();
  let pkg: Package | undefined;
  const imports: Import[] = [];
  const rules: Rule[] = [];
  let brokenBeforePackage = false;
  let first = true;
  for (const chunk of chunks) {
    if (chunk.bad) { if (!pkg) brokenBeforePackage = true; first = false; continue; }
    g.input = chunk.tokens;
    // Dispatch on the first token (what the grammar's `statement` rule does) to save a CST level.
    const head = chunk.tokens[0]!.tokenType;
    const kind = head === T.Package && !kwRefAt(chunk.tokens, 0) ? 'packageDecl'
      : head === T.Import && !kwRefAt(chunk.tokens, 0) ? 'importDecl' : 'rule';
    const cst = guarded(() => g[kind]());
    if (g.errors.length || !cst) {
      if (g.errors[0]) s.syntaxError(g.errors[0], chunk.tokens);
      if (!pkg) brokenBeforePackage = true;
      first = false;
      continue;
    }
    if (kind === 'packageDecl') {
      const p = guarded(() => s.build.packageDecl(cst));
      if (pkg || !first) {
        s.report(chunk.tokens[0]!, pkg ? MSG.duplicatePackage() : { message: MSG.duplicatePackage().message });
      } else if (p) pkg = p;
      else brokenBeforePackage = true;
    } else if (!pkg && !brokenBeforePackage) {
      s.report(chunk.tokens[0]!, MSG.missingPackage());
      brokenBeforePackage = true;
    } else if (kind === 'importDecl') {
      const imp = guarded(() => s.build.importDecl(cst));
      if (imp) imports.push(imp);
    } else {
      const r = guarded(() => s.build.rule(cst));
      if (r) rules.push(r);
    }
    first = false;
  }
  if (!pkg && !brokenBeforePackage && chunks.length === 0) {
    s.diagnostics.push(diagnosticAt('rego_parse_error', { file, line: 1, col: 1, offset: 0, end: 0 }, MSG.missingPackage().message, MSG.missingPackage().help));
  }
  const diagnostics = dedupe(s.diagnostics, s.lexical);
  if (diagnostics.length || !pkg) return { value: undefined, diagnostics };
  const commentNodes: Comment[] = comments.map(t => ({ text: t.image.slice(1), loc: s.tokLoc(t) }));
  return { value: { kind: 'module', file, package: pkg, imports, rules, comments: commentNodes }, diagnostics: [] };
}

function parseWhole<X>(file: string, text: string, entry: 'query' | 'termOnly', build: (s: Session, cst: never) => X): Result<X> {
  const s = new Session(file, text);
  const { tokens } = s.lex();
  const chunks = s.split(tokens, true);
  if (tokens.length === 0) {
    s.diagnostics.push(diagnosticAt('rego_parse_error', s.endLoc(), MSG.unexpectedEof().message));
  } else if (!chunks[0]!.bad && s.diagnostics.length === 0 && s.lexical.length === 0) {
    const g = grammar();
    g.input = tokens;
    const cst = guarded(() => g[entry]());
    if (g.errors.length || !cst) {
      if (g.errors[0]) s.syntaxError(g.errors[0], tokens);
      else s.report(tokens[0]!, MSG.tooDeep());
    } else {
      const v = guarded(() => build(s, cst as never));
      const diagnostics = dedupe(s.diagnostics, s.lexical);
      if (!diagnostics.length && v !== undefined) return { value: v, diagnostics };
      return { value: undefined, diagnostics };
    }
  }
  return { value: undefined, diagnostics: dedupe(s.diagnostics, s.lexical) };
}

export function parseQuery(text: string, file = ''): Result<Expr[]> {
  return parseWhole(file, text, 'query', (s, cst: { children: Record<string, never[]> }) => s.build.body(cst.children['body']![0]!));
}

export function parseTerm(text: string, file = ''): Result<Term> {
  return parseWhole(file, text, 'termOnly', (s, cst: { children: Record<string, never[]> }) => s.build.exprKV(cst.children['exprKV']![0]!));
}
