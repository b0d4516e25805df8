/**
 * The parse driver: lexes, splits a module into top-level statements, parses each statement with
 * the shared grammar and builds the AST. Splitting first means one broken rule is reported once
 * and the next rule still parses, without chevrotain's token-level recovery inventing cascades.
 */
import { tokenMatcher, type IRecognitionException, type IToken, type TokenType } from 'chevrotain';
import type { Comment, Expr, Import, Module, Package, Rule, Term } from '../ast/nodes.js';
import { diagnosticAt, sortDiagnostics, type Diagnostic, type Loc, type Result } from '../diagnostic.js';
import { Scanner, type LexError, type PolToken } from '../lexer/index.js';
import * as T from '../lexer/tokens.js';
import { MAX_TEMPLATE_NESTING, scanTemplate } from '../lexer/template.js';
import { finish, type Steps } from '../steps.js';
import { grammar } from './grammar.js';
import { fastParse } from './fast.js';
import { MSG, type Msg } from './messages.js';
import { AstBuilder, Incomplete } from './to-ast.js';
import { CLOSE, CONTINUES, NEEDS_MORE, OPEN, Splitter, isKeywordRef, looksLikeStatement, type Chunk, type SplitOptions } from './split.js';

export { MAX_NESTING } from './split.js';

/** Tokens that can end an operand: an assignment after one is misplaced, not missing its left side. */
const ENDS_OPERAND = new Set<TokenType>([
  T.Ident, T.NumberLit, T.StringLit, T.RawString, T.TemplateString, T.True, T.False, T.Null, T.RParen, T.RBrack, T.RBrace,
]);

const DISPLAY: Record<string, string> = {
  RBrace: '`}`', RBrack: '`]`', RParen: '`)`', LBrace: '`{`', LBrack: '`[`', LParen: '`(`', Colon: '`:`',
  Comma: '`,`', As: '`as`', Name: 'a name', Ident: 'a name', EOF: 'end of file', Semi: '`;`', Dot: '`.`',
  BinOp: 'an operator', In: '`in`', Assign: '`:=`',
};

