/**
 * The fast path of the parser: a hand-written recursive-descent parser for the grammar in
 * grammar.ts that builds the AST directly, exactly as chevrotain's tree and the AstBuilder
 * (to-ast.ts) would, several times faster and without chevrotain's start-up self-analysis.
 *
 * Recognition: every decision is made the way chevrotain's LL(k) lookahead makes it for an input
 * that parses. An OPTION/MANY is entered, and the first OR alternative is taken, whose gate holds
 * and whose first token can start it; a choice is never revisited. Chevrotain's lookahead paths
 * cover every prefix of a production, so when this greedy parse of a statement succeeds,
 * chevrotain's makes the same choices. Where chevrotain looks two tokens ahead (a trailing comma
 * in a list: `, ]`), so does this parser.
 *
 * Building: each grammar rule builds what the AstBuilder builds from its CST node, with the same
 * node shapes, property order and source spans.
 *
 * The fast path never reports anything: on a syntax error, on anything the AstBuilder would
 * report (bad escapes, v0 rule syntax, misplaced defaults...), or when nesting gets deep, it gives
 * up (`undefined`) and the driver parses the statement with chevrotain and the AstBuilder, which
 * own every message.
 */
import type { IToken } from 'chevrotain';
import {
  MEMBER_2, MEMBER_3, OPERATORS,
  type Call, type Expr, type ExprBody, type Import, type NumberTerm, type Package, type Rule, type RuleHead, type Term, type Var, type With,
} from '../ast/nodes.js';
import type { Loc } from '../diagnostic.js';
import type { PolToken } from '../lexer/index.js';
import * as T from '../lexer/tokens.js';
import { decodeStringLiteral, isGround, isKeyword, MAX_OPERATORS, refNames, stringPath } from './to-ast.js';

/** Thrown (never seen outside this module) when the fast path gives up. */
const GIVE_UP = { giveUp: true };
const giveUp = (): never => { throw GIVE_UP; };

/** Operand nesting beyond this goes to chevrotain, which owns the "too deep" behaviour. */
const MAX_DEPTH = 64;

const ALL = T.ALL_TOKENS;
const SIZE = Math.max(...ALL.map(t => t.tokenTypeIdx!)) + 2;
function table(pred: (t: (typeof ALL)[number]) => boolean): Uint8Array {
  const out = new Uint8Array(SIZE);
  for (const t of ALL) if (pred(t)) out[t.tokenTypeIdx!] = 1;
  return out;
}
const inCategory = (t: (typeof ALL)[number], cat: (typeof ALL)[number]) => t === cat || (t.CATEGORIES ?? []).includes(cat);
const KEYWORD = table(t => inCategory(t, T.Keyword) && t !== T.Keyword);
const NAME = table(t => inCategory(t, T.Name) && t !== T.Name && t !== T.Keyword);
const BINOP = table(t => inCategory(t, T.BinOp) && t !== T.BinOp);
const I = (t: (typeof ALL)[number]) => t.tokenTypeIdx!;
/** The tokens that can start an operand (so a chain, a literal): the grammar's FIRST set, gates ignored. */
const FIRST_OPERAND = table(t => KEYWORD[I(t)] === 1 || [
  T.Ident, T.Contains, T.NumberLit, T.Dot, T.StringLit, T.RawString, T.True, T.False, T.Null, T.Minus,
  T.LParen, T.LBrack, T.LBrace, T.UnterminatedString, T.UnterminatedRawString,
].includes(t));
const CLOSER = table(t => t === T.RBrack || t === T.RBrace || t === T.RParen);
const OPENER = table(t => t === T.LBrack || t === T.LBrace || t === T.LParen);

