/**
 * Stage `check_safety`: every variable must be bound by a generating expression before it is
 * read. Bodies are reordered (stable: the first ready expression goes next) so that generators
 * come first; what can never be bound is reported as `rego_unsafe_var_error`.
 * The compiler walks the reordered bodies with the same analysis (`exprIO`) to know, statically,
 * which variables are bound at every point.
 */
import type { Expr, Module, Rule, Term, Var } from '../ast/nodes.js';
import { diagnosticAt, type Diagnostic } from '../diagnostic.js';
import { ENGINE_BUILTINS, WILDCARD_PREFIX, refNames } from './resolve.js';
import { BUILTINS_BY_NAME } from '../builtins/decls.js';
import { forEachExprTerm, forEachTerm, termVars } from './walk.js';
import { finish, type Steps } from '../steps.js';

/** Arity of callable names (user functions and builtins); undefined when unknown. */
export type ArityOf = (name: string[]) => number | undefined;

export const isWildcard = (name: string) => name.startsWith(WILDCARD_PREFIX);
export const displayName = (name: string) => (isWildcard(name) ? '_' : name);

/**
 * Variables that a ref can bind by iteration: variables used as path segments, directly or inside
 * a composite segment (`data.r[[1, x]]`).
 */
function refPathVars(t: Term, out: Set<string>): void {
  // Pre-order over the term (not into comprehensions), as forEachTerm visits it.
  switch (t.kind) {
    case 'ref':
      for (const p of t.path) pathPattern(p, out);
      refPathVars(t.head, out);
      for (const p of t.path) refPathVars(p, out);
      break;
    case 'call': for (const a of t.args) refPathVars(a, out); break;
    case 'array': case 'set': for (const i of t.items) refPathVars(i, out); break;
    case 'object': for (const [k, v] of t.entries) { refPathVars(k, out); refPathVars(v, out); } break;
    default: break;
  }
}

function pathPattern(p: Term, out: Set<string>): void {
  switch (p.kind) {
    case 'var': out.add(p.name); break;
    case 'array': case 'set': for (const i of p.items) pathPattern(i, out); break;
    case 'object': for (const [, v] of p.entries) pathPattern(v, out); break;
    default: break;
  }
}

/** Variables of `t` that must be bound before `t` can be evaluated (ref path vars excluded). */
export function termNeeds(t: Term, outer: Set<string>, out: Set<string> = new Set()): Set<string> {
  needsOf(t, false, outer, out);
  return out;
}

function needsOf(x: Term, inPath: boolean, outer: Set<string>, out: Set<string>): void {
  switch (x.kind) {
    case 'var': if (!inPath && x.name !== 'input' && x.name !== 'data') out.add(x.name); break;
    case 'ref': needsOf(x.head, false, outer, out); for (const p of x.path) needsOf(p, true, outer, out); break;
    case 'call': for (const a of x.args) needsOf(a, false, outer, out); break;
    case 'array': case 'set': for (const i of x.items) needsOf(i, inPath, outer, out); break;
    case 'object': for (const [k, v] of x.entries) { needsOf(k, false, outer, out); needsOf(v, inPath, outer, out); } break;
    case 'arraycompr': case 'setcompr': case 'objectcompr':
      for (const v of comprehensionFreeVars(x, outer)) out.add(v);
      break;
    default: break;
  }
}

/**
 * Variables of a comprehension that refer to the enclosing scope: those the enclosing scope knows,
 * unless the comprehension declares them. A comprehension nested in this one contributes its own
 * free variables, so a name it declares (`[x | x := ...]`) is not taken for the enclosing one.
 */
