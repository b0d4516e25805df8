/**
 * CST → AST. Applies operator precedence to the flat infix chains the grammar produces, turns
 * operators into OPA-named calls, decodes literals, and validates what the grammar deliberately
 * accepts too loosely (v0 rule syntax, `==` in a head, default rule values...) with targeted
 * messages. Every node gets a source span.
 */
import type { CstNode, IToken } from 'chevrotain';
import {
  MEMBER_2, MEMBER_3, OPERATORS,
  type ArrayCompr, type Call, type Expr, type ExprBody, type Import, type NumberTerm, type ObjectCompr,
  type Package, type Ref, type Rule, type RuleHead, type Scalar, type SetCompr, type Term, type Var, type With,
} from '../ast/nodes.js';
import { diagnosticAt, type Diagnostic, type Loc } from '../diagnostic.js';
import * as T from '../lexer/tokens.js';
import { MSG, type Msg } from './messages.js';
import { decodeEscape } from '../ast/escapes.js';
import { scanTemplate, templateText } from '../lexer/template.js';

type Kids = Record<string, (CstNode | IToken)[] | undefined>;

/** Binding strength of infix operators, lowest first, as in OPA's parser. */
const PRECEDENCE: Record<string, number> = {
  in: 1,
  '==': 2, '!=': 2, '<': 2, '<=': 2, '>': 2, '>=': 2,
  '|': 3,
  '&': 4,
  '+': 5, '-': 5,
  '*': 6, '/': 6, '%': 6,
};

/** Infix operators allowed in one expression (the tree they build is as deep as the chain is long). */
export const MAX_OPERATORS = 1000;

const ROOTS = new Set(['data', 'input']);
const FUTURE_KEYWORDS = new Set(['in', 'every', 'contains', 'if']);
const KEYWORDS = new Set(T.KEYWORD_TOKENS.map(t => String(t.PATTERN).slice(1, -1)));

export function isKeyword(name: string): boolean { return KEYWORDS.has(name); }

// Shared empty results: these helpers run for every CST node of every rule.
const NO_NODES: CstNode[] = [];
const NO_TOKENS: IToken[] = [];
const nodes = (n: CstNode, key: string): CstNode[] => (n.children[key] as CstNode[] | undefined) ?? NO_NODES;
const toks = (n: CstNode, key: string): IToken[] => (n.children[key] as IToken[] | undefined) ?? NO_TOKENS;
const node = (n: CstNode, key: string): CstNode | undefined => (n.children[key] as CstNode[] | undefined)?.[0];
const tok = (n: CstNode, key: string): IToken | undefined => (n.children[key] as IToken[] | undefined)?.[0];

/** Thrown when a CST is incomplete (only after a syntax error, which is already reported). */
class Incomplete extends Error {}
const need = <X>(x: X | undefined): X => { if (x === undefined) throw new Incomplete(); return x; };

/** Parses an expression's source on its own (the parser's `parseQuery`, injected to avoid an import cycle). */
export type QueryParser = (text: string, file: string) => { value?: Expr[] | undefined; diagnostics: Diagnostic[] };

export class AstBuilder {
  /** Numbers the variables template expressions collect their values in. */
  private templateVars = 0;
  constructor(readonly file: string, readonly diagnostics: Diagnostic[], private readonly parseQueryText?: QueryParser) {}

  // ---- locations and errors ----

  loc(a: IToken, b: IToken = a): Loc {
    if (Number.isNaN(a.startOffset) || Number.isNaN(b.startOffset)) throw new Incomplete();
    return { file: this.file, line: a.startLine ?? 0, col: a.startColumn ?? 0, offset: a.startOffset, end: (b.endOffset ?? b.startOffset) + 1 };
  }
  span(a: Loc, b: Loc): Loc { return { file: a.file, line: a.line, col: a.col, offset: a.offset, end: Math.max(a.end, b.end) }; }
  error(loc: Loc, m: Msg): void { this.diagnostics.push(diagnosticAt('rego_parse_error', loc, m.message, m.help)); }

  // ---- terms ----