const Dot = I(T.Dot), LBrack = I(T.LBrack), RBrack = I(T.RBrack), LParen = I(T.LParen), RParen = I(T.RParen);
const LBrace = I(T.LBrace), RBrace = I(T.RBrace), Comma = I(T.Comma), Semi = I(T.Semi), Colon = I(T.Colon);
const Bar = I(T.Bar), Assign = I(T.Assign), Unify = I(T.Unify), EqEq = I(T.EqEq), In = I(T.In);
const Ident = I(T.Ident), NumberLit = I(T.NumberLit), StringLit = I(T.StringLit), RawString = I(T.RawString);
const True = I(T.True), False = I(T.False), Null = I(T.Null), Minus = I(T.Minus);
const Package = I(T.Package), Import = I(T.Import), As = I(T.As), Default = I(T.Default), If = I(T.If);
const Else = I(T.Else), Contains = I(T.Contains), Some = I(T.Some), Every = I(T.Every), Not = I(T.Not), With = I(T.With);

/** Binding strength of infix operators (to-ast.ts PRECEDENCE), by token type. */
const PRECEDENCE = new Uint8Array(SIZE);
for (const [t, p] of [
  [T.In, 1], [T.EqEq, 2], [T.Neq, 2], [T.Lt, 2], [T.Lte, 2], [T.Gt, 2], [T.Gte, 2],
  [T.Bar, 3], [T.Amp, 4], [T.Plus, 5], [T.Minus, 5], [T.Star, 6], [T.Slash, 6], [T.Percent, 6],
] as const) PRECEDENCE[I(t)] = p;

const ROOTS = new Set(['data', 'input']);
const FUTURE_KEYWORDS = new Set(['in', 'every', 'contains', 'if']);

/** An infix chain as the grammar collects it: operands and the operators between them. */
interface Parts { operands: Term[]; ops: IToken[] }

export type FastEntry = 'packageDecl' | 'importDecl' | 'rule' | 'query' | 'termOnly';
type Built = Package | Import | Rule | Expr[] | Term;

class FastParser {
  private toks: PolToken[] = [];
  private n = 0;
  /** Index of LA(1). */
  private i = 0;
  private stopBar: IToken | undefined;
  private depth = 0;
  private file = '';

  parse(entry: FastEntry, tokens: PolToken[], file: string): Built | undefined {
    this.toks = tokens;
    this.n = tokens.length;
    this.i = 0;
    this.stopBar = undefined;
    this.depth = 0;
    this.file = file;
    try {
      let out: Built;
      switch (entry) {
        case 'packageDecl': out = this.packageDecl(); break;
        case 'importDecl': out = this.importDecl(); break;
        case 'rule': out = this.rule(); break;
        case 'query': out = this.body(); break;
        case 'termOnly': out = this.exprKV(); break;
      }
      return this.i === this.n ? out : undefined;
    } catch (e) {
      if (e === GIVE_UP) return undefined;
      throw e;
    } finally {
      this.toks = [];
    }
  }

  // ---- tokens ----

  /** tokenTypeIdx of LA(k), 0 past the end (no token type has it). */
  private t(k: number): number {
    const at = this.i + k - 1;
    return at < this.n ? this.toks[at]!.tokenTypeIdx : 0;
  }

  private next(type: number): PolToken {
    const tok = this.i < this.n ? this.toks[this.i]! : undefined;
    if (!tok || tok.tokenTypeIdx !== type) giveUp();
    this.i++;
    return tok!;
  }

  private nextName(): PolToken {
    const tok = this.i < this.n ? this.toks[this.i]! : undefined;
    if (!tok || !NAME[tok.tokenTypeIdx]) giveUp();
    this.i++;
    return tok!;
  }

  /** grammar.ts `kwRef`: the token at `k` is a keyword directly followed by `.` or `[`. */
  private kwRef(k: number): boolean {
    const at = this.i + k - 1;
    if (at + 1 >= this.n) return false;
    const t = this.toks[at]!;
    if (!KEYWORD[t.tokenTypeIdx]) return false;
    const n = this.toks[at + 1]!;
    return (n.tokenTypeIdx === Dot || n.tokenTypeIdx === LBrack) && n.startOffset === (t.endOffset ?? t.startOffset) + 1;
  }

  private isKw(k: number, type: number): boolean {
    return this.t(k) === type && !this.kwRef(k);
  }

  /** The next token touches the previous one. */
  private adjacent(): boolean {
    if (this.i >= this.n || this.i === 0) return false;
    const prev = this.toks[this.i - 1]!;
    return this.toks[this.i]!.startOffset === (prev.endOffset ?? prev.startOffset) + 1;
  }