export function comprehensionFreeVars(t: Term, outer: Set<string>): Set<string> {
  const inner = new Set<string>();
  const declared = new Set<string>();
  const body = (t as { body: Expr[] }).body;
  const visit = (x: Term): void => {
    if (x.kind === 'var') inner.add(x.name);
    else if (x !== t && (x.kind === 'arraycompr' || x.kind === 'setcompr' || x.kind === 'objectcompr')) {
      for (const v of comprehensionFreeVars(x, outer)) inner.add(v);
    }
  };
  if (t.kind === 'objectcompr') { forEachTerm(t.key, visit); forEachTerm(t.value, visit); }
  else if (t.kind === 'arraycompr' || t.kind === 'setcompr') forEachTerm(t.head, visit);
  for (const e of body) {
    // `every` bodies are read whole (their own declarations are few and local).
    if (e.body.kind === 'every') forEachExprTerm(e, x => { if (x.kind === 'var') inner.add(x.name); }, true);
    else forEachExprTerm(e, visit);
    collectDeclared(e, declared);
  }
  const free = new Set<string>();
  for (const v of inner) if (outer.has(v) && !declared.has(v) && v !== 'input' && v !== 'data') free.add(v);
  return free;
}

function collectDeclared(e: Expr, out: Set<string>): void {
  const b = e.body;
  if (b.kind === 'some') for (const v of b.vars) out.add(v.name);
  else if (b.kind === 'somein') { if (b.key) termVars(b.key, out); termVars(b.value, out); }
  else if (b.kind === 'term' && b.term.kind === 'call' && b.term.name[0] === 'assign' && b.term.name.length === 1) termVars(b.term.args[0]!, out);
}

/** Input/output analysis of one expression given the bound set. */
export interface ExprIO { ready: boolean; needs: Set<string>; outputs: Set<string> }

const sub = (a: Set<string>, b: Set<string>) => { for (const x of a) if (!b.has(x)) return false; return true; };

/** Whether `a = b` can be evaluated with `bound`, and what it binds. */
function unifyIO(a: Term, b: Term, bound: Set<string>, outer: Set<string>): ExprIO {
  const na = termNeeds(a, outer), nb = termNeeds(b, outer);
  const outputs = new Set<string>();
  termVars(a, outputs); termVars(b, outputs);
  if (sub(na, bound) || sub(nb, bound)) {
    const needs = new Set<string>();
    // The side that is evaluated must be ground; the other is a pattern. Report the smaller need.
    for (const v of sub(na, bound) ? na : nb) needs.add(v);
    return { ready: true, needs, outputs };
  }
  if (a.kind === 'array' && b.kind === 'array' && a.items.length === b.items.length) {
    const local = new Set(bound);
    for (let i = 0; i < a.items.length; i++) {
      const io = unifyIO(a.items[i]!, b.items[i]!, local, outer);
      if (!io.ready) return { ready: false, needs: new Set([...na, ...nb].filter(x => !bound.has(x))), outputs };
      for (const o of io.outputs) local.add(o);
    }
    return { ready: true, needs: new Set(), outputs };
  }
  if (a.kind === 'object' && b.kind === 'object' && a.entries.length === b.entries.length) {
    const local = new Set(bound);
    for (const [ka, va] of a.entries) {
      const match = b.entries.find(([kb]) => sameGroundKey(ka, kb));
      if (!match) break;
      const io = unifyIO(va, match[1], local, outer);
      if (!io.ready) return { ready: false, needs: new Set([...na, ...nb].filter(x => !bound.has(x))), outputs };
      for (const o of io.outputs) local.add(o);
    }
    return { ready: true, needs: new Set(), outputs };
  }
  return { ready: false, needs: new Set([...na, ...nb].filter(x => !bound.has(x))), outputs };
}

function sameGroundKey(a: Term, b: Term): boolean {
  if (a.kind === 'scalar' && b.kind === 'scalar') return a.value === b.value;
  if (a.kind === 'number' && b.kind === 'number') return Number(a.text) === Number(b.text);
  return false;
}

