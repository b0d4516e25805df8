/** Stage `check_recursion`: rules may not depend on themselves, directly or through others. */
import type { Expr, Rule, Term } from '../ast/nodes.js';
import { diagnosticAt, type Diagnostic } from '../diagnostic.js';
import type { RuleTree, TreeNode } from './tree.js';
import { pathText } from './tree.js';

/**
 * Nodes a reference under `data` may read: constant segments must match, a variable segment
 * matches every child, and a ref that stops at a package reads everything below it.
 */
export function nodesReadBy(tree: RuleTree, segments: Term[], out: TreeNode[] = []): TreeNode[] {
  const all = (x: TreeNode) => { if (x.kind) out.push(x); for (const c of x.children.values()) all(c); };
  const walk = (n: TreeNode, i: number): void => {
    if (n.kind) { out.push(n); return; }
    if (i === segments.length) { all(n); return; }
    const seg = segments[i]!;
    if (seg.kind === 'scalar' && typeof seg.value === 'string') {
      const c = n.children.get(seg.value);
      if (c) walk(c, i + 1);
    } else if (seg.kind === 'scalar' || seg.kind === 'number') {
      // A constant that is not a string never names a package or rule: base data only.
    } else {
      for (const c of n.children.values()) walk(c, i + 1);
    }
  };
  walk(tree.root, 0);
  return out;
}

function dependencies(tree: RuleTree, rule: Rule): TreeNode[] {
  const w = new DepWalk(tree);
  for (let r: Rule | undefined = rule; r; r = r.else) {
    for (const e of r.body) {
      w.expr(e);
      for (const x of e.with) w.term(x.target, false);
    }
    const h = r.head;
    for (let i = 1; i < h.ref.length; i++) w.term(h.ref[i]!, true);
    if (h.key) w.term(h.key, true);
    if (h.value) w.term(h.value, true);
    if (h.args) for (const a of h.args) w.term(a, true);
  }
  return w.deps;
}

/** forEachExprTerm/forEachTerm's walks, written out, noting what each term reads under `data`. */
class DepWalk {
  readonly deps: TreeNode[] = [];
  /** A bare `data` reads everything; the head of a `data.…` ref is not a bare `data`. */
  private readonly refHeads = new Set<Term>();
  constructor(private readonly tree: RuleTree) {}

  private on(t: Term): void {
    if (t.kind === 'ref' && t.head.kind === 'var' && t.head.name === 'data') { this.refHeads.add(t.head); nodesReadBy(this.tree, t.path, this.deps); }
    if (t.kind === 'var' && t.name === 'data' && !this.refHeads.has(t)) nodesReadBy(this.tree, [], this.deps);
    if (t.kind === 'call' && t.name[0] === 'data') {
      nodesReadBy(this.tree, t.name.slice(1).map(s => ({ kind: 'scalar', value: s, loc: t.loc })), this.deps);
    }
  }

  expr(e: Expr): void {
    const b = e.body;
    switch (b.kind) {
      case 'term': this.term(b.term, true); break;
      case 'some': for (const v of b.vars) this.on(v); break;
      case 'somein':
        if (b.key) this.term(b.key, true);
        this.term(b.value, true); this.term(b.collection, true); break;
      case 'every':
        this.term(b.domain, true);
        if (b.key) this.on(b.key);
        this.on(b.value);
        for (const x of b.body) this.expr(x);
        break;
    }
    for (const w of e.with) this.term(w.value, true);
  }

  term(t: Term, intoClosures: boolean): void {
    switch (t.kind) {
      case 'scalar': case 'number': return;
      case 'var': this.on(t); return;
      default: break;
    }
    this.on(t);
    switch (t.kind) {
      case 'ref': this.term(t.head, intoClosures); for (const p of t.path) this.term(p, intoClosures); break;
      case 'call': for (const a of t.args) this.term(a, intoClosures); break;
      case 'array': case 'set': for (const i of t.items) this.term(i, intoClosures); break;
      case 'object': for (const [k, v] of t.entries) { this.term(k, intoClosures); this.term(v, intoClosures); } break;
      case 'arraycompr': case 'setcompr':
        if (intoClosures) { this.term(t.head, true); for (const e of t.body) this.expr(e); }
        break;
      case 'objectcompr':
        if (intoClosures) { this.term(t.key, true); this.term(t.value, true); for (const e of t.body) this.expr(e); }
        break;
      default: break;
    }
  }
}

export function checkRecursion(tree: RuleTree, diags: Diagnostic[]): void {
  const edges = new Map<TreeNode, Set<TreeNode>>();
  for (const n of tree.nodes) {
    if (!n.kind) continue;
    const set = new Set<TreeNode>();
    for (const def of n.rules) for (const d of dependencies(tree, def.rule)) set.add(d);
    if (n.defaultRule) for (const d of dependencies(tree, n.defaultRule.rule)) set.add(d);
    edges.set(n, set);
  }
  const state = new Map<TreeNode, 1 | 2>();
  const stack: TreeNode[] = [];
  const reported = new Set<TreeNode>();
  const visit = (n: TreeNode): void => {
    state.set(n, 1);
    stack.push(n);
    for (const d of edges.get(n) ?? []) {
      const s = state.get(d);
      if (s === 1) {
        const cycle = stack.slice(stack.indexOf(d));
        if (!reported.has(d)) {
          reported.add(d);
          const at = (d.rules[0] ?? d.defaultRule)!;
          const names = [...cycle, d].map(x => pathText(x.path));
          diags.push(diagnosticAt('rego_recursion_error', at.rule.head.loc, `rule ${pathText(d.path)} is recursive: ${names.join(' -> ')}`));
        }
      } else if (s === undefined) visit(d);
    }
    stack.pop();
    state.set(n, 2);
  };
  for (const n of edges.keys()) if (!state.has(n)) visit(n);
}
