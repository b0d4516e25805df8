/**
 * The canonical printer behind `pol fmt`: tabs for indentation, one blank line between
 * statements, `if {` bodies with one expression per line, spaces around operators, minimal
 * parentheses (derived from the parser's precedence table), composites kept multi-line when they
 * were written over several lines. Printing a module and parsing the result gives the same AST.
 */
import type { Call, Comment, Expr, Import, Module, Rule, RuleHead, Term } from '../ast/nodes.js';
import { CommentQueue, commentText } from './comments.js';

/** Binding strength, lowest first; must agree with the parser's table. Atoms are 10. */
const PREC: Record<string, number> = {
  ':=': 0, '=': 0,
  in: 1,
  '==': 2, '!=': 2, '<': 2, '<=': 2, '>': 2, '>=': 2,
  '|': 3,
  '&': 4,
  '+': 5, '-': 5,
  '*': 6, '/': 6, '%': 6,
};

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
const tabs = (n: number) => '\t'.repeat(n);

const isInfix = (t: Term): t is Call & { infix: string } => t.kind === 'call' && t.infix !== undefined;
const precOf = (t: Term): number => (isInfix(t) ? PREC[t.infix] ?? 10 : 10);
const isMember3 = (t: Term) => isInfix(t) && t.infix === 'in' && t.args.length === 3;

export class Printer {
  private readonly q: CommentQueue;

  constructor(private readonly source: string, comments: Comment[]) {
    this.q = new CommentQueue([...comments].sort((a, b) => a.loc.offset - b.loc.offset), source);
  }

  private multiline(t: Term): boolean {
    return this.source.slice(t.loc.offset, t.loc.end).includes('\n');
  }

  // ---- terms ----

  term(t: Term, ind: number): string {
    switch (t.kind) {
      case 'scalar':
        if (typeof t.value === 'string') return t.raw && !t.value.includes('`') ? '`' + t.value + '`' : JSON.stringify(t.value);
        return String(t.value);
      case 'number': return t.text;
      case 'var': return t.name;
      case 'ref': {
        let out = isInfix(t.head) || t.head.kind === 'number' ? `(${this.term(t.head, ind)})` : this.term(t.head, ind);
        for (const p of t.path) out += this.segment(p, ind);
        return out;
      }
      case 'call':
        if (t.template !== undefined) return t.template;
        if (t.infix !== undefined) return this.infix(t as Call & { infix: string }, ind);
        return `${t.name.join('.')}(${t.args.map(a => this.item(a, ind)).join(', ')})`;
      case 'array': return this.collection('[', ']', t, t.items.map(i => ({ start: i.loc.offset, end: i.loc.end, print: (n: number) => this.item(i, n) })), ind);
      case 'set':
        if (t.items.length === 0) return 'set()';
        return this.collection('{', '}', t, t.items.map(i => ({ start: i.loc.offset, end: i.loc.end, print: (n: number) => this.item(i, n) })), ind);
      case 'object':
        return this.collection('{', '}', t, t.entries.map(([k, v]) => ({
          start: k.loc.offset, end: v.loc.end, print: (n: number) => `${this.item(k, n)}: ${this.item(v, n)}`,
        })), ind);
      case 'arraycompr': return this.compr('[', ']', this.item(t.head, ind), t.body, this.multiline(t), ind);
      case 'setcompr': return this.compr('{', '}', this.item(t.head, ind), t.body, this.multiline(t), ind);
      case 'objectcompr': return this.compr('{', '}', `${this.item(t.key, ind)}: ${this.item(t.value, ind)}`, t.body, this.multiline(t), ind);
    }
  }

  private segment(p: Term, ind: number): string {
    if (p.kind === 'scalar' && typeof p.value === 'string' && IDENT.test(p.value)) return '.' + p.value;
    return `[${this.term(p, ind)}]`;
  }

  /** An element of a collection, argument list or comprehension head: `|` and `k, v in xs` need parentheses there. */
  private item(t: Term, ind: number): string {
    const s = this.term(t, ind);
    return isInfix(t) && (t.infix === '|' || isMember3(t) || PREC[t.infix] === 0) ? `(${s})` : s;
  }