export function exprIO(e: Expr, bound: Set<string>, outer: Set<string>, arityOf: ArityOf): ExprIO {
  const b = e.body;
  let io: ExprIO;
  if (e.negated) {
    // A negated expression binds nothing: all its variables but wildcards must be bound already.
    const needs = new Set<string>();
    forEachExprTerm(e, t => {
      if (t.kind === 'var' && !isWildcard(t.name) && t.name !== 'input' && t.name !== 'data') needs.add(t.name);
      if (t.kind === 'arraycompr' || t.kind === 'setcompr' || t.kind === 'objectcompr') for (const v of comprehensionFreeVars(t, outer)) needs.add(v);
    });
    io = { ready: sub(needs, bound), needs, outputs: new Set() };
  } else {
    switch (b.kind) {
      case 'some': io = { ready: true, needs: new Set(), outputs: new Set() }; break;
      case 'somein': {
        const needs = termNeeds(b.collection, outer);
        const outputs = new Set<string>();
        if (b.key) termVars(b.key, outputs);
        termVars(b.value, outputs);
        refPathVars(b.collection, outputs);
        io = { ready: sub(needs, bound), needs, outputs };
        break;
      }
      case 'every': {
        const needs = termNeeds(b.domain, outer);
        io = { ready: sub(needs, bound), needs, outputs: new Set() };
        break;
      }
      case 'term': io = termExprIO(b.term, bound, outer, arityOf); break;
    }
  }
  for (const w of e.with) {
    // `with f as count`: a function name is not a variable.
    const names = refNames(w.value);
    if (names && (BUILTINS_BY_NAME.has(names.join('.')) || ENGINE_BUILTINS.has(names.join('.')))) continue;
    const n = termNeeds(w.value, outer);
    for (const v of n) io.needs.add(v);
    if (!sub(n, bound)) io.ready = false;
  }
  return io;
}

function termExprIO(t: Term, bound: Set<string>, outer: Set<string>, arityOf: ArityOf): ExprIO {
  if (t.kind === 'call') {
    const name = t.name;
    if (name.length === 1 && name[0] === 'eq' && t.args.length === 2) {
      const io = unifyIO(t.args[0]!, t.args[1]!, bound, outer);
      return io;
    }
    if (name.length === 1 && name[0] === 'assign' && t.args.length === 2) {
      const needs = termNeeds(t.args[1]!, outer);
      const outputs = termVars(t.args[0]!);
      refPathVars(t.args[1]!, outputs);
      return { ready: sub(needs, bound), needs, outputs };
    }
    const arity = arityOf(name);
    const outputs = new Set<string>();
    const needs = new Set<string>();
    const n = arity !== undefined && t.args.length === arity + 1 ? arity : t.args.length;
    for (let i = 0; i < n; i++) termNeeds(t.args[i]!, outer, needs);
    for (const a of t.args) refPathVars(a, outputs);
    // Refs iterate first, so what they bind satisfies the rest of the expression.
    for (const v of outputs) needs.delete(v);
    if (n < t.args.length) termVars(t.args[n]!, outputs);
    return { ready: sub(needs, bound), needs, outputs };
  }
  const needs = termNeeds(t, outer);
  const outputs = new Set<string>();
  refPathVars(t, outputs);
  for (const v of outputs) needs.delete(v);
  return { ready: sub(needs, bound), needs, outputs };
}

/** Names known to a scope: its own vars outside closures plus everything bound on entry. */
export function scopeNames(body: Expr[], bound: Set<string>): Set<string> {
  const out = new Set(bound);
  for (const e of body) forEachExprTerm(e, t => { if (t.kind === 'var') out.add(t.name); });
  return out;
}

export interface OrderResult { body: Expr[]; bound: Set<string> }

/**
 * Orders a body so every expression runs after the expressions that bind its inputs; reorders
 * nested closures too. Unsafe variables are reported into `diags`.
 */