  private canContinueBody(): boolean {
    if (this.i >= this.n) return false;
    const t = this.toks[this.i]!;
    if (t.tokenTypeIdx === Semi) return true;
    return t.nl === true && !CLOSER[t.tokenTypeIdx];
  }

  private findComprehensionBar(): IToken | undefined {
    let depth = 0;
    for (let at = this.i; at < this.n; at++) {
      const t = this.toks[at]!;
      const type = t.tokenTypeIdx;
      if (OPENER[type]) depth++;
      else if (CLOSER[type]) { if (depth === 0) return undefined; depth--; }
      else if (depth === 0) {
        if (type === Comma) return undefined;
        if (type === Bar) return t;
      }
    }
    return undefined;
  }

  /** `, <chain>` ahead rather than a trailing comma (chevrotain's two-token lookahead there). */
  private commaChain(): boolean {
    return this.t(1) === Comma && FIRST_OPERAND[this.t(2)] === 1;
  }

  /** The items after a list's first (`, x`, or `, k: v` for objects), then an optional trailing comma. */
  private restOfList(items: Term[], pairs = false): void {
    while (this.commaChain()) {
      this.i++;
      items.push(this.chain());
      if (pairs) { this.next(Colon); items.push(this.chain()); }
    }
    if (this.t(1) === Comma) this.i++;
  }

  // ---- locations (to-ast.ts loc/span) ----

  private loc(a: IToken, b: IToken = a): Loc {
    return { file: this.file, line: a.startLine ?? 0, col: a.startColumn ?? 0, offset: a.startOffset, end: (b.endOffset ?? b.startOffset) + 1 };
  }

  private span(a: Loc, b: Loc): Loc {
    return { file: a.file, line: a.line, col: a.col, offset: a.offset, end: Math.max(a.end, b.end) };
  }

  // ---- module statements ----

  private packageDecl(): Package {
    const kw = this.next(Package);
    const term = this.operand();
    const path = stringPath(term);
    if (!path) giveUp();
    return { path: path!, loc: this.span(this.loc(kw), term.loc) };
  }

  private importDecl(): Import {
    const kw = this.next(Import);
    const term = this.operand();
    let aliasTok: PolToken | undefined;
    if (this.t(1) === As) { this.i++; aliasTok = this.nextName(); }
    const loc = this.span(this.loc(kw), aliasTok ? this.loc(aliasTok) : term.loc);
    const path = stringPath(term);
    if (!path || (term.kind !== 'var' && term.kind !== 'ref')) giveUp();
    const root = path![0]!;
    if (aliasTok && aliasTok.tokenTypeIdx !== Ident) giveUp();
    if (root === 'future') {
      if (path![1] !== 'keywords' || path!.length > 3) giveUp();
      if (path!.length === 3 && !FUTURE_KEYWORDS.has(path![2]!)) giveUp();
      if (aliasTok) giveUp();
    } else if (root === 'rego') {
      if (path!.length !== 2 || path![1] !== 'v1') giveUp();
    } else if (!ROOTS.has(root)) {
      giveUp();
    } else if (!aliasTok && isKeyword(path![path!.length - 1]!)) {
      giveUp();
    }
    const imp: Import = { path: term as Import['path'], loc };
    if (aliasTok) imp.alias = aliasTok.image;
    return imp;
  }

  private rule(): Rule {
    let def: PolToken | undefined;
    if (this.isKw(1, Default)) def = this.next(Default);
    const nameTok = this.i < this.n ? this.toks[this.i]! : giveUp();
    const start = this.loc(def ?? nameTok);
    const head = this.ruleHead();
    let body: Expr[] = [];
    let end = head.loc;
    const t = this.t(1);
    const hasBody = t === If || t === LBrace;
    if (hasBody) {
      const b = this.ruleBody();
      body = b.body;
      end = b.end;
    } else if (!def && !head.value && !head.contains) {
      giveUp(); // a rule needs a body or a value (or is v0 syntax)
    }
    if (head.args && head.contains) giveUp();
    const rule: Rule = { kind: 'rule', default: def !== undefined, head, body, hasBody, loc: this.span(start, end) };
    if (def && !defaultOk(rule)) giveUp();
    if (this.isKw(1, Else)) {
      if (def || head.contains) giveUp();
      for (let k = 1; k < head.ref.length; k++) if (!isGround(head.ref[k]!)) giveUp();
      let prev = rule;
      while (this.isKw(1, Else)) {
        const r = this.elseClause(head);
        prev.else = r;
        prev = r;
        rule.loc = this.span(rule.loc, r.loc);
      }
    }
    return rule;
  }