  /**
   * A literal collection: on one line, or (when written over several lines) one element per line
   * with a trailing comma, keeping the comments between elements.
   */
  private collection(open: string, close: string, t: Term, items: { start: number; end: number; print: (ind: number) => string }[], ind: number): string {
    if (items.length === 0) return open + close;
    if (!this.multiline(t)) return open + items.map(i => i.print(ind)).join(', ') + close;
    const pad = tabs(ind + 1);
    let out = open + '\n';
    items.forEach((item, k) => {
      for (const c of this.q.takeBefore(item.start)) out += pad + commentText(c) + '\n';
      out += pad + item.print(ind + 1) + ',';
      const tc = this.q.takeTrailing(item.end, items[k + 1]?.start ?? t.loc.end - 1);
      out += (tc ? ' ' + commentText(tc) : '') + '\n';
    });
    for (const c of this.q.takeBefore(t.loc.end - 1)) out += pad + commentText(c) + '\n';
    return out + tabs(ind) + close;
  }

  private compr(open: string, close: string, head: string, body: Expr[], isMulti: boolean, ind: number): string {
    if (!isMulti) return `${open}${head} | ${body.map(e => this.expr(e, ind)).join('; ')}${close}`;
    return `${open}${head} |\n${this.bodyLines(body, ind + 1, body[body.length - 1]!.loc.end).join('\n')}\n${tabs(ind)}${close}`;
  }

  private infix(t: Call & { infix: string }, ind: number): string {
    const p = PREC[t.infix] ?? 10;
    if (t.args.length === 3) {
      const [k, v, xs] = t.args as [Term, Term, Term];
      return `${this.side(k, p, true, ind)}, ${this.side(v, p, true, ind)} in ${this.side(xs, p, true, ind)}`;
    }
    const [l, r] = t.args as [Term, Term];
    return `${this.side(l, p, false, ind)} ${t.infix} ${this.side(r, p, true, ind)}`;
  }

  /** An operand: parenthesised when it binds less tightly than its operator (or equally, on the right). */
  private side(t: Term, p: number, right: boolean, ind: number): string {
    const s = this.term(t, ind);
    const q = precOf(t);
    return q < p || (right && q === p) || isMember3(t) ? `(${s})` : s;
  }

  // ---- expressions ----

  expr(e: Expr, ind: number): string {
    const b = e.body;
    let s: string;
    switch (b.kind) {
      case 'term': {
        const t = b.term;
        s = isInfix(t) && PREC[t.infix] === 0
          ? `${this.topSide(t.args[0]!, ind)} ${t.infix} ${this.topSide(t.args[1]!, ind)}`
          : this.topSide(t, ind);
        if (e.negated) s = 'not ' + s;
        break;
      }
      case 'some': s = 'some ' + b.vars.map(v => v.name).join(', '); break;
      case 'somein':
        s = `some ${b.key ? this.side(b.key, 1, true, ind) + ', ' : ''}${this.side(b.value, 1, true, ind)} in ${this.side(b.collection, 1, true, ind)}`;
        break;
      case 'every':
        s = `every ${b.key ? b.key.name + ', ' : ''}${b.value.name} in ${this.side(b.domain, 1, true, ind)} {\n`
          + `${this.bodyLines(b.body, ind + 1, e.loc.end).join('\n')}\n${tabs(ind)}}`;
        break;
    }
    for (const w of e.with) s += ` with ${this.term(w.target, ind)} as ${this.topSide(w.value, ind)}`;
    return s;
  }

  /** A full expression position: `k, v in xs` may stand bare, assignment may not nest. */
  private topSide(t: Term, ind: number): string {
    const s = this.term(t, ind);
    return isInfix(t) && PREC[t.infix] === 0 ? `(${s})` : s;
  }

  /** Body expressions, one per line, with their comments. `end` is where the body closes. */
  bodyLines(body: Expr[], ind: number, end: number): string[] {
    const lines: string[] = [];
    body.forEach((e, i) => {
      for (const c of this.q.takeBefore(e.loc.offset)) lines.push(tabs(ind) + commentText(c));
      let line = tabs(ind) + this.expr(e, ind);
      const tc = this.q.takeTrailing(e.loc.end, body[i + 1]?.loc.offset ?? end);
      if (tc) line += ' ' + commentText(tc);
      lines.push(line);
    });
    for (const c of this.q.takeBefore(end)) lines.push(tabs(ind) + commentText(c));
    return lines;
  }