export function orderBody(body: Expr[], bound0: Set<string>, outer0: Set<string>, arityOf: ArityOf, diags: Diagnostic[]): OrderResult {
  // The names known around an expression (`outer`) are read only by closures (comprehensions,
  // `every` bodies): a body without any, the common case, skips computing them.
  const flags = body.map(exprFlags);
  const closures = flags.map(f => (f & CLOSURE) !== 0);
  const pending: { e: Expr; outer: Set<string>; closure: boolean; plain: boolean }[] = [];
  if (closures.includes(true)) {
    const outerAll = new Set(outer0);
    for (const v of scopeNames(body, bound0)) outerAll.add(v);
    // A name declared (`:=`, `some`) later in the body is not the same variable as one used in a
    // closure before the declaration.
    const declaredAt = new Map<string, number>();
    body.forEach((e, i) => {
      const names = new Set<string>();
      collectDeclared(e, names);
      for (const n of names) if (!declaredAt.has(n) && !bound0.has(n)) declaredAt.set(n, i);
    });
    const outerFor = (i: number) => {
      if (declaredAt.size === 0 || !closures[i]) return outerAll;
      const o = new Set(outerAll);
      for (const [n, at] of declaredAt) if (at > i) o.delete(n);
      return o;
    };
    body.forEach((e, i) => pending.push({ e, outer: outerFor(i), closure: closures[i]!, plain: flags[i] === 0 }));
  } else {
    body.forEach((e, i) => pending.push({ e, outer: outer0, closure: false, plain: flags[i] === 0 }));
  }
  const bound = new Set(bound0);
  const ordered: Expr[] = [];
  while (pending.length) {
    let idx = -1;
    let io: ExprIO | undefined;
    for (let i = 0; i < pending.length; i++) {
      const p = pending[i]!;
      if (p.plain) { idx = i; io = PLAIN_IO; break; }
      const x = exprIO(p.e, bound, p.outer, arityOf);
      if (x.ready) { idx = i; io = x; break; }
    }
    if (idx < 0 || !io) {
      // Nothing can run: report the variables nobody binds, at their first occurrence.
      const reported = new Set<string>();
      // Report only what no pending expression could bind: the rest is collateral.
      const bindable = new Set<string>();
      for (const { e, outer } of pending) for (const o of exprIO(e, bound, outer, arityOf).outputs) bindable.add(o);
      for (const { e, outer } of pending) {
        const io = exprIO(e, bound, outer, arityOf);
        for (const v of io.needs) {
          if (bound.has(v) || reported.has(v) || bindable.has(v)) continue;
          reported.add(v);
          const at = findVar(e, v);
          diags.push(diagnosticAt('rego_unsafe_var_error', at?.loc ?? e.loc, `var ${displayName(v)} is unsafe`));
        }
      }
      if (reported.size === 0) {
        // Every remaining name could be bound by another waiting expression. Name the ones the
        // author wrote (a template expression's value variable is the parser's, `$t...`).
        for (const { e, outer } of pending) {
          for (const v of exprIO(e, bound, outer, arityOf).outputs) {
            if (v.startsWith('$') || bound.has(v) || reported.has(v)) continue;
            reported.add(v);
            const at = findVar(e, v);
            diags.push(diagnosticAt('rego_unsafe_var_error', at?.loc ?? e.loc, `var ${displayName(v)} is unsafe`));
          }
        }
      }
      if (reported.size === 0) diags.push(diagnosticAt('rego_unsafe_var_error', pending[0]!.e.loc, 'expression is unsafe'));
      ordered.push(...pending.map(p => p.e));
      break;
    }
    const { e, outer, closure } = idx === 0 ? pending.shift()! : pending.splice(idx, 1)[0]!;
    ordered.push(closure ? orderNested(e, bound, outer, arityOf, diags) : e);
    for (const v of io.outputs) bound.add(v);
  }
  return { body: ordered, bound };
}

/** exprFlags: a closure (an `every`, or a comprehension among the terms exprIO looks into). */
const CLOSURE = 1;
/** exprFlags: a variable other than `input` and `data`. */
const VARS = 2;

/**
 * An expression with neither (`input.role == "admin"`) is ready whatever is bound, needs nothing
 * and binds nothing of note (`input`/`data`, which no analysis ever needs): exprIO would say so.
 */
const PLAIN_IO: ExprIO = { ready: true, needs: new Set(), outputs: new Set() };

/** CLOSURE and VARS of an expression, over the terms forEachExprTerm visits (not into closures). */
function exprFlags(e: Expr): number {
  const b = e.body;
  let f = 0;
  switch (b.kind) {
    case 'every': return CLOSURE | VARS;
    case 'some': f = b.vars.length ? VARS : 0; break;
    case 'term': f = termFlags(b.term); break;
    case 'somein': f = (b.key ? termFlags(b.key) : 0) | termFlags(b.value) | termFlags(b.collection); break;
  }
  for (const w of e.with) f |= termFlags(w.value);
  return f;
}