  private ruleHead(): RuleHead {
    const nameTok = this.nextName();
    let loc = this.loc(nameTok);
    if (nameTok.tokenTypeIdx !== Ident) {
      // A keyword names a rule only as the start of a ref (`not.x := 1`).
      const d = this.t(1);
      if ((d !== Dot && d !== LBrack) || this.toks[this.i]!.startOffset !== (nameTok.endOffset ?? 0) + 1) giveUp();
    }
    const ref: Term[] = [{ kind: 'scalar', value: nameTok.image, loc }];
    let args: Term[] | undefined;
    for (let s = this.t(1); s === Dot || s === LBrack || s === LParen; s = this.t(1)) {
      if (args) giveUp(); // nothing may follow a function's arguments
      if (s === Dot) {
        this.i++;
        const name = this.nextName();
        ref.push({ kind: 'scalar', value: name.image, loc: this.loc(name) });
        loc = this.span(loc, this.loc(name));
      } else if (s === LBrack) {
        this.i++;
        ref.push(this.exprKV());
        loc = this.span(loc, this.loc(this.next(RBrack)));
      } else {
        this.i++;
        args = this.callList();
        loc = this.span(loc, this.loc(this.next(RParen)));
      }
    }
    const head: RuleHead = { ref, assign: false, contains: false, loc };
    if (args) head.args = args;
    const t = this.t(1);
    if (t === Contains || t === Assign || t === Unify || t === EqEq) {
      if (t === EqEq) giveUp(); // `==` in a rule head
      if (t === Contains && this.kwRef(1)) giveUp();
      this.i++;
      const v = this.exprKV();
      head.loc = this.span(loc, v.loc);
      if (t === Contains) { head.key = v; head.contains = true; }
      else { head.value = v; head.assign = t === Assign; }
    }
    return head;
  }

  private ruleBody(): { body: Expr[]; end: Loc } {
    // Only `if`: a `{ ... }` body without it is v0 syntax, reported by the AstBuilder.
    if (!this.isKw(1, If)) giveUp();
    this.i++;
    if (this.t(1) === LBrace) {
      // `if {` could also start an object or set literal; chevrotain prefers the body.
      this.i++;
      const body = this.body();
      return { body, end: this.loc(this.next(RBrace)) };
    }
    const expr = this.literal();
    if (expr.body.kind === 'term' && expr.body.term.kind === 'object' && expr.body.term.entries.length === 0 && !expr.negated && !expr.with.length) giveUp();
    return { body: [expr], end: expr.loc };
  }

  private elseClause(parent: RuleHead): Rule {
    const kw = this.next(Else);
    const start = this.loc(kw);
    const head: RuleHead = { ref: parent.ref, assign: false, contains: false, loc: start };
    let hasValue = false;
    const t = this.t(1);
    if (t === Assign || t === Unify) {
      this.i++;
      head.value = this.exprKV();
      head.assign = t === Assign;
      head.loc = this.span(start, head.value.loc);
      hasValue = true;
    }
    let body: Expr[] = [];
    let end = head.loc;
    const hasBody = this.isKw(1, If) || this.t(1) === LBrace;
    if (hasBody) {
      const b = this.ruleBody();
      body = b.body;
      end = b.end;
    }
    if (!hasValue && !hasBody) giveUp();
    return { kind: 'rule', default: false, head, body, hasBody, loc: this.span(start, end) };
  }

  // ---- bodies and expressions ----