  // ---- rules and modules ----

  private headText(h: RuleHead, isDefault: boolean): string {
    let s = isDefault ? 'default ' : '';
    h.ref.forEach((t, i) => {
      s += i === 0 && t.kind === 'scalar' && typeof t.value === 'string' ? t.value : this.segment(t, 0);
    });
    if (h.args) s += `(${h.args.map(a => this.item(a, 0)).join(', ')})`;
    if (h.contains && h.key) s += ` contains ${this.topSide(h.key, 0)}`;
    if (h.value) s += ` ${h.assign ? ':=' : '='} ${this.topSide(h.value, 0)}`;
    return s;
  }

  /** True when the body was written in braces (`if { ... }`) rather than `if expr`. */
  private braced(from: number, firstExpr: Expr | undefined): boolean {
    if (!firstExpr) return true;
    return this.source.slice(from, firstExpr.loc.offset).replace(/#[^\n]*/g, '').includes('{');
  }

  rule(r: Rule): string {
    let text = this.headText(r.head, r.default);
    text += this.bodyText(r, r.head.loc.end);
    for (let e = r.else; e; e = e.else) {
      text += ' else';
      if (e.head.value) text += ` ${e.head.assign ? ':=' : '='} ${this.topSide(e.head.value, 0)}`;
      text += this.bodyText(e, e.head.loc.end);
    }
    return text;
  }

  private bodyText(r: Rule, headEnd: number): string {
    if (!r.hasBody) return '';
    const end = r.else ? r.else.loc.offset : r.loc.end;
    if (!this.braced(headEnd, r.body[0]) && r.body.length === 1) return ' if ' + this.expr(r.body[0]!, 0);
    return ` if {\n${this.bodyLines(r.body, 1, end).join('\n')}\n}`;
  }

  private importText(i: Import): string {
    return `import ${this.term(i.path, 0)}${i.alias ? ' as ' + i.alias : ''}`;
  }

  /** Leading comments of a top-level statement, keeping blank lines between comment groups. */
  private leading(out: string[], offset: number, startLine: number): void {
    const cs = this.q.takeBefore(offset);
    cs.forEach((c, k) => {
      const prev = cs[k - 1];
      if (prev && c.loc.line > prev.loc.line + 1) out.push('');
      out.push(commentText(c));
    });
    const last = cs[cs.length - 1];
    if (last && startLine > last.loc.line + 1) out.push('');
  }

  private statement(out: string[], print: () => string, loc: { offset: number; end: number; line: number }, nextStart: number): void {
    this.leading(out, loc.offset, loc.line);
    const text = print();
    const tc = this.q.takeTrailing(loc.end, nextStart);
    out.push(tc ? `${text} ${commentText(tc)}` : text);
  }

  module(m: Module): string {
    const out: string[] = [];
    const starts = [...m.imports.map(i => i.loc.offset), ...m.rules.map(r => r.loc.offset), Infinity];
    const pkgPath = m.package.path.map((p, i) => (i === 0 ? p : IDENT.test(p) ? '.' + p : `[${JSON.stringify(p)}]`)).join('');
    this.statement(out, () => `package ${pkgPath}`, m.package.loc, starts[0]!);
    m.imports.forEach((imp, i) => {
      if (i === 0) out.push('');
      this.statement(out, () => this.importText(imp), imp.loc, starts[i + 1]!);
    });
    m.rules.forEach((r, i) => {
      out.push('');
      this.statement(out, () => this.rule(r), r.loc, starts[m.imports.length + i + 1]!);
    });
    const rest = this.q.rest();
    if (rest.length) {
      out.push('');
      for (const c of rest) out.push(commentText(c));
    }
    return dropDoubleBlank(out).join('\n') + '\n';
  }
}

/** Leading comment blocks can add a blank line next to a separator; keep only one. */
function dropDoubleBlank(lines: string[]): string[] {
  const out: string[] = [];
  for (const l of lines) {
    if (l === '' && out[out.length - 1] === '') continue;
    out.push(l);
  }
  return out;
}