function termFlags(t: Term): number {
  switch (t.kind) {
    case 'var': return t.name === 'input' || t.name === 'data' ? 0 : VARS;
    case 'arraycompr': case 'setcompr': case 'objectcompr': return CLOSURE | VARS;
    case 'ref': { let f = termFlags(t.head); for (const p of t.path) f |= termFlags(p); return f; }
    case 'call': { let f = 0; for (const a of t.args) f |= termFlags(a); return f; }
    case 'array': case 'set': { let f = 0; for (const i of t.items) f |= termFlags(i); return f; }
    case 'object': { let f = 0; for (const [k, v] of t.entries) f |= termFlags(k) | termFlags(v); return f; }
    default: return 0;
  }
}

/** `xs.map(fn)`, or `xs` itself when `fn` returns every element unchanged. */
function mapSame<X>(xs: X[], fn: (x: X) => X): X[] {
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i]!;
    const y = fn(x);
    if (y !== x) {
      const out = xs.slice(0, i);
      out.push(y);
      for (let j = i + 1; j < xs.length; j++) out.push(fn(xs[j]!));
      return out;
    }
  }
  return xs;
}

function findVar(e: Expr, name: string): Var | undefined {
  let found: Var | undefined;
  forEachExprTerm(e, t => { if (!found && t.kind === 'var' && t.name === name) found = t; }, true);
  return found;
}

/** Reorders closures (comprehensions, `every` bodies) inside an expression, given what is bound. */
function orderNested(e: Expr, bound: Set<string>, outer: Set<string>, arityOf: ArityOf, diags: Diagnostic[]): Expr {
  const b = e.body;
  const mapT = (t: Term) => orderTerm(t, bound, outer, arityOf, diags);
  switch (b.kind) {
    case 'term': {
      // Only closures are reordered: an expression without one comes back as it is.
      const term = mapT(b.term);
      const withs = mapSame(e.with, w => { const value = mapT(w.value); return value === w.value ? w : { ...w, value }; });
      if (term === b.term && withs === e.with) return e;
      return { ...e, body: { kind: 'term', term }, with: withs };
    }
    case 'somein': {
      const collection = mapT(b.collection);
      if (collection === b.collection) return e;
      const nb = { ...b, collection };
      return { ...e, body: nb };
    }
    case 'every': {
      const inner = new Set(bound);
      if (b.key) inner.add(b.key.name);
      inner.add(b.value.name);
      const r = orderBody(b.body, inner, outer, arityOf, diags);
      return { ...e, body: { ...b, domain: mapT(b.domain), body: r.body } };
    }
    default: return e;
  }
}

export function orderTerm(t: Term, bound: Set<string>, outer: Set<string>, arityOf: ArityOf, diags: Diagnostic[]): Term {
  switch (t.kind) {
    case 'scalar': case 'number': case 'var': return t;
    default: break;
  }
  const rec = (x: Term) => orderTerm(x, bound, outer, arityOf, diags);
  switch (t.kind) {
    case 'ref': {
      const head = rec(t.head);
      const path = mapSame(t.path, rec);
      return head === t.head && path === t.path ? t : { ...t, head, path };
    }
    case 'call': { const args = mapSame(t.args, rec); return args === t.args ? t : { ...t, args }; }
    case 'array': case 'set': { const items = mapSame(t.items, rec); return items === t.items ? t : { ...t, items }; }
    case 'object': {
      const entries = mapSame(t.entries, e => {
        const k = rec(e[0]);
        const v = rec(e[1]);
        return k === e[0] && v === e[1] ? e : [k, v] as [Term, Term];
      });
      return entries === t.entries ? t : { ...t, entries };
    }
    case 'arraycompr': case 'setcompr': case 'objectcompr': {
      const free = comprehensionFreeVars(t, outer);
      const inner = new Set([...bound].filter(v => free.has(v)));
      const before = diags.length;
      const r = orderBody(t.body, inner, new Set(), arityOf, diags);
      const headTerms = t.kind === 'objectcompr' ? [t.key, t.value] : [t.head];
      if (diags.length === before) for (const h of headTerms) {
        for (const v of termNeeds(h, new Set())) {
          if (!r.bound.has(v) && !inner.has(v)) {
            let at: Var | undefined;
            forEachTerm(h, x => { if (!at && x.kind === 'var' && x.name === v) at = x; });
            diags.push(diagnosticAt('rego_unsafe_var_error', at?.loc ?? t.loc, `var ${displayName(v)} is unsafe`));
          }
        }
      }
      return { ...t, body: r.body };
    }
    default: return t;
  }
}