  private body(): Expr[] {
    const out = [this.literal()];
    while (this.canContinueBody()) {
      const t = this.t(1);
      if (t === Semi) this.i++;
      else if (!FIRST_OPERAND[t]) break;
      out.push(this.literal());
    }
    return out;
  }

  private literal(): Expr {
    let body: ExprBody;
    let loc: Loc;
    let negated = false;
    if (this.isKw(1, Some)) {
      const start = this.loc(this.next(Some));
      body = this.someDecl();
      loc = this.span(start, body.kind === 'some' ? body.vars[body.vars.length - 1]!.loc : (body as { collection: Term }).collection.loc);
    } else if (this.isKw(1, Every)) {
      const start = this.loc(this.next(Every));
      const dom = this.exprKV();
      this.next(LBrace);
      const inner = this.body();
      const rb = this.next(RBrace);
      body = everyBody(dom, inner);
      loc = this.span(start, this.loc(rb));
    } else {
      const not = this.isKw(1, Not) ? this.next(Not) : undefined;
      negated = not !== undefined;
      const term = this.statementTerm();
      body = { kind: 'term', term };
      loc = not ? this.span(this.loc(not), term.loc) : term.loc;
    }
    let withs = NO_WITHS;
    if (this.isKw(1, With)) {
      withs = [];
      while (this.isKw(1, With)) withs.push(this.withClause());
      loc = this.span(loc, withs[withs.length - 1]!.loc);
    }
    return { kind: 'expr', negated, body, with: withs, loc };
  }

  /** `lhs [(:= | =) rhs]`, each side a chain or `k, v in xs` (to-ast.ts statementTerm, sideOf). */
  private statementTerm(): Term {
    const lhs = this.exprKV();
    const t = this.t(1);
    if (t !== Assign && t !== Unify) return lhs;
    const op = this.toks[this.i++]!;
    const rhs = this.exprKV();
    return infix(op.image, lhs, rhs, this.span(lhs.loc, rhs.loc));
  }


  private someDecl(): ExprBody {
    const chains = [this.chainParts()];
    while (this.t(1) === Comma) { this.i++; chains.push(this.chainParts()); }
    let hasIn = false;
    for (const c of chains) for (const o of c.ops) if (o.tokenTypeIdx === In) hasIn = true;
    if (hasIn) {
      if (chains.length > 2) giveUp();
      const term = chains.length === 2 ? this.keyValueIn(this.combine(chains[0]!), chains[1]!) : this.combine(chains[0]!);
      if (term.kind === 'call' && term.infix === 'in') {
        if (term.args.length === 3) return { kind: 'somein', key: term.args[0]!, value: term.args[1]!, collection: term.args[2]! };
        return { kind: 'somein', value: term.args[0]!, collection: term.args[1]! };
      }
      return giveUp();
    }
    const vars: Var[] = [];
    for (const c of chains) {
      const t = this.combine(c);
      if (t.kind !== 'var') giveUp();
      vars.push(t as Var);
    }
    return { kind: 'some', vars };
  }

  private withClause(): With {
    const kw = this.next(With);
    const target = this.operand();
    if (target.kind !== 'var' && target.kind !== 'ref') giveUp();
    this.next(As);
    const value = this.exprKV();
    return { target, value, loc: this.span(this.loc(kw), value.loc) };
  }

  /** `chain [, chain]`: an infix chain or `k, v in xs` (to-ast.ts exprKV). */
  private exprKV(): Term {
    const first = this.chain();
    if (this.t(1) !== Comma) return first;
    this.i++;
    return this.keyValueIn(first, this.chainParts());
  }

  /** `first, <second>` where the second chain holds the `in` of OPA's member_3. */
  private keyValueIn(first: Term, second: Parts): Term {
    const { operands, ops } = second;
    let i = -1;
    for (let k = 0; k < ops.length; k++) if (ops[k]!.tokenTypeIdx === In) { i = k; break; }
    if (i < 0) giveUp();
    let j = ops.length;
    for (let k = i + 1; k < ops.length; k++) if (ops[k]!.tokenTypeIdx === In) { j = k; break; }
    const value = this.combine({ operands: operands.slice(0, i + 1), ops: ops.slice(0, i) });
    const coll = this.combine({ operands: operands.slice(i + 1, j + 1), ops: ops.slice(i + 1, j) });
    const m3: Call = { kind: 'call', name: MEMBER_3_NAME, args: [first, value, coll], loc: this.span(first.loc, coll.loc), infix: 'in' };
    return this.combine({ operands: [m3, ...operands.slice(j + 1)], ops: ops.slice(j) });
  }

