/** Generic traversals over terms and expressions. */
import type { Expr, Term, Var } from '../ast/nodes.js';

/** Calls `fn` for every term nested in `t` (including `t`), not descending into comprehension bodies unless `intoClosures`. */
export function forEachTerm(t: Term, fn: (t: Term) => void, intoClosures = false): void {
  fn(t);
  switch (t.kind) {
    case 'ref': forEachTerm(t.head, fn, intoClosures); for (const p of t.path) forEachTerm(p, fn, intoClosures); break;
    case 'call': for (const a of t.args) forEachTerm(a, fn, intoClosures); break;
    case 'array': case 'set': for (const i of t.items) forEachTerm(i, fn, intoClosures); break;
    case 'object': for (const [k, v] of t.entries) { forEachTerm(k, fn, intoClosures); forEachTerm(v, fn, intoClosures); } break;
    case 'arraycompr': case 'setcompr':
      if (intoClosures) { forEachTerm(t.head, fn, true); for (const e of t.body) forEachExprTerm(e, fn, true); }
      break;
    case 'objectcompr':
      if (intoClosures) { forEachTerm(t.key, fn, true); forEachTerm(t.value, fn, true); for (const e of t.body) forEachExprTerm(e, fn, true); }
      break;
    default: break;
  }
}

/** Every term of an expression (operands, `with` targets excluded, values included). */
export function forEachExprTerm(e: Expr, fn: (t: Term) => void, intoClosures = false): void {
  const b = e.body;
  switch (b.kind) {
    case 'term': forEachTerm(b.term, fn, intoClosures); break;
    case 'some': for (const v of b.vars) fn(v); break;
    case 'somein':
      if (b.key) forEachTerm(b.key, fn, intoClosures);
      forEachTerm(b.value, fn, intoClosures); forEachTerm(b.collection, fn, intoClosures); break;
    case 'every':
      forEachTerm(b.domain, fn, intoClosures);
      if (intoClosures) { if (b.key) fn(b.key); fn(b.value); for (const x of b.body) forEachExprTerm(x, fn, true); }
      break;
  }
  for (const w of e.with) forEachTerm(w.value, fn, intoClosures);
}

/** Names of the variables in a term (outside comprehension bodies). */
export function termVars(t: Term, out: Set<string> = new Set()): Set<string> {
  forEachTerm(t, x => { if (x.kind === 'var') out.add(x.name); });
  return out;
}

/** Variables used in comprehensions/every bodies nested in the term, which are not declared there. */
export function closureVars(t: Term, out: Set<string> = new Set()): Set<string> {
  forEachTerm(t, x => {
    if (x.kind === 'arraycompr' || x.kind === 'setcompr' || x.kind === 'objectcompr') {
      const inner = new Set<string>();
      if (x.kind === 'objectcompr') { termVars(x.key, inner); termVars(x.value, inner); } else termVars(x.head, inner);
      for (const e of x.body) exprAllVars(e, inner);
      for (const v of inner) out.add(v);
    }
  });
  return out;
}

/** All variable names in an expression including nested bodies. */
export function exprAllVars(e: Expr, out: Set<string> = new Set()): Set<string> {
  forEachExprTerm(e, t => { if (t.kind === 'var') out.add(t.name); }, true);
  return out;
}

export function isVar(t: Term): t is Var { return t.kind === 'var'; }

/** Strips locations (for structural comparisons in tests). */
export function stripLocs<T>(node: T): T {
  return JSON.parse(JSON.stringify(node, (k, v) => (k === 'loc' ? undefined : v))) as T;
}