  operand(n: CstNode): Term {
    const c = n.children as Kids;
    let t: Term | undefined;
    const ident = c['Ident'] as IToken[] | undefined;
    const str = ident ? undefined : c['StringLit'] as IToken[] | undefined;
    if (ident) t = { kind: 'var', name: ident[0]!.image, loc: this.loc(ident[0]!) };
    else if (str) t = { kind: 'scalar', value: this.decodeString(str[0]!), loc: this.loc(str[0]!) };
    // Otherwise one pass over the (few) children keys instead of probing for every alternative.
    else for (const key in c) {
      const first = (c[key] as IToken[])[0]!;
      switch (key) {
        case 'Keyword': case 'Ident': case 'Contains':
          t = { kind: 'var', name: first.image, loc: this.loc(first) }; break;
        case 'NumberLit': t = this.number(first, '', this.loc(first)); break;
        case 'Dot': { // `.5`
          const num = need(tok(n, 'NumberLit'));
          t = { kind: 'number', text: '0.' + num.image, loc: this.loc(first, num) };
          if (!/^[0-9]+(?:[eE][+-]?[0-9]+)?$/.test(num.image)) this.error(t.loc, MSG.unexpectedToken('.' + num.image));
          break;
        }
        case 'StringLit': t = { kind: 'scalar', value: this.decodeString(first), loc: this.loc(first) }; break;
        case 'RawString': t = { kind: 'scalar', value: first.image.slice(1, -1), raw: true, loc: this.loc(first) }; break;
        case 'UnterminatedString': t = { kind: 'scalar', value: first.image.slice(1), loc: this.loc(first) }; break;
        case 'UnterminatedRawString': t = { kind: 'scalar', value: first.image.slice(1), raw: true, loc: this.loc(first) }; break;
        case 'TemplateString': t = this.template(first); break;
        case 'UnterminatedTemplate': t = { kind: 'scalar', value: '', loc: this.loc(first) }; break; // reported by the lexer layer
        case 'True': t = { kind: 'scalar', value: true, loc: this.loc(first) }; break;
        case 'False': t = { kind: 'scalar', value: false, loc: this.loc(first) }; break;
        case 'Null': t = { kind: 'scalar', value: null, loc: this.loc(first) }; break;
        case 'Minus': {
          const inner = this.operand(need(node(n, 'operand')));
          const l = this.span(this.loc(first), inner.loc);
          if (inner.kind === 'number' && !inner.text.startsWith('-')) t = { kind: 'number', text: '-' + inner.text, loc: l };
          else { this.error(this.loc(first), MSG.unaryMinus()); t = inner; }
          break;
        }
        case 'LParen': t = this.exprKV(need(node(n, 'exprKV'))); break;
        case 'arrayTerm': t = this.arrayTerm(c[key]![0] as CstNode); break;
        case 'braceTerm': t = this.braceTerm(c[key]![0] as CstNode); break;
        default: break;
      }
      if (t) break;
    }
    if (!t) throw new Incomplete();
    // A leading-dot number (`.5`) owns the first Dot; the rest are reference suffixes.
    const allDots = c['Dot'] as IToken[] | undefined;
    const leadingDot = t.kind === 'number' && allDots !== undefined && allDots[0]!.startOffset === t.loc.offset;
    const dots = leadingDot ? (allDots.length > 1 ? allDots.slice(1) : undefined) : allDots;
    const bracks = c['LBrack'] as IToken[] | undefined;
    const calls = c['callArgs'] as CstNode[] | undefined;
    if (!dots && !bracks && !calls) return t;
    if (dots && !bracks && !calls) {
      const names = c['Name'] as IToken[];
      for (let i = 0; i < dots.length; i++) t = this.dotSuffix(t, need(names[i]));
      return t;
    }
    return this.mixedSuffixes(t, n, leadingDot ? 1 : 0);
  }

  /** Applies `.name`, `[expr]` and `(args)` suffixes in source order (the CST groups them by kind). */
  private mixedSuffixes(head: Term, n: CstNode, skipDots: number): Term {
    const dots = toks(n, 'Dot').slice(skipDots);
    const names = toks(n, 'Name');
    const bracks = toks(n, 'LBrack');
    const rbracks = toks(n, 'RBrack');
    // A parenthesised primary `(x)` contributes the first exprKV child.
    const keys = nodes(n, 'exprKV').slice(tok(n, 'LParen') ? 1 : 0);
    const calls = nodes(n, 'callArgs');
    type Step = { at: number; apply: (t: Term) => Term };
    const steps: Step[] = [];
    dots.forEach((d, i) => steps.push({ at: d.startOffset, apply: t => this.dotSuffix(t, need(names[i])) }));
    bracks.forEach((b, i) => steps.push({
      at: b.startOffset,
      apply: t => this.extendRef(t, this.exprKV(need(keys[i])), this.loc(need(rbracks[i]))),
    }));
    calls.forEach(call => steps.push({ at: need(tok(call, 'LParen')).startOffset, apply: t => this.callSuffix(t, call) }));
    steps.sort((a, b) => a.at - b.at);
    let t = head;
    for (const step of steps) t = step.apply(t);
    return t;
  }

  private dotSuffix(head: Term, name: IToken): Term {
    const l = this.loc(name);
    return this.extendRef(head, { kind: 'scalar', value: name.image, loc: l }, l);
  }

  private callSuffix(head: Term, call: CstNode): Term {
    const args = this.list(node(call, 'list'));
    const loc = this.span(head.loc, this.loc(need(tok(call, 'RParen'))));
    const name = refNames(head);
    if (!name) {
      this.error(head.loc, MSG.callTarget());
      return head;
    }
    if (name.length === 1 && name[0] === 'set' && args.length === 0) return { kind: 'set', items: [], loc };
    return { kind: 'call', name, args, loc };
  }

