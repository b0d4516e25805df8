/**
 * Stage `resolve_refs`: rewrites names to absolute references.
 *  - `input`/`data` stay root variables;
 *  - an import alias becomes the imported reference;
 *  - a name of a rule in the same package becomes `data.<pkg>.<name>`;
 *  - calls resolve to `data.<pkg>.<f>`, an import, or a builtin (unknown → `rego_type_error`);
 *  - every `_` becomes a distinct generated variable.
 * Declared locals (`some`, `:=`, `some … in`, `every`, function parameters) shadow rule names.
 */
import type { Expr, ExprBody, Import, Module, Ref, Rule, Term, Var, With } from '../ast/nodes.js';
import { diagnosticAt, type Diagnostic, type Loc } from '../diagnostic.js';
import { BUILTINS_BY_NAME } from '../builtins/decls.js';
import { forEachExprTerm, forEachTerm, termVars } from './walk.js';
import { finish, type Steps } from '../steps.js';

/** Builtins the evaluator implements itself (not in the declaration catalogue). */
export const ENGINE_BUILTINS = new Set(['eq', 'assign', 'print', 'internal.member_2', 'internal.member_3', 'internal.print', 'internal.template_string']);

export const WILDCARD_PREFIX = '$_';

export interface ResolveContext {
  /** First head segment names of rules, per package key (`a.b`). */
  ruleNames: Map<string, Set<string>>;
  diagnostics: Diagnostic[];
  wildcardCounter: { n: number };
}

export function packageKey(path: string[]): string { return path.join('\u0000'); }

export function collectRuleNames(modules: Module[]): Map<string, Set<string>> {
  const names = new Map<string, Set<string>>();
  for (const m of modules) {
    const key = packageKey(m.package.path);
    let set = names.get(key);
    if (!set) names.set(key, set = new Set());
    for (const r of m.rules) {
      const first = r.head.ref[0];
      if (first && first.kind === 'scalar' && typeof first.value === 'string') set.add(first.value);
      else if (first && first.kind === 'var') set.add(first.name);
    }
  }
  return names;
}

interface Scope {
  pkg: string[];
  ruleNames: Set<string>;
  aliases: Map<string, Term>;
  locals: Set<string>;
  ctx: ResolveContext;
}

const dataVar = (loc: Loc): Var => ({ kind: 'var', name: 'data', loc });
const str = (value: string, loc: Loc): Term => ({ kind: 'scalar', value, loc });

function importAliases(m: Module, diagnostics: Diagnostic[]): Map<string, Term> {
  const aliases = new Map<string, Term>();
  for (const imp of m.imports) {
    const alias = importAlias(imp);
    if (alias === undefined) continue;
    if (aliases.has(alias)) {
      diagnostics.push(diagnosticAt('rego_compile_error', imp.loc, `import must not shadow import ${alias}`));
    }
    aliases.set(alias, imp.path);
  }
  return aliases;
}

/** The name an import binds, or undefined for `future.keywords…` / `rego.v1`. */
export function importAlias(imp: Import): string | undefined {
  const p = imp.path;
  const head = p.kind === 'var' ? p.name : p.head.kind === 'var' ? p.head.name : '';
  if (head === 'future' || head === 'rego') return undefined;
  if (imp.alias) return imp.alias;
  if (p.kind === 'var') return p.name;
  const last = p.path[p.path.length - 1];
  if (last && last.kind === 'scalar' && typeof last.value === 'string') return last.value;
  return undefined;
}

/** Names a body declares at its own level (`some`, `:=`, `some … in`); closures are scopes of their own. */
function declaredIn(body: Expr[], out: Set<string> = new Set()): Set<string> {
  for (const e of body) {
    const b = e.body;
    if (b.kind === 'some') for (const v of b.vars) out.add(v.name);
    else if (b.kind === 'somein') { if (b.key) termVars(b.key, out); termVars(b.value, out); }
    else if (b.kind === 'term' && b.term.kind === 'call' && b.term.name.length === 1 && b.term.name[0] === 'assign') termVars(b.term.args[0]!, out);
  }
  return out;
}

