/**
 * Stage `build_rule_tree`: every rule hangs at the node of its static path
 * (`data.<package>.<head ref up to the first non-string segment>`), with its kind:
 *  - complete: one value at the node (`p := 1`, `a.b.c if …`);
 *  - set: a multi-value rule (`p contains x`);
 *  - object: entries below the node keyed by the rest of the head ref (`p[k] := v`, `a.b[x].c := y`);
 *  - function: `f(x) := y`.
 */
import type { Module, Rule, Term } from '../ast/nodes.js';
import { diagnosticAt, type Diagnostic } from '../diagnostic.js';

export type RuleKind = 'complete' | 'set' | 'object' | 'function';

export interface RuleDef {
  rule: Rule;
  module: Module;
  kind: RuleKind;
  /** Static path under `data` (package path + static head segments). */
  path: string[];
  /** For object rules: the head ref segments below `path` (constants or variables). */
  keyTerms: Term[];
  /** Position among the rules of its node, in source order (used for explain and stable output). */
  index: number;
  /** An object rule whose leaves are sets (`a.b[x] contains y`). */
  multi?: boolean;
}

export interface TreeNode {
  id: number;
  path: string[];
  children: Map<string, TreeNode>;
  kind?: RuleKind;
  rules: RuleDef[];
  defaultRule?: RuleDef;
  /** Function arity, when `kind === 'function'`. */
  arity?: number;
}

export interface RuleTree { root: TreeNode; nodes: TreeNode[] }

export function newTree(): RuleTree {
  const root: TreeNode = { id: 0, path: [], children: new Map(), rules: [] };
  return { root, nodes: [root] };
}

export function nodeAt(tree: RuleTree, path: string[], create: boolean): TreeNode | undefined {
  let n = tree.root;
  for (const seg of path) {
    let c = n.children.get(seg);
    if (!c) {
      if (!create) return undefined;
      c = { id: tree.nodes.length, path: [...n.path, seg], children: new Map(), rules: [] };
      tree.nodes.push(c);
      n.children.set(seg, c);
    }
    n = c;
  }
  return n;
}

export const pathText = (path: string[]) => ['data', ...path].map((p, i) => (i === 0 || /^[A-Za-z_][A-Za-z0-9_]*$/.test(p) ? (i ? '.' + p : p) : `[${JSON.stringify(p)}]`)).join('');

function staticPrefix(ref: Term[]): { path: string[]; rest: Term[] } {
  const path: string[] = [];
  let i = 0;
  for (; i < ref.length; i++) {
    const t = ref[i]!;
    if (t.kind === 'scalar' && typeof t.value === 'string') path.push(t.value);
    else if (i === 0 && t.kind === 'var') path.push(t.name);
    else break;
  }
  return { path, rest: ref.slice(i) };
}

export function buildRuleTree(modules: Module[], diags: Diagnostic[]): RuleTree {
  const tree = newTree();
  for (const m of modules) nodeAt(tree, m.package.path, true);
  for (const m of modules) {
    for (const rule of m.rules) {
      const { path: rel, rest } = staticPrefix(rule.head.ref);
      const path = [...m.package.path, ...rel];
      let kind: RuleKind;
      if (rule.head.args) kind = 'function';
      else if (rest.length > 0) kind = 'object';
      else if (rule.head.contains) kind = 'set';
      else kind = 'complete';
      if (kind === 'function' && rest.length > 0) {
        diags.push(diagnosticAt('rego_parse_error', rule.head.loc, 'function rule heads must use only string segments in their reference'));
        continue;
      }
      const node = nodeAt(tree, path, true)!;
      const def: RuleDef = { rule, module: m, kind, path, keyTerms: rest, index: node.rules.length };
      if (kind === 'object' && rule.head.contains) def.multi = true;
      if (rule.default) {
        if (kind === 'set' || kind === 'object') {
          diags.push(diagnosticAt('rego_type_error', rule.head.loc, `default rules must not be multi-value or have variables in their reference: ${pathText(path)}`));
          continue;
        }
        if (node.defaultRule) {
          diags.push(diagnosticAt('rego_type_error', rule.head.loc, `multiple default rules ${pathText(path)} found`));
          continue;
        }
        node.defaultRule = def;
        if (!node.kind) node.kind = kind;
        if (kind === 'function') node.arity ??= rule.head.args!.length;
        continue;
      }
      if (node.kind && node.kind !== kind) {
        diags.push(diagnosticAt('rego_type_error', rule.head.loc, `conflicting rules ${pathText(path)} found`,
          'a name is either a single-value rule, a multi-value (`contains`) rule, an object rule or a function'));
        continue;
      }
      if (kind === 'function') {
        const arity = rule.head.args!.length;
        if (node.arity !== undefined && node.arity !== arity) {
          diags.push(diagnosticAt('rego_type_error', rule.head.loc, `conflicting rules ${pathText(path)} found`, 'every definition of a function must take the same number of arguments'));
          continue;
        }
        node.arity = arity;
      }
      node.kind = kind;
      node.rules.push(def);
    }
  }
  // Single values, sets and functions are leaves: nothing may be defined below them.
  for (const n of tree.nodes) {
    if (!n.kind || n.kind === 'object') continue;
    const below: string[] = [];
    const visit = (c: TreeNode) => { if (c.kind) below.push(pathText(c.path)); for (const x of c.children.values()) visit(x); };
    for (const c of n.children.values()) visit(c);
    if (below.length) {
      const at = (n.rules[0] ?? n.defaultRule)!;
      diags.push(diagnosticAt('rego_type_error', at.rule.head.loc, `rule ${pathText(n.path)} conflicts with [${below.join(' ')}]`));
    }
  }
  return tree;
}