/** Orders every rule body of a module and checks that head variables are bound. */
export function checkRuleSafety(rule0: Rule, arityOf: ArityOf, diags: Diagnostic[]): Rule {
  const rule = moveHeadTermsIntoBody(rule0);
  const bound = new Set<string>();
  for (const a of rule.head.args ?? []) termVars(a, bound);
  const outer = new Set(bound);
  const r = orderBody(rule.body, bound, outer, arityOf, diags);
  const headTerms: Term[] = [...rule.head.ref.slice(1)];
  if (rule.head.key) headTerms.push(rule.head.key);
  if (rule.head.value) headTerms.push(rule.head.value);
  const reported = new Set<string>();
  const value = rule.head.value && orderTerm(rule.head.value, r.bound, outer, arityOf, diags);
  const key = rule.head.key && orderTerm(rule.head.key, r.bound, outer, arityOf, diags);
  let head = rule.head;
  if (value !== head.value || key !== head.key) {
    head = { ...rule.head };
    if (head.value) head.value = value;
    if (head.key) head.key = key;
  }
  for (const h of headTerms) {
    for (const v of termNeeds(h, new Set(r.bound))) {
      if (r.bound.has(v) || reported.has(v)) continue;
      reported.add(v);
      let at: Var | undefined;
      forEachTerm(h, x => { if (!at && x.kind === 'var' && x.name === v) at = x; });
      diags.push(diagnosticAt('rego_unsafe_var_error', at?.loc ?? rule.head.loc, `var ${displayName(v)} is unsafe`));
    }
  }
  const body = sameItems(r.body, rule.body) ? rule.body : r.body;
  if (!rule.else && head === rule.head && body === rule.body) return rule;
  const out: Rule = { ...rule, head, body };
  if (rule.else) out.else = checkRuleSafety({ ...rule.else, head: { ...rule.else.head, args: rule.head.args } }, arityOf, diags);
  return out;
}

function sameItems<X>(a: X[], b: X[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * A head value or key that is computed (`q := xs[_]`, `f(x) := x + 1`) is evaluated as the last
 * expression of the body, so refs in it may iterate and calls run with the body's bindings.
 */
function moveHeadTermsIntoBody(rule: Rule): Rule {
  if (rule.default) return rule;
  const computed = (t: Term | undefined): t is Term => !!t && t.kind !== 'scalar' && t.kind !== 'number' && t.kind !== 'var' && !isLiteral(t);
  if (!computed(rule.head.value) && !computed(rule.head.key)) return rule;
  const head = { ...rule.head };
  const body = [...rule.body];
  for (const [field, name] of [['value', '$hv'], ['key', '$hk']] as const) {
    const t = head[field];
    if (!computed(t)) continue;
    const v: Var = { kind: 'var', name, loc: t.loc };
    body.push({ kind: 'expr', negated: false, with: [], loc: t.loc, body: { kind: 'term', term: { kind: 'call', name: ['eq'], args: [v, t], loc: t.loc } } });
    head[field] = v;
  }
  return { ...rule, head, body };
}

function isLiteral(t: Term): boolean {
  switch (t.kind) {
    case 'scalar': case 'number': return true;
    case 'array': case 'set': return t.items.every(isLiteral);
    case 'object': return t.entries.every(([k, v]) => isLiteral(k) && isLiteral(v));
    default: return false;
  }
}

export function checkModuleSafety(m: Module, arityOf: ArityOf, diags: Diagnostic[]): Module {
  return finish(checkModuleSafetySteps(m, arityOf, diags));
}

/** `checkModuleSafety` a rule at a time (see `Steps`). */
export function* checkModuleSafetySteps(m: Module, arityOf: ArityOf, diags: Diagnostic[]): Steps<Module> {
  const rules: Rule[] = [];
  for (const r of m.rules) {
    rules.push(checkRuleSafety(r, arityOf, diags));
    yield;
  }
  return { ...m, rules };
}