  private chain(): Term {
    const first = this.operand();
    if (!this.chainContinues()) return first;
    // One operator, the most common case, needs no precedence handling.
    const op = this.toks[this.i++]!;
    const second = this.operand();
    if (!this.chainContinues()) return infix(op.image, first, second, this.span(first.loc, second.loc));
    const parts: Parts = { operands: [first, second], ops: [op] };
    this.moreChain(parts);
    return this.combine(parts);
  }

  private chainParts(): Parts {
    const parts: Parts = { operands: [this.operand()], ops: [] };
    this.moreChain(parts);
    return parts;
  }

  private moreChain(parts: Parts): void {
    while (this.chainContinues()) {
      parts.ops.push(this.toks[this.i++]!);
      parts.operands.push(this.operand());
    }
  }

  /** The grammar's chain MANY: an infix operator, not the comprehension's `|`, not `in.x`. */
  private chainContinues(): boolean {
    if (this.i >= this.n) return false;
    const t = this.toks[this.i]!;
    return BINOP[t.tokenTypeIdx] === 1 && t !== this.stopBar && !(t.tokenTypeIdx === In && this.kwRef(1));
  }

  /** Applies precedence to `operand (op operand)*`; all operators are left-associative (to-ast.ts combine). */
  private combine(p: Parts): Term {
    const { operands, ops } = p;
    if (ops.length === 0) return operands[0]!;
    if (ops.length > MAX_OPERATORS) giveUp();
    const out: Term[] = [operands[0]!];
    const pending: IToken[] = [];
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i]!;
      const prec = PRECEDENCE[op.tokenTypeIdx]!;
      while (pending.length && PRECEDENCE[pending[pending.length - 1]!.tokenTypeIdx]! >= prec) this.reduce(out, pending);
      pending.push(op);
      out.push(operands[i + 1]!);
    }
    while (pending.length) this.reduce(out, pending);
    return out[0]!;
  }

  private reduce(out: Term[], pending: IToken[]): void {
    const op = pending.pop()!;
    const r = out.pop()!;
    const l = out.pop()!;
    out.push(infix(op.image, l, r, this.span(l.loc, r.loc)));
  }

  // ---- terms ----

  private operand(): Term {
    if (++this.depth > MAX_DEPTH) giveUp();
    const tok = this.i < this.n ? this.toks[this.i]! : giveUp();
    const type = tok.tokenTypeIdx;
    let t: Term;
    if (type === Ident || (KEYWORD[type] && this.kwRef(1)) || type === Contains) {
      this.i++;
      t = { kind: 'var', name: tok.image, loc: this.loc(tok) };
    } else if (type === StringLit) {
      this.i++;
      t = { kind: 'scalar', value: decodeStringLiteral(tok.image, giveUp), loc: this.loc(tok) };
    } else if (type === NumberLit) {
      this.i++;
      t = number(tok, this.loc(tok));
    } else if (type === Dot) {
      // `.5`: the number must touch the dot.
      const num = this.i + 1 < this.n ? this.toks[this.i + 1]! : giveUp();
      if (num.startOffset !== tok.startOffset + 1 || num.tokenTypeIdx !== NumberLit) giveUp();
      if (!/^[0-9]+(?:[eE][+-]?[0-9]+)?$/.test(num.image)) giveUp();
      this.i += 2;
      t = { kind: 'number', text: '0.' + num.image, loc: this.loc(tok, num) };
    } else if (type === RawString) {
      this.i++;
      t = { kind: 'scalar', value: tok.image.slice(1, -1), raw: true, loc: this.loc(tok) };
    } else if (type === True || type === False || type === Null) {
      this.i++;
      t = { kind: 'scalar', value: type === True ? true : type === False ? false : null, loc: this.loc(tok) };
    } else if (type === Minus) {
      this.i++;
      const inner = this.operand();
      if (inner.kind !== 'number' || inner.text.startsWith('-')) giveUp(); // unary minus on a non-number
      t = { kind: 'number', text: '-' + (inner as NumberTerm).text, loc: this.span(this.loc(tok), inner.loc) };
    } else if (type === LParen) {
      this.i++;
      t = this.exprKV();
      this.next(RParen);
    } else if (type === LBrack) {
      t = this.arrayTerm();
    } else if (type === LBrace) {
      t = this.braceTerm();
    } else {
      return giveUp(); // including unterminated strings, reported by the driver
    }
    // Reference suffixes, only when they touch what precedes them, applied in source order.
    for (let s = this.t(1); (s === Dot || s === LBrack || s === LParen) && this.adjacent(); s = this.t(1)) {
      this.i++;
      if (s === Dot) {
        const name = this.nextName();
        const l = this.loc(name);
        t = extendRef(t, { kind: 'scalar', value: name.image, loc: l }, this.span(t.loc, l));
      } else if (s === LBrack) {
        const key = this.exprKV();
        t = extendRef(t, key, this.span(t.loc, this.loc(this.next(RBrack))));
      } else {
        const args = this.callList();
        const loc = this.span(t.loc, this.loc(this.next(RParen)));
        const name = refNames(t);
        if (!name) giveUp(); // not a function name
        t = name!.length === 1 && name![0] === 'set' && args.length === 0 ? { kind: 'set', items: [], loc } : { kind: 'call', name: name!, args, loc };
      }
    }
    this.depth--;
    return t;
  }

  /** The arguments after `(`, up to (not including) `)`, with an optional trailing comma. */
  private callList(): Term[] {
    const args: Term[] = [];
    if (!FIRST_OPERAND[this.t(1)]) return args;
    args.push(this.chain());
    this.restOfList(args);
    return args;
  }

  private arrayTerm(): Term {
    const saved = this.stopBar;
    const lb = this.next(LBrack);
    this.stopBar = this.findComprehensionBar();
    const items: Term[] = [];
    let body: Expr[] | undefined;
    if (FIRST_OPERAND[this.t(1)]) {
      items.push(this.chain());
      if (this.t(1) === Bar) {
        this.i++;
        body = this.body();
      } else {
        this.restOfList(items);
      }
    }
    this.stopBar = saved;
    const loc = this.loc(lb, this.next(RBrack));
    if (body) return { kind: 'arraycompr', head: items[0]!, body, loc };
    return { kind: 'array', items, loc };
  }

  private braceTerm(): Term {
    const saved = this.stopBar;
    const lb = this.next(LBrace);
    this.stopBar = this.findComprehensionBar();
    const items: Term[] = [];
    let body: Expr[] | undefined;
    let isObject = false;
    if (FIRST_OPERAND[this.t(1)]) {
      items.push(this.chain());
      const t = this.t(1);
      if (t === Colon) {
        isObject = true;
        this.i++;
        items.push(this.chain());
        if (this.t(1) === Bar) {
          this.i++;
          body = this.body();
        } else {
          this.restOfList(items, true);
        }
      } else if (t === Bar) {
        this.i++;
        body = this.body();
      } else {
        this.restOfList(items);
      }
    }
    this.stopBar = saved;
    const loc = this.loc(lb, this.next(RBrace));
    if (body) {
      if (isObject) return { kind: 'objectcompr', key: items[0]!, value: items[1]!, body, loc };
      return { kind: 'setcompr', head: items[0]!, body, loc };
    }
    if (items.length === 0) return { kind: 'object', entries: [], loc };
    if (!isObject) return { kind: 'set', items, loc };
    const entries: [Term, Term][] = [];
    for (let i = 0; i + 1 < items.length; i += 2) entries.push([items[i]!, items[i + 1]!]);
    return { kind: 'object', entries, loc };
  }
}