  private number(t: IToken, sign: string, loc: Loc): NumberTerm {
    const text = t.image;
    if (/^0[0-9]/.test(text)) this.error(loc, MSG.leadingZero(text));
    const m = /^([0-9]+)(?:\.[0-9]+)?(?:[eE]([+-]?[0-9]+))?$/.exec(text);
    if (m && m[1]!.length + Math.abs(Number(m[2] ?? 0)) > 30000) this.error(loc, MSG.numberTooBig(text));
    return { kind: 'number', text: sign + text, loc };
  }

  /**
   * A template string as OPA compiles it: `internal.template_string([text, {v | v = expr}, ...])`.
   * Each expression is parsed on its own (locations moved to where it stands in the file) and
   * becomes the set of its values, so an undefined one prints `<undefined>` instead of failing.
   */
  private template(tok: IToken): Term {
    const loc = this.loc(tok);
    const image = tok.image;
    const raw = image.charCodeAt(1) === 0x60;
    const scan = scanTemplate(image, 0);
    const items: Term[] = [];
    for (const part of scan.parts) {
      const at = this.locIn(tok, part.start, part.end);
      if (part.kind === 'text') {
        const source = image.slice(part.start, part.end);
        // `pos` counts the quote the decoder is given; `from` is the stretch's place in the part.
        const value = templateText(source, raw, (s, from) => decodeStringLiteral(`"${s}"`, (pos, esc) => this.badEscape(tok, part.start + from + pos - 1, esc)));
        items.push({ kind: 'scalar', value, loc: at });
        continue;
      }
      const expr = this.templateExpression(image.slice(part.start, part.end), at);
      if (!expr) continue;
      const v: Term = { kind: 'var', name: TEMPLATE_VAR + this.templateVars++, loc: at };
      const body: Expr = { kind: 'expr', negated: false, with: expr.with, loc: at, body: { kind: 'term', term: { kind: 'call', name: ['eq'], args: [v, expr.term], loc: at } } };
      items.push({ kind: 'setcompr', head: v, body: [body], loc: at });
    }
    return { kind: 'call', name: ['internal', 'template_string'], args: [{ kind: 'array', items, loc }], loc, template: image };
  }

  /** One `{...}` of a template: a single value expression, with its `with` modifiers. */
  private templateExpression(source: string, at: Loc): { term: Term; with: Expr['with'] } | undefined {
    if (!this.parseQueryText) { this.error(at, MSG.templateExpression()); return undefined; }
    const parsed = this.parseQueryText(source, this.file);
    const shift = (l: Loc) => moveLoc(l, at);
    for (const d of parsed.diagnostics) {
      const l = shift({ file: d.file, line: d.line, col: d.col, offset: d.offset ?? 0, end: d.end ?? d.offset ?? 0 });
      // The expression's text ends at its `}`, not at the end of the file.
      const message = d.message === MSG.unexpectedEof().message ? MSG.incompleteTemplateExpression().message : d.message;
      this.diagnostics.push({ ...d, message, file: l.file, line: l.line, col: l.col, offset: l.offset, end: l.end });
    }
    if (parsed.diagnostics.length || !parsed.value) return undefined;
    const [e, ...more] = parsed.value;
    const ok = e && more.length === 0 && !e.negated && e.body.kind === 'term'
      && !(e.body.term.kind === 'call' && ['eq', 'assign'].includes(e.body.term.name.join('.')));
    if (!ok) { this.error(at, MSG.templateExpression()); return undefined; }
    moveLocs(e, at);
    this.renameTemplateVars(e);
    return { term: (e.body as { term: Term }).term, with: e.with };
  }

  /**
   * Gives the variables of templates nested in an expression (named by the parse of that
   * expression alone) names of this module's sequence, so nested templates never share one.
   */
  private renameTemplateVars(root: unknown): void {
    const renamed = new Map<string, string>();
    forEachObject(root, o => {
      if (o.kind !== 'var' || typeof o.name !== 'string' || !o.name.startsWith(TEMPLATE_VAR)) return;
      let name = renamed.get(o.name);
      if (name === undefined) { name = TEMPLATE_VAR + this.templateVars++; renamed.set(o.name, name); }
      o.name = name;
    });
  }

  /** The location of `image[start, end)` of a token (which may span lines). */
  private locIn(tok: IToken, start: number, end: number): Loc {
    const base = this.loc(tok);
    const before = tok.image.slice(0, start);
    const lines = before.split('\n');
    const line = base.line + lines.length - 1;
    const col = lines.length === 1 ? base.col + start : lines[lines.length - 1]!.length + 1;
    return { file: base.file, line, col, offset: base.offset + start, end: base.offset + end };
  }