class Session {
  readonly diagnostics: Diagnostic[] = [];
  /** Lexical errors, kept apart so they win over their consequences on the same line. */
  readonly lexical: Diagnostic[] = [];
  readonly build: AstBuilder;
  constructor(readonly file: string, readonly text: string) {
    this.build = new AstBuilder(file, this.diagnostics, parseQuery);
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

  /** Lexical problems that surface as tokens (the scanner's own errors are added at the end). */
  lexicalToken(t: IToken): void {
    if (t.tokenType === T.UnterminatedString) this.report(t, MSG.unterminatedString(), undefined, this.lexical);
    else if (t.tokenType === T.UnterminatedRawString) this.report(t, MSG.unterminatedRawString(), 1, this.lexical);
    else if (t.tokenType === T.Dollar) this.report(t, MSG.loneDollar(), undefined, this.lexical);
    else if (t.tokenType === T.UnterminatedTemplate) {
      const tooDeep = scanTemplate(t.image, 0).problem === 'too-deep';
      this.report(t, tooDeep ? MSG.templateTooDeep(MAX_TEMPLATE_NESTING) : MSG.unterminatedTemplate(), 2, this.lexical);
    }
  }

  scannerErrors(errors: LexError[]): void {
    for (const e of errors) {
      this.lexical.push(diagnosticAt('rego_parse_error',
        { file: this.file, line: e.line, col: e.col, offset: e.offset, end: e.offset + e.length }, MSG.unexpectedChar(e.char).message, MSG.unexpectedChar(e.char).help));
    }
  }

  /** Splits the tokens a scanner yields into checked statements. */
  splitter(scanner: Scanner, opts: SplitOptions): Splitter {
    return new Splitter(scanner, (t, m) => this.report(t, m), opts);
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
    if (type === T.Dollar || type === T.UnterminatedString || type === T.UnterminatedRawString || type === T.UnterminatedTemplate) return; // already reported
    const at = chunk.indexOf(t);
    // A line ending in `:=`, `,`, an operator... swallowed the next statement: point at that line.
    // (A continuation line is indented further than the line it continues; a new statement is not.)
    let lineStart = chunk[0]!;
    for (let i = 0; i < at; i++) {
      const end = chunk[i]!;
      const next = chunk[i + 1]!;
      if (end.nl) lineStart = end;
      if (NEEDS_MORE.has(end.tokenType) && chunk[i - 1]?.tokenType !== T.Dot && next.nl
        && (next.startColumn ?? 0) <= (lineStart.startColumn ?? 0) && looksLikeStatement(next, chunk[i + 2])) {
        return this.report(end, MSG.incompleteLine(end.image));
      }
    }
    const prevTok = chunk[at - 1];
    const prevType = prevTok?.tokenType;
    if (type === T.Ident && (t.image === 'and' || t.image === 'or')) return this.report(t, MSG.logicalWord(t.image));
    const doubled = (type === T.Amp || type === T.Bar) && chunk[at + 1]?.tokenType === type;
    if (doubled || ((type === T.Amp || type === T.Bar) && prevType === type)) {
      const first = doubled ? t : prevTok!;
      return this.report(first, MSG.logicalWord(first.image + first.image), 2);
    }
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

/**
 * After a syntax error inside a rule body, the body's later lines are still worth checking: each
 * expression that starts on a later line (at the body's own depth) is parsed on its own, and its
 * first error, if any, is reported too. The rule itself stays rejected.
 */
function checkRestOfBody(s: Session, tokens: PolToken[], errTok: IToken): void {
  const errAt = tokens.indexOf(errTok as PolToken);
  if (errAt < 0) return;
  // The body: the first `{` at depth 0, after `if` or the head; find its closing brace.
  let open = -1;
  let depth = 0;
  let close = -1;
  for (let i = 0; i < tokens.length; i++) {
    const type = tokens[i]!.tokenType;
    if (OPEN.has(type)) {
      if (depth === 0 && type === T.LBrace && open < 0 && i > 0 && tokens[i - 1]!.tokenType === T.If) open = i;
      depth++;
    } else if (CLOSE.has(type)) {
      depth--;
      if (depth === 0 && open >= 0) { close = i; break; }
    }
  }
  if (open < 0 || close < 0 || errAt <= open || errAt >= close) return;
  const errLine = errTok.startLine ?? 0;
  const g = grammar();
  let group: PolToken[] = [];
  depth = 0;
  // The body's closing brace ends each group, so an incomplete expression meets `}` as it would
  // in the rule, rather than an end of input that is not there.
  const sentinel = tokens[close]!;
  const flush = () => {
    if (group.length && (group[0]!.startLine ?? 0) > errLine) {
      const input = [...group, sentinel];
      g.input = input;
      guarded(() => g.body());
      const e = g.errors[0];
      if (e?.token === sentinel) {
        // Ran into the body's end: the expression on these lines is incomplete.
        if (e.name !== 'NotAllInputParsedException') s.report(group[group.length - 1]!, MSG.incompleteExpr(expectedOf(e)));
      } else if (e) s.syntaxError(e, input);
    }
    group = [];
  };
  for (let i = open + 1; i < close; i++) {
    const t = tokens[i]!;
    const prev = tokens[i - 1]!;
    const continues = CONTINUES.has(t.tokenType) && !isKeywordRef(t, tokens[i + 1]);
    if (depth === 0 && (t.nl || prev.tokenType === T.Semi) && i > open + 1 && !NEEDS_MORE.has(prev.tokenType) && !continues) flush();
    if (t.tokenType === T.Semi && depth === 0) continue;
    if (OPEN.has(t.tokenType)) depth++;
    else if (CLOSE.has(t.tokenType)) depth--;
    group.push(t);
  }
  flush();
}

/** The token chevrotain expected, for display (`\`{\``), when the error names exactly one. */
function expectedOf(e: IRecognitionException): string | undefined {
  const name = /-->\s*(\w+)\s*<--/.exec(e.message)?.[1];
  return name && e.name === 'MismatchedTokenException' ? DISPLAY[name] : undefined;
}

/** Keeps the first diagnostic per line so one mistake does not produce a cascade of follow-ups. */
function dedupe(list: Diagnostic[], first: Diagnostic[] = []): Diagnostic[] {
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  // Lexical errors (unterminated strings...) explain whatever else went wrong on their line.
  for (const d of sortDiagnostics(first)) {
    const key = `${d.file}\u0000${d.line}`;
    if (!seen.has(key)) { seen.add(key); out.push(d); }
  }
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
  return finish(parseModuleSteps(file, text));
}

/** `parseModule` one statement at a time (see `Steps`). */
export function* parseModuleSteps(file: string, text: string): Steps<Result<Module>> {
  const s = new Session(file, text);
  let pkg: Package | undefined;
  const imports: Import[] = [];
  const rules: Rule[] = [];
  let brokenBeforePackage = false;
  let first = true;
  let any = false;

  const handle = (chunk: Chunk) => {
    any = true;
    for (const t of chunk.tokens) s.lexicalToken(t);
    if (chunk.bad) { if (!pkg) brokenBeforePackage = true; first = false; return; }
    const tokens = chunk.tokens;
    // Dispatch on the first token (what the grammar's `statement` rule does) to save a CST level.
    const head = tokens[0]!.tokenType;
    const kind = head === T.Package && !isKeywordRef(tokens[0]!, tokens[1]) ? 'packageDecl'
      : head === T.Import && !isKeywordRef(tokens[0]!, tokens[1]) ? 'importDecl' : 'rule';
    // The fast path builds the AST of a statement that parses cleanly; anything else is parsed
    // again by chevrotain and the AstBuilder, which own every message.
    const fast = fastParse(kind, tokens, file);
    if (fast) {
      if (kind === 'packageDecl') {
        if (pkg || !first) s.report(tokens[0]!, pkg ? MSG.duplicatePackage() : { message: MSG.duplicatePackage().message });
        else pkg = fast as Package;
      } else if (!pkg && !brokenBeforePackage) {
        s.report(tokens[0]!, MSG.missingPackage());
        brokenBeforePackage = true;
      } else if (kind === 'importDecl') imports.push(fast as Import);
      else rules.push(fast as Rule);
      first = false;
      return;
    }
    const g = grammar();
    g.input = tokens;
    const cst = guarded(() => g[kind]());
    if (g.errors.length || !cst) {
      if (g.errors[0]) {
        const err = g.errors[0];
        s.syntaxError(err, tokens);
        if (kind === 'rule') checkRestOfBody(s, tokens, err.token);
      } else s.report(tokens[0]!, MSG.tooDeep()); // the grammar ran out of stack
      if (!pkg) brokenBeforePackage = true;
      first = false;
      return;
    }
    const before = s.diagnostics.length;
    if (kind === 'packageDecl') {
      const p = guarded(() => s.build.packageDecl(cst));
      if (!p && s.diagnostics.length === before) s.report(tokens[0]!, MSG.packagePath());
      if (pkg || !first) {
        s.report(tokens[0]!, pkg ? MSG.duplicatePackage() : { message: MSG.duplicatePackage().message });
      } else if (p) pkg = p;
      else brokenBeforePackage = true;
    } else if (!pkg && !brokenBeforePackage) {
      s.report(tokens[0]!, MSG.missingPackage());
      brokenBeforePackage = true;
    } else if (kind === 'importDecl') {
      const imp = guarded(() => s.build.importDecl(cst));
      if (imp) imports.push(imp);
      else if (s.diagnostics.length === before) s.report(tokens[0]!, MSG.importPath());
    } else {
      const r = guarded(() => s.build.rule(cst));
      if (r) rules.push(r);
      // Fail closed: a statement that produced nothing must never vanish silently.
      else if (s.diagnostics.length === before) s.report(tokens[0]!, MSG.tooDeep());
    }
    first = false;
  };

  const scanner = new Scanner(text);
  const main = s.splitter(scanner, { whole: false, resync: false, deferUnclosed: true });
  for (const chunk of main.chunks()) { handle(chunk); yield; }
  const from = main.deferred;
  if (from) {
    // A bracket was never closed: rescan from the statement that opened it, resynchronising at
    // lines that look like new statements so later rules are still parsed and checked.
    const again = new Scanner(text, from.startOffset, from.startLine, from.startOffset - (from.startColumn ?? 1) + 1);
    for (const chunk of s.splitter(again, { whole: false, resync: true, deferUnclosed: false }).chunks()) { handle(chunk); yield; }
  }
  s.scannerErrors(scanner.errors);

  if (!pkg && !brokenBeforePackage && !any) {
    s.diagnostics.push(diagnosticAt('rego_parse_error', { file, line: 1, col: 1, offset: 0, end: 0 }, MSG.missingPackage().message, MSG.missingPackage().help));
  }
  const diagnostics = dedupe(s.diagnostics, s.lexical);
  if (diagnostics.length || !pkg) return { value: undefined, diagnostics };
  const commentNodes: Comment[] = scanner.comments.map(t => ({ text: t.image.slice(1), loc: s.tokLoc(t) }));
  return { value: { kind: 'module', file, package: pkg, imports, rules, comments: commentNodes }, diagnostics: [] };
}

function parseWhole<X>(file: string, text: string, entry: 'query' | 'termOnly', build: (s: Session, cst: never) => X): Result<X> {
  const s = new Session(file, text);
  const scanner = new Scanner(text);
  const chunks = [...s.splitter(scanner, { whole: true, resync: false, deferUnclosed: false }).chunks()];
  const tokens = chunks[0]?.tokens ?? [];
  for (const t of tokens) s.lexicalToken(t);
  s.scannerErrors(scanner.errors);
  if (tokens.length === 0) {
    if (!s.lexical.length) s.diagnostics.push(diagnosticAt('rego_parse_error', s.endLoc(), MSG.unexpectedEof().message));
  } else if (!chunks[0]!.bad && s.diagnostics.length === 0 && s.lexical.length === 0) {
    const fast = fastParse(entry, tokens, file);
    if (fast) return { value: fast as X, diagnostics: [] };
    const g = grammar();
    g.input = tokens;
    const cst = guarded(() => g[entry]());
    if (g.errors.length || !cst) {
      if (g.errors[0]) s.syntaxError(g.errors[0], tokens);
      else s.report(tokens[0]!, MSG.tooDeep());
    } else {
      const v = guarded(() => build(s, cst as never));
      if (v === undefined && !s.diagnostics.length) s.report(tokens[0]!, MSG.tooDeep());
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