/** Names declared in a rule's own scope: parameters, head variables, body declarations. */
function declaredLocals(rule: Rule): Set<string> {
  const out = new Set<string>();
  if (rule.head.args) for (const a of rule.head.args) termVars(a, out);
  const ref = rule.head.ref;
  for (let i = 1; i < ref.length; i++) { const t = ref[i]!; if (t.kind === 'var') out.add(t.name); }
  for (let r: Rule | undefined = rule; r; r = r.else) declaredIn(r.body, out);
  return out;
}

/** A nested scope (comprehension or `every` body) sees its own declarations as locals. */
function nested(s: Scope, body: Expr[], extra: string[] = []): Scope {
  const locals = new Set(s.locals);
  for (const n of extra) locals.add(n);
  declaredIn(body, locals);
  return { pkg: s.pkg, ruleNames: s.ruleNames, aliases: s.aliases, locals, ctx: s.ctx };
}

export function resolveModule(m: Module, ctx: ResolveContext): Module {
  return finish(resolveModuleSteps(m, ctx));
}

/** `resolveModule` a rule at a time (see `Steps`). */
export function* resolveModuleSteps(m: Module, ctx: ResolveContext): Steps<Module> {
  const pkg = m.package.path;
  const ruleNames = ctx.ruleNames.get(packageKey(pkg)) ?? new Set<string>();
  const aliases = importAliases(m, ctx.diagnostics);
  const rules: Rule[] = [];
  for (const r of m.rules) {
    rules.push(resolveRule(r, { pkg, ruleNames, aliases, locals: declaredLocals(r), ctx }));
    yield;
  }
  return { ...m, rules };
}

/*
 * Resolution copies a node only when something in it changes (most terms of a policy are
 * already absolute), so a large module is not rebuilt node by node. Nothing mutates the AST
 * afterwards, so sharing unchanged nodes with the parsed module is safe.
 */

/** `xs.map(t => resolveTerm(t, s))`, or `xs` itself when every term is unchanged. */
function resolveTerms(xs: Term[], s: Scope): Term[] {
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i]!;
    const y = resolveTerm(x, s);
    if (y !== x) {
      const out = xs.slice(0, i);
      out.push(y);
      for (let j = i + 1; j < xs.length; j++) out.push(resolveTerm(xs[j]!, s));
      return out;
    }
  }
  return xs;
}

/** `xs.map(fn)`, or `xs` itself when `fn` returns every element unchanged. */
function mapSame<X>(xs: X[], fn: (x: X, i: number) => X): X[] {
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i]!;
    const y = fn(x, i);
    if (y !== x) {
      const out = xs.slice(0, i);
      out.push(y);
      for (let j = i + 1; j < xs.length; j++) out.push(fn(xs[j]!, j));
      return out;
    }
  }
  return xs;
}

/** Resolves a query body; queries have no package, so only `data`/`input` and builtins are names. */
export function resolveQuery(body: Expr[], ctx: ResolveContext, locals: Set<string> = new Set()): Expr[] {
  const scope: Scope = { pkg: [], ruleNames: new Set(), aliases: new Map(), locals, ctx };
  const declared = declaredLocals({ kind: 'rule', default: false, head: { ref: [], assign: false, contains: false, loc: body[0]?.loc ?? nowhere }, body, hasBody: true, loc: nowhere });
  for (const d of declared) locals.add(d);
  return body.map(e => resolveExpr(e, scope));
}
const nowhere: Loc = { file: '', line: 0, col: 0, offset: 0, end: 0 };

function resolveRule(r: Rule, s: Scope): Rule {
  const h = r.head;
  const ref = mapSame(h.ref, (t, i) => (i === 0 ? t : resolveTerm(t, s)));
  const args = h.args && resolveTerms(h.args, s);
  const key = h.key && resolveTerm(h.key, s);
  const value = h.value && resolveTerm(h.value, s);
  let head = h;
  if (ref !== h.ref || args !== h.args || key !== h.key || value !== h.value) {
    head = { ...h, ref };
    if (h.args) head.args = args;
    if (h.key) head.key = key;
    if (h.value) head.value = value;
  }
  const body = mapSame(r.body, e => resolveExpr(e, s));
  const els = r.else && resolveRule(r.else, s);
  if (head === h && body === r.body && els === r.else) return r;
  const out: Rule = { ...r, head, body };
  if (r.else) out.else = els;
  return out;
}