// ---- helpers, as in to-ast.ts (without the reports: those give up instead) ----

/*
 * Parts of the tree that are the same for many nodes are shared, frozen, rather than made for
 * each: a rule's expressions without `with`, and the names of infix calls (nothing changes a
 * parsed tree; the checker and compiler make new nodes). A 10,000-rule policy's tree is then
 * 90,000 arrays smaller.
 */
const NO_WITHS = Object.freeze([]) as unknown as With[];
const MEMBER_2_NAME = Object.freeze(MEMBER_2.split('.')) as string[];
const MEMBER_3_NAME = Object.freeze(MEMBER_3.split('.')) as string[];
const INFIX_NAMES = new Map(Object.entries(OPERATORS).map(([op, name]) => [op, Object.freeze([name]) as string[]]));

function infix(op: string, l: Term, r: Term, loc: Loc): Call {
  const name = op === 'in' ? MEMBER_2_NAME : INFIX_NAMES.get(op)!;
  return { kind: 'call', name, args: [l, r], loc, infix: op };
}

function extendRef(head: Term, seg: Term, loc: Loc): Term {
  switch (head.kind) {
    case 'ref': return { kind: 'ref', head: head.head, path: [...head.path, seg], loc };
    case 'scalar': case 'number': return giveUp(); // a literal cannot be the head of a reference
    default: return { kind: 'ref', head, path: [seg], loc };
  }
}

