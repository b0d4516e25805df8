/** Stage `check_recursion`: rules may not depend on themselves, directly or through others. */
import type { Rule, Term } from '../ast/nodes.js';
import { diagnosticAt, type Diagnostic } from '../diagnostic.js';
import type { RuleTree, TreeNode } from './tree.js';
import { pathText } from './tree.js';
import { forEachExprTerm, forEachTerm } from './walk.js';

/**
 * Nodes a reference under `data` may read: constant segments must match, a variable segment
 * matches every child, and a ref that stops at a package reads everything below it.
 */
export function nodesReadBy(tree: RuleTree, segments: Term[]): TreeNode[] {
  const out: TreeNode[] = [];
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
  const deps: TreeNode[] = [];
  // A bare `data` reads everything; the head of a `data.…` ref is not a bare `data`.
  const refHeads = new Set<Term>();
  const onTerm = (t: Term) => {
    if (t.kind === 'ref' && t.head.kind === 'var' && t.head.name === 'data') { refHeads.add(t.head); deps.push(...nodesReadBy(tree, t.path)); }
    if (t.kind === 'var' && t.name === 'data' && !refHeads.has(t)) deps.push(...nodesReadBy(tree, []));
    if (t.kind === 'call' && t.name[0] === 'data') {
      deps.push(...nodesReadBy(tree, t.name.slice(1).map(s => ({ kind: 'scalar', value: s, loc: t.loc }))));
    }
  };
  for (let r: Rule | undefined = rule; r; r = r.else) {
    for (const e of r.body) {
      forEachExprTerm(e, onTerm, true);
      for (const w of e.with) forEachTerm(w.target, onTerm);
    }
    for (const t of [...r.head.ref.slice(1), r.head.key, r.head.value, ...(r.head.args ?? [])]) if (t) forEachTerm(t, onTerm, true);
  }
  return deps;
}

export function checkRecursion(tree: RuleTree, diags: Diagnostic[]): void {
  const edges = new Map<TreeNode, Set<TreeNode>>();
  for (const n of tree.nodes) {
    if (!n.kind) continue;
    const set = new Set<TreeNode>();
    for (const def of [...n.rules, ...(n.defaultRule ? [n.defaultRule] : [])]) for (const d of dependencies(tree, def.rule)) set.add(d);
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