function resolveExpr(e: Expr, s: Scope): Expr {
  const b = e.body;
  let body: ExprBody;
  switch (b.kind) {
    case 'term': {
      const term = resolveTerm(b.term, s);
      if (term === b.term && e.with.length === 0) return e;
      body = term === b.term ? b : { kind: 'term', term };
      break;
    }
    case 'some': body = { kind: 'some', vars: b.vars.map(v => ({ ...v })) }; break;
    case 'somein': {
      const r: ExprBody = { kind: 'somein', value: resolveTerm(b.value, s), collection: resolveTerm(b.collection, s) };
      if (b.key) r.key = resolveTerm(b.key, s);
      body = r;
      break;
    }
    case 'every': {
      const inner = nested(s, b.body, [b.value.name, ...(b.key ? [b.key.name] : [])]);
      const r: ExprBody = {
        kind: 'every', value: resolveTerm(b.value, inner) as Var, domain: resolveTerm(b.domain, s),
        body: b.body.map(x => resolveExpr(x, inner)),
      };
      if (b.key) r.key = resolveTerm(b.key, inner) as Var;
      body = r;
      break;
    }
  }
  return { ...e, body, with: e.with.map(w => resolveWith(w, s)) };
}

function resolveWith(w: With, s: Scope): With {
  return { ...w, target: resolveWithTarget(w.target, s), value: resolveFunctionValue(w.value, s) };
}

/** `with` targets: `input…`, `data…`, or a function (local rule, import, builtin): kept as a ref of names. */
function resolveWithTarget(t: Term, s: Scope): Term {
  const names = refNames(t);
  if (!names) {
    s.ctx.diagnostics.push(diagnosticAt('rego_compile_error', t.loc, 'with keyword target must reference existing input, data, or a function'));
    return t;
  }
  if (names[0] === 'input' || names[0] === 'data') return resolveTerm(t, { ...s, locals: new Set() });
  const fn = resolveCallName(names, s, t.loc, false);
  return nameRef(fn, t.loc);
}

/** A `with` value may name a function (`with f as g`): resolve such names like calls. */
function resolveFunctionValue(t: Term, s: Scope): Term {
  const names = refNames(t);
  if (names && !s.locals.has(names[0]!)) {
    const joined = names.join('.');
    const isRule = s.ruleNames.has(names[0]!);
    if (!isRule && !s.aliases.has(names[0]!) && (BUILTINS_BY_NAME.has(joined) || ENGINE_BUILTINS.has(joined))) {
      return nameRef(names, t.loc);
    }
  }
  return resolveTerm(t, s);
}

export function nameRef(names: string[], loc: Loc): Term {
  if (names.length === 1) return { kind: 'var', name: names[0]!, loc };
  return { kind: 'ref', head: { kind: 'var', name: names[0]!, loc }, path: names.slice(1).map(n => str(n, loc)), loc };
}

/** Dotted names of a var or of a ref with only string segments. */
export function refNames(t: Term): string[] | undefined {
  if (t.kind === 'var') return [t.name];
  if (t.kind !== 'ref' || t.head.kind !== 'var') return undefined;
  const out = [t.head.name];
  for (const p of t.path) {
    if (p.kind !== 'scalar' || typeof p.value !== 'string') return undefined;
    out.push(p.value);
  }
  return out;
}