  /** JSON string decoding with an error that names the bad escape. */
  private decodeString(t: IToken): string {
    return decodeStringLiteral(t.image, (at, esc) => this.badEscape(t, at, esc));
  }

  private badEscape(t: IToken, at: number, esc: string): void {
    const l = this.loc(t);
    this.error({ ...l, col: l.col + at, offset: l.offset + at, end: l.offset + at + esc.length }, MSG.invalidEscape(esc));
  }

  private extendRef(head: Term, seg: Term, end: Loc): Term {
    const loc = this.span(head.loc, end);
    switch (head.kind) {
      case 'ref': return { kind: 'ref', head: head.head, path: [...head.path, seg], loc };
      case 'scalar': case 'number':
        this.error(head.loc, MSG.illegalRefHead(head.kind === 'number' ? 'number' : head.value === null ? 'null' : typeof head.value === 'boolean' ? 'boolean' : 'string'));
        return head;
      default: return { kind: 'ref', head, path: [seg], loc };
    }
  }

  list(n: CstNode | undefined): Term[] {
    return n ? nodes(n, 'chain').map(c => this.chain(c)) : [];
  }

  /** Applies precedence to `operand (op operand)*`; all operators are left-associative. */
  chain(n: CstNode): Term {
    const operands = nodes(n, 'operand');
    if (operands.length === 1) return this.operand(operands[0]!);
    return this.combine(operands.map(o => this.operand(o)), toks(n, 'BinOp'));
  }