function number(t: IToken, loc: Loc): NumberTerm {
  const text = t.image;
  const c1 = text.charCodeAt(1);
  if (text.charCodeAt(0) === 0x30 && c1 >= 0x30 && c1 <= 0x39) giveUp(); // leading zero
  if (text.length > 1000 || text.includes('e') || text.includes('E')) {
    const m = /^([0-9]+)(?:\.[0-9]+)?(?:[eE]([+-]?[0-9]+))?$/.exec(text);
    if (m && m[1]!.length + Math.abs(Number(m[2] ?? 0)) > 30000) giveUp(); // too big
  }
  return { kind: 'number', text, loc };
}

function everyBody(dom: Term, body: Expr[]): ExprBody {
  if (dom.kind !== 'call' || dom.infix !== 'in') return giveUp();
  const [a, b, c] = dom.args;
  const key = dom.args.length === 3 ? a : undefined;
  const value = dom.args.length === 3 ? b! : a!;
  const domain = dom.args.length === 3 ? c! : b!;
  if (key && key.kind !== 'var') giveUp();
  if (value.kind !== 'var') giveUp();
  return key ? { kind: 'every', key: key as Var, value: value as Var, domain, body } : { kind: 'every', value: value as Var, domain, body };
}

/** to-ast.ts checkDefault without the reports. */
function defaultOk(rule: Rule): boolean {
  const h = rule.head;
  if (!h.value || rule.hasBody || nonConstant(h.value)) return false;
  const seen = new Set<string>();
  for (const a of h.args ?? []) {
    if (a.kind !== 'var') return false;
    if (a.name !== '_' && seen.has(a.name)) return false;
    seen.add(a.name);
  }
  return true;
}


function nonConstant(t: Term): boolean {
  switch (t.kind) {
    case 'var': case 'ref': case 'call': return true;
    case 'array': case 'set': return t.items.some(nonConstant);
    case 'object': return t.entries.some(([k, v]) => nonConstant(k) || nonConstant(v));
    default: return false;
  }
}

const shared = new FastParser();

/** Parses one statement (or a query body, or a term) the fast way; undefined means "ask chevrotain". */
export function fastParse(entry: 'packageDecl', tokens: PolToken[], file: string): Package | undefined;
export function fastParse(entry: 'importDecl', tokens: PolToken[], file: string): Import | undefined;
export function fastParse(entry: 'rule', tokens: PolToken[], file: string): Rule | undefined;
export function fastParse(entry: 'query', tokens: PolToken[], file: string): Expr[] | undefined;
export function fastParse(entry: 'termOnly', tokens: PolToken[], file: string): Term | undefined;
export function fastParse(entry: FastEntry, tokens: PolToken[], file: string): Built | undefined;
export function fastParse(entry: FastEntry, tokens: PolToken[], file: string): Built | undefined {
  return shared.parse(entry, tokens, file);
}