function resolveCallName(name: string[], s: Scope, loc: Loc, report = true): string[] {
  const first = name[0]!;
  if (first === 'data') return name;
  if (first === 'input') return name;
  if (!s.locals.has(first)) {
    const alias = s.aliases.get(first);
    if (alias) {
      const base = refNames(alias);
      if (base) return [...base, ...name.slice(1)];
    }
    if (s.ruleNames.has(first)) return ['data', ...s.pkg, ...name];
  }
  const joined = name.length === 1 ? first : name.join('.');
  if (BUILTINS_BY_NAME.has(joined) || ENGINE_BUILTINS.has(joined)) return name;
  if (report) {
    const near = nearestName(joined, [...s.ruleNames, ...s.aliases.keys(), ...BUILTINS_BY_NAME.keys()]);
    s.ctx.diagnostics.push(diagnosticAt('rego_type_error', loc, `undefined function ${joined}`, near ? `did you mean \`${near}\`?` : undefined));
  }
  return name;
}

/** The closest known name within a small edit distance, for "did you mean" hints. */
function nearestName(name: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined, bestD = Math.max(1, Math.floor(name.length / 3)) + 1;
  for (const c of candidates) {
    if (Math.abs(c.length - name.length) >= bestD) continue;
    const d = editDistance(name, c);
    if (d < bestD) { best = c; bestD = d; }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}

function resolveVar(v: Var, s: Scope): Term {
  const name = v.name;
  if (name === '_') return { kind: 'var', name: `${WILDCARD_PREFIX}${s.ctx.wildcardCounter.n++}`, loc: v.loc };
  if (name === 'input' || name === 'data' || s.locals.has(name)) return v;
  const alias = s.aliases.get(name);
  if (alias) return relocate(alias, v.loc);
  if (s.ruleNames.has(name)) {
    return { kind: 'ref', head: dataVar(v.loc), path: [...s.pkg.map(p => str(p, v.loc)), str(name, v.loc)], loc: v.loc };
  }
  return v;
}

function relocate(t: Term, loc: Loc): Term {
  if (t.kind === 'var') return { ...t, loc };
  if (t.kind === 'ref') return { ...t, loc, head: relocate(t.head, loc), path: t.path.map(p => ({ ...p, loc })) };
  return t;
}

export function resolveTerm(t: Term, s: Scope): Term {
  switch (t.kind) {
    case 'scalar': case 'number': return t;
    case 'var': return resolveVar(t, s);
    case 'ref': {
      const head = resolveTerm(t.head, s);
      const path = resolveTerms(t.path, s);
      if (head.kind === 'ref') return { kind: 'ref', head: head.head, path: [...head.path, ...path], loc: t.loc };
      return head === t.head && path === t.path ? t : { ...t, head, path };
    }
    case 'call': {
      const name = t.name.length === 1 && (t.name[0] === 'eq' || t.name[0] === 'assign') ? t.name : resolveCallName(t.name, s, t.loc);
      const args = resolveTerms(t.args, s);
      return name === t.name && args === t.args ? t : { ...t, name, args };
    }
    case 'array': case 'set': {
      const items = resolveTerms(t.items, s);
      return items === t.items ? t : { ...t, items };
    }
    case 'object': {
      const entries = mapSame(t.entries, e => {
        const k = resolveTerm(e[0], s);
        const v = resolveTerm(e[1], s);
        return k === e[0] && v === e[1] ? e : [k, v] as [Term, Term];
      });
      return entries === t.entries ? t : { ...t, entries };
    }
    case 'arraycompr': case 'setcompr': {
      const inner = nested(s, t.body);
      const head = resolveTerm(t.head, inner);
      const body = mapSame(t.body, e => resolveExpr(e, inner));
      return head === t.head && body === t.body ? t : { ...t, head, body };
    }
    case 'objectcompr': {
      const inner = nested(s, t.body);
      const key = resolveTerm(t.key, inner);
      const value = resolveTerm(t.value, inner);
      const body = mapSame(t.body, e => resolveExpr(e, inner));
      return key === t.key && value === t.value && body === t.body ? t : { ...t, key, value, body };
    }
  }
}

/** True if any term in the rule (or query) reads `input`; used for cache keys. */
export function readsInput(terms: Term[]): boolean {
  let found = false;
  for (const t of terms) forEachTerm(t, x => { if (x.kind === 'var' && x.name === 'input') found = true; }, true);
  return found;
}
export type { Ref };