  private combine(operands: Term[], ops: IToken[]): Term {
    if (operands.length === 0) throw new Incomplete();
    if (ops.length === 0) return operands[0]!;
    // Operator chains become left-deep trees; later passes walk them recursively.
    if (ops.length > MAX_OPERATORS) {
      this.error(this.loc(ops[MAX_OPERATORS]!), MSG.tooManyOperators(MAX_OPERATORS));
      throw new Incomplete();
    }
    const out: Term[] = [operands[0]!];
    const pending: IToken[] = [];
    const reduce = () => {
      const op = pending.pop()!;
      const r = out.pop()!;
      const l = out.pop()!;
      out.push(this.infix(op.image, l, r));
    };
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i]!;
      const p = PRECEDENCE[op.image]!;
      while (pending.length && PRECEDENCE[pending[pending.length - 1]!.image]! >= p) reduce();
      pending.push(op);
      out.push(need(operands[i + 1]));
    }
    while (pending.length) reduce();
    return out[0]!;
  }

  private infix(op: string, l: Term, r: Term): Call {
    const name = op === 'in' ? MEMBER_2.split('.') : [OPERATORS[op as keyof typeof OPERATORS]];
    return { kind: 'call', name, args: [l, r], loc: this.span(l.loc, r.loc), infix: op };
  }

  /** `chain` or `key, value in collection` (OPA's member_3), followed by any further `in`. */
  exprKV(n: CstNode): Term {
    const chains = nodes(n, 'chain');
    const first = this.chain(need(chains[0]));
    if (chains.length < 2) return first;
    const second = chains[1]!;
    const operands = nodes(second, 'operand').map(o => this.operand(o));
    const ops = toks(second, 'BinOp');
    const i = ops.findIndex(o => o.tokenType === T.In);
    if (i < 0) {
      this.error(this.loc(need(tok(n, 'Comma'))), MSG.keyValueIn());
      return first;
    }
    let j = ops.findIndex((o, k) => k > i && o.tokenType === T.In);
    if (j < 0) j = ops.length;
    const value = this.combine(operands.slice(0, i + 1), ops.slice(0, i));
    const coll = this.combine(operands.slice(i + 1, j + 1), ops.slice(i + 1, j));
    const m3: Call = { kind: 'call', name: MEMBER_3.split('.'), args: [first, value, coll], loc: this.span(first.loc, coll.loc), infix: 'in' };
    return this.combine([m3, ...operands.slice(j + 1)], ops.slice(j));
  }

  private arrayTerm(n: CstNode): Term {
    const loc = this.loc(need(tok(n, 'LBrack')), need(tok(n, 'RBrack')));
    const items = nodes(n, 'chain').map(c => this.chain(c));
    const body = node(n, 'body');
    if (body) return { kind: 'arraycompr', head: need(items[0]), body: this.body(body), loc } satisfies ArrayCompr;
    return { kind: 'array', items, loc };
  }

  private braceTerm(n: CstNode): Term {
    const loc = this.loc(need(tok(n, 'LBrace')), need(tok(n, 'RBrace')));
    const items = nodes(n, 'chain').map(c => this.chain(c));
    const body = node(n, 'body');
    const isObject = toks(n, 'Colon').length > 0;
    if (body) {
      if (isObject) return { kind: 'objectcompr', key: need(items[0]), value: need(items[1]), body: this.body(body), loc } satisfies ObjectCompr;
      return { kind: 'setcompr', head: need(items[0]), body: this.body(body), loc } satisfies SetCompr;
    }
    if (items.length === 0) return { kind: 'object', entries: [], loc };
    if (!isObject) return { kind: 'set', items, loc };
    const entries: [Term, Term][] = [];
    for (let i = 0; i + 1 < items.length; i += 2) entries.push([items[i]!, items[i + 1]!]);
    return { kind: 'object', entries, loc };
  }

  // ---- expressions ----

  body(n: CstNode): Expr[] {
    return nodes(n, 'literal').map(l => this.literal(l));
  }

  literal(n: CstNode): Expr {
    let body: ExprBody;
    let loc: Loc;
    let negated = false;
    const some = node(n, 'someDecl');
    const every = node(n, 'everyExpr');
    if (some) {
      const start = this.loc(need(tok(some, 'Some')));
      body = this.someDecl(some, start);
      loc = this.span(start, lastLoc(body));
    } else if (every) {
      const start = this.loc(need(tok(every, 'Every')));
      body = this.everyExpr(every, start);
      loc = this.span(start, this.loc(need(tok(every, 'RBrace'))));
    } else {
      const not = tok(n, 'Not');
      negated = not !== undefined;
      const term = this.statementTerm(n);
      body = { kind: 'term', term };
      loc = not ? this.span(this.loc(not), term.loc) : term.loc;
    }
    const withs = nodes(n, 'withClause').map(w => this.withClause(w));
    if (withs.length) loc = this.span(loc, withs[withs.length - 1]!.loc);
    return { kind: 'expr', negated, body, with: withs, loc };
  }

  /** `lhs [(:= | =) rhs]` of a literal, each side a chain or `k, v in xs` (see the grammar's literal rule). */
  private statementTerm(n: CstNode): Term {
    const chains = nodes(n, 'chain');
    const commas = toks(n, 'Comma');
    const op = tok(n, 'Assign') ?? tok(n, 'Unify');
    if (!op) return this.sideOf(chains, commas);
    const lhsCommas = commas.filter(c => c.startOffset < op.startOffset);
    const split = 1 + lhsCommas.length;
    const lhs = this.sideOf(chains.slice(0, split), lhsCommas);
    const rhs = this.sideOf(chains.slice(split), commas.slice(lhsCommas.length));
    return this.infix(op.image, lhs, rhs);
  }

  private sideOf(chains: CstNode[], commas: IToken[]): Term {
    if (chains.length === 1) return this.chain(chains[0]!);
    return this.exprKV({ name: 'exprKV', children: { chain: chains, Comma: commas } });
  }

  private someDecl(n: CstNode, start: Loc): ExprBody {
    const chains = nodes(n, 'chain');
    const hasIn = chains.some(c => toks(c, 'BinOp').some(o => o.tokenType === T.In));
    if (hasIn) {
      if (chains.length > 2) { this.error(start, MSG.someForm()); throw new Incomplete(); }
      const term = chains.length === 2 ? this.exprKVFrom(n, chains) : this.chain(chains[0]!);
      if (term.kind === 'call' && term.infix === 'in') {
        if (term.args.length === 3) return { kind: 'somein', key: term.args[0]!, value: term.args[1]!, collection: term.args[2]! };
        return { kind: 'somein', value: term.args[0]!, collection: term.args[1]! };
      }
      this.error(start, MSG.someForm());
      throw new Incomplete();
    }
    const vars: Var[] = [];
    for (const c of chains) {
      const t = this.chain(c);
      if (t.kind !== 'var') { this.error(t.loc, MSG.someForm()); throw new Incomplete(); }
      vars.push(t);
    }
    return { kind: 'some', vars };
  }

  /** Treats `chains[0], chains[1]` of a `some`/`every` node like an `exprKV`. */
  private exprKVFrom(n: CstNode, chains: CstNode[]): Term {
    return this.exprKV({ name: 'exprKV', children: { chain: chains.slice(0, 2), Comma: toks(n, 'Comma').slice(0, 1) } });
  }

  private everyExpr(n: CstNode, start: Loc): ExprBody {
    const dom = this.exprKV(need(node(n, 'exprKV')));
    const body = this.body(need(node(n, 'body')));
    if (dom.kind !== 'call' || dom.infix !== 'in') { this.error(start, MSG.everyForm()); throw new Incomplete(); }
    const [a, b, c] = dom.args;
    const key = dom.args.length === 3 ? a : undefined;
    const value = dom.args.length === 3 ? b! : a!;
    const domain = dom.args.length === 3 ? c! : b!;
    if (key && key.kind !== 'var') { this.error(key.loc, MSG.everyKeyVar()); throw new Incomplete(); }
    if (value.kind !== 'var') { this.error(value.loc, MSG.everyValueVar()); throw new Incomplete(); }
    return key ? { kind: 'every', key, value, domain, body } : { kind: 'every', value, domain, body };
  }

  private withClause(n: CstNode): With {
    const kw = need(tok(n, 'With'));
    const target = this.operand(need(node(n, 'operand')));
    if (target.kind !== 'var' && target.kind !== 'ref') this.error(target.loc, MSG.withTarget());
    const value = this.exprKV(need(node(n, 'exprKV')));
    return { target, value, loc: this.span(this.loc(kw), value.loc) };
  }

  // ---- module statements ----

  packageDecl(n: CstNode): Package | undefined {
    const kw = need(tok(n, 'Package'));
    const term = this.operand(need(node(n, 'operand')));
    const path = stringPath(term);
    if (!path) { this.error(term.loc, MSG.packagePath()); return undefined; }
    return { path, loc: this.span(this.loc(kw), term.loc) };
  }

  importDecl(n: CstNode): Import | undefined {
    const kw = need(tok(n, 'Import'));
    const term = this.operand(need(node(n, 'operand')));
    const aliasTok = tok(n, 'Name');
    const loc = this.span(this.loc(kw), aliasTok ? this.loc(aliasTok) : term.loc);
    const path = stringPath(term);
    if (!path || (term.kind !== 'var' && term.kind !== 'ref')) { this.error(term.loc, MSG.importPath()); return undefined; }
    const root = path[0]!;
    if (aliasTok && aliasTok.tokenType !== T.Ident) { this.error(this.loc(aliasTok), MSG.importAliasKeyword(aliasTok.image)); return undefined; }
    if (root === 'future') {
      if (path[1] !== 'keywords' || path.length > 3) { this.error(term.loc, MSG.futureImport()); return undefined; }
      if (path.length === 3 && !FUTURE_KEYWORDS.has(path[2]!)) { this.error(term.loc, MSG.futureKeyword(path[2]!)); return undefined; }
      if (aliasTok) { this.error(term.loc, MSG.futureAlias()); return undefined; }
    } else if (root === 'rego') {
      if (path.length !== 2 || path[1] !== 'v1') { this.error(term.loc, MSG.regoImport()); return undefined; }
    } else if (!ROOTS.has(root)) {
      this.error(term.loc, MSG.importRoot(root));
      return undefined;
    } else if (!aliasTok && isKeyword(path[path.length - 1]!)) {
      this.error(term.loc, MSG.importKeywordTail(path[path.length - 1]!));
      return undefined;
    }
    const imp: Import = { path: term, loc };
    if (aliasTok) imp.alias = aliasTok.image;
    return imp;
  }

  rule(n: CstNode): Rule | undefined {
    const def = tok(n, 'Default');
    const headNode = need(node(n, 'ruleHead'));
    const nameTok = need(tok(headNode, 'Name'));
    const start = this.loc(def ?? nameTok);
    const head = this.ruleHead(headNode);
    if (!head) return undefined;
    const bodyNode = node(n, 'ruleBody');
    let body: Expr[] = [];
    let end = head.loc;
    let ok = true;
    if (bodyNode) {
      const b = this.ruleBody(bodyNode);
      body = b.body;
      end = b.end;
      if (!b.hasIf) {
        ok = false;
        if (!head.value && !head.contains && !head.args && head.ref.length === 2) {
          this.error(b.start, MSG.v0PartialSet(refText(head.ref.slice(0, 1)), termText(head.ref[1]!)));
        } else {
          this.error(b.start, MSG.missingIf(headText(head)));
        }
      }
    } else if (!def && !head.value && !head.contains) {
      ok = false;
      if (head.ref.length === 2 && !head.args) this.error(head.loc, MSG.v0PartialSet(refText(head.ref.slice(0, 1)), termText(head.ref[1]!)));
      else this.error(head.loc, MSG.ruleNeedsBodyOrValue(headText(head)));
    }
    if (head.args && head.contains) { ok = false; this.error(head.loc, MSG.containsWithArgs(headText(head))); }

    const rule: Rule = { kind: 'rule', default: def !== undefined, head, body, hasBody: bodyNode !== undefined, loc: this.span(start, end) };
    if (def) ok = this.checkDefault(rule, start) && ok;

    const elses = nodes(n, 'elseClause');
    if (elses.length) {
      if (def) { this.error(this.loc(need(tok(elses[0]!, 'Else'))), MSG.elseDefault()); return undefined; }
      if (head.contains) { this.error(this.loc(need(tok(elses[0]!, 'Else'))), MSG.elseMultiValue()); return undefined; }
      if (head.ref.slice(1).some(t => !isGround(t))) { this.error(this.loc(need(tok(elses[0]!, 'Else'))), MSG.elseVarHead()); return undefined; }
      let prev = rule;
      for (const e of elses) {
        const r = this.elseClause(e, head);
        if (!r) return undefined;
        prev.else = r;
        prev = r;
        rule.loc = this.span(rule.loc, r.loc);
      }
    }
    return ok ? rule : undefined;
  }

  private ruleHead(n: CstNode): RuleHead | undefined {
    const nameTok = need(tok(n, 'Name'));
    let loc = this.loc(nameTok);
    if (nameTok.tokenType !== T.Ident) {
      const next = nodes(n, 'headSuffix')[0];
      const d = next && (tok(next, 'Dot') ?? tok(next, 'LBrack'));
      if (!d || d.startOffset !== (nameTok.endOffset ?? 0) + 1) { this.error(loc, MSG.unexpectedKeyword(nameTok.image)); return undefined; }
    }
    const ref: Term[] = [{ kind: 'scalar', value: nameTok.image, loc }];
    let args: Term[] | undefined;
    for (const s of nodes(n, 'headSuffix')) {
      if (args) { this.error(loc, MSG.headAfterCall()); return undefined; }
      const dot = tok(s, 'Dot');
      const lb = tok(s, 'LBrack');
      if (dot) {
        const name = need(tok(s, 'Name'));
        ref.push({ kind: 'scalar', value: name.image, loc: this.loc(name) });
        loc = this.span(loc, this.loc(name));
      } else if (lb) {
        ref.push(this.exprKV(need(node(s, 'exprKV'))));
        loc = this.span(loc, this.loc(need(tok(s, 'RBrack'))));
      } else {
        const call = need(node(s, 'callArgs'));
        args = this.list(node(call, 'list'));
        loc = this.span(loc, this.loc(need(tok(call, 'RParen'))));
      }
    }
    const head: RuleHead = { ref, assign: false, contains: false, loc };
    if (args) head.args = args;
    const valueNode = node(n, 'exprKV');
    if (valueNode) {
      const v = this.exprKV(valueNode);
      head.loc = this.span(loc, v.loc);
      if (tok(n, 'Contains')) { head.key = v; head.contains = true; }
      else if (tok(n, 'EqEq')) { this.error(this.loc(need(tok(n, 'EqEq'))), MSG.eqeqAtHead(headText(head))); return undefined; }
      else { head.value = v; head.assign = tok(n, 'Assign') !== undefined; }
    }
    return head;
  }

  private ruleBody(n: CstNode): { body: Expr[]; hasIf: boolean; start: Loc; end: Loc } {
    const ifTok = tok(n, 'If');
    const lb = tok(n, 'LBrace');
    const rb = tok(n, 'RBrace');
    const start = this.loc(ifTok ?? need(lb));
    if (lb) {
      const b = node(n, 'body');
      if (!b) { this.error(start, MSG.emptyBody()); throw new Incomplete(); }
      const body = this.body(b);
      return { body, hasIf: ifTok !== undefined, start, end: this.loc(need(rb)) };
    }
    const expr = this.literal(need(node(n, 'literal')));
    // `p if {}` is an empty object literal to OPA; nobody means that, so it is reported as an empty body.
    if (expr.body.kind === 'term' && expr.body.term.kind === 'object' && expr.body.term.entries.length === 0 && !expr.negated && !expr.with.length) {
      this.error(start, MSG.emptyBody());
      throw new Incomplete();
    }
    return { body: [expr], hasIf: true, start, end: expr.loc };
  }

  private elseClause(n: CstNode, parent: RuleHead): Rule | undefined {
    const kw = need(tok(n, 'Else'));
    const start = this.loc(kw);
    const valueNode = node(n, 'exprKV');
    const bodyNode = node(n, 'ruleBody');
    if (!valueNode && !bodyNode) { this.error(start, MSG.elseNeedsValueOrBody()); return undefined; }
    const head: RuleHead = { ref: parent.ref, assign: false, contains: false, loc: start };
    if (valueNode) {
      head.value = this.exprKV(valueNode);
      head.assign = tok(n, 'Assign') !== undefined;
      head.loc = this.span(start, head.value.loc);
    }
    let body: Expr[] = [];
    let end = head.loc;
    if (bodyNode) {
      const b = this.ruleBody(bodyNode);
      if (!b.hasIf) { this.error(b.start, MSG.missingIf('else')); return undefined; }
      body = b.body;
      end = b.end;
    }
    return { kind: 'rule', default: false, head, body, hasBody: bodyNode !== undefined, loc: this.span(start, end) };
  }

  private checkDefault(rule: Rule, start: Loc): boolean {
    const h = rule.head;
    if (!h.value) { this.error(start, MSG.defaultNoValue()); return false; }
    if (rule.hasBody) { this.error(start, MSG.defaultBody()); return false; }
    const bad = nonConstant(h.value);
    if (bad) { this.error(start, MSG.defaultValue(bad)); return false; }
    const seen = new Set<string>();
    for (const a of h.args ?? []) {
      if (a.kind !== 'var') { this.error(start, MSG.defaultArgs(a.kind)); return false; }
      if (a.name !== '_' && seen.has(a.name)) { this.error(start, MSG.defaultRepeatedArg(a.name)); return false; }
      seen.add(a.name);
    }
    return true;
  }
}

// ---- helpers over literals and AST terms (shared with the fast parser) ----

/** The prefix of template expressions' value variables (`$` keeps them apart from user names). */
const TEMPLATE_VAR = '$t';

/** `l`, found in text parsed on its own, moved to where that text starts (`at`) in the file. */
function moveLoc(l: Loc, at: Loc): Loc {
  return { file: at.file, line: l.line + at.line - 1, col: l.line === 1 ? l.col + at.col - 1 : l.col, offset: l.offset + at.offset, end: l.end + at.offset };
}

/** Calls `fn` once for every object in an AST (nodes and their locations), however often it is shared. */
function forEachObject(root: unknown, fn: (o: Record<string, unknown>, key: string) => void): void {
  const seen = new Set<object>();
  const visit = (x: unknown, key: string): void => {
    if (typeof x !== 'object' || x === null || seen.has(x)) return;
    seen.add(x);
    if (Array.isArray(x)) { for (const y of x) visit(y, key); return; }
    const o = x as Record<string, unknown>;
    fn(o, key);
    for (const k of Object.keys(o)) visit(o[k], k);
  };
  visit(root, '');
}

/** Moves every location in an AST parsed on its own. */
function moveLocs(root: unknown, at: Loc): void {
  forEachObject(root, (o, key) => { if (key === 'loc') Object.assign(o, moveLoc(o as unknown as Loc, at)); });
}

/**
 * Decodes a string literal's text (quotes included) as JSON does. On a bad escape, calls
 * `onBadEscape` with its offset and text and returns what was decoded so far.
 */
export function decodeStringLiteral(s: string, onBadEscape: (at: number, esc: string) => void): string {
  if (s.indexOf('\\') < 0) return s.slice(1, -1);
  let out = '';
  for (let i = 1; i < s.length - 1; i++) {
    const ch = s[i]!;
    if (ch !== '\\') { out += ch; continue; }
    const e = s[++i];
    const decoded = decodeEscape(s, i);
    if (decoded === undefined) {
      onBadEscape(i - 1, e === 'u' ? '\\u' + s.slice(i + 1, i + 5).replace(/".*$/, '') : '\\' + (e ?? ''));
      return out;
    }
    out += decoded.text;
    i += decoded.length - 1;
  }
  return out;
}

/** `a.b.c` / `a["b"].c` → ["a","b","c"]; anything else → undefined. */
export function stringPath(t: Term): string[] | undefined {
  if (t.kind === 'var') return [t.name];
  if (t.kind !== 'ref' || t.head.kind !== 'var') return undefined;
  const out = [t.head.name];
  for (const p of t.path) {
    if (p.kind !== 'scalar' || typeof p.value !== 'string') return undefined;
    out.push(p.value);
  }
  return out;
}

/** The dotted name of a call target (`f`, `io.jwt.decode`, `data.lib.f`), if it is one. */
export function refNames(t: Term): string[] | undefined {
  if (t.kind === 'var') return [t.name];
  return stringPath(t);
}

export function isGround(t: Term): boolean {
  switch (t.kind) {
    case 'scalar': case 'number': return true;
    case 'var': case 'ref': case 'call': return false;
    case 'array': case 'set': return t.items.every(isGround);
    case 'object': return t.entries.every(([k, v]) => isGround(k) && isGround(v));
    default: return false;
  }
}

/** What makes a default value non-constant (`ref`, `var`, `call`), ignoring comprehension bodies. */
function nonConstant(t: Term): string | undefined {
  switch (t.kind) {
    case 'var': case 'ref': case 'call': return t.kind;
    case 'array': case 'set': for (const i of t.items) { const b = nonConstant(i); if (b) return b; } return undefined;
    case 'object': for (const [k, v] of t.entries) { const b = nonConstant(k) ?? nonConstant(v); if (b) return b; } return undefined;
    default: return undefined;
  }
}

function lastLoc(b: ExprBody): Loc {
  switch (b.kind) {
    case 'some': return b.vars[b.vars.length - 1]!.loc;
    case 'somein': return b.collection.loc;
    default: throw new Incomplete();
  }
}

function termText(t: Term): string {
  switch (t.kind) {
    case 'var': return t.name;
    case 'scalar': return JSON.stringify(t.value);
    case 'number': return t.text;
    default: return 'x';
  }
}

function refText(ref: Term[]): string {
  return ref.map((t, i) => (t.kind === 'scalar' && typeof t.value === 'string' && /^[A-Za-z_][A-Za-z0-9_]*$/.test(t.value)
    ? (i ? '.' : '') + t.value : `[${termText(t)}]`)).join('');
}

function headText(h: RuleHead): string {
  return refText(h.ref) + (h.args ? '(...)' : '');
}

export { Incomplete };
export type { Ref, Scalar };
