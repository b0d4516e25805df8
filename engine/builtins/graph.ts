/** `walk` (a relation over every nested document) and graph reachability. */
import { decls } from '../../dsl/builtins/decls/graph.js';
import { compare, isObject, keyOf, objectEntries, objectGet, PolSet, type PlainObject, type PolObject, type Value } from '../value.js';
import { withChecks } from './check.js';
import type { BuiltinImpl } from './types.js';

type Obj = PlainObject | PolObject;

/** Every `[path, value]` pair of `root`, pre-order; object keys and set members in sorted order. */
export function walkPairs(root: Value): Value[] {
  const out: Value[] = [];
  const path: Value[] = [];
  const visit = (v: Value): void => {
    out.push([path.slice(), v]);
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) { path.push(i); visit(v[i]!); path.pop(); }
    } else if (v instanceof PolSet) {
      for (const m of v.sorted()) { path.push(m); visit(m); path.pop(); }
    } else if (isObject(v)) {
      const entries = objectEntries(v).sort((a, b) => compare(a[0], b[0]));
      for (const [k, x] of entries) { path.push(k); visit(x); path.pop(); }
    }
  };
  visit(root);
  return out;
}

function neighbours(g: Obj, node: Value): Value[] | undefined {
  const e = objectGet(g, node);
  if (e === undefined) return undefined;
  if (Array.isArray(e)) return e;
  if (e instanceof PolSet) return e.sorted();
  return [];
}

const members = (c: Value): Value[] => (c instanceof PolSet ? c.sorted() : c as Value[]);

function reachable(g: Obj, initial: Value): PolSet {
  const out = new PolSet();
  const queue = members(initial).slice();
  while (queue.length > 0) {
    const n = queue.shift()!;
    if (out.has(n)) continue;
    const next = neighbours(g, n);
    if (next === undefined) continue;
    out.add(n);
    for (const m of next) if (!out.has(m)) queue.push(m);
  }
  return out;
}

/**
 * Paths from each initial node, depth first. A node with no neighbour in the graph ends a path;
 * meeting an already expanded node with neighbours ends the path before it, so each node is
 * expanded once and cycles terminate.
 */
function reachablePaths(g: Obj, initial: Value): PolSet {
  const out = new PolSet();
  const expanded = new Set<string>();
  const isLeaf = (n: Value): boolean => !(neighbours(g, n) ?? []).some(m => objectGet(g, m) !== undefined);
  const visit = (node: Value, path: Value[]): void => {
    expanded.add(keyOf(node));
    for (const m of neighbours(g, node) ?? []) {
      if (objectGet(g, m) === undefined) continue;
      if (isLeaf(m)) out.add([...path, m]);
      else if (expanded.has(keyOf(m))) out.add(path);
      else visit(m, [...path, m]);
    }
  };
  for (const n of members(initial)) {
    if (objectGet(g, n) === undefined) continue;
    if (isLeaf(n)) { out.add([n]); continue; }
    visit(n, [n]);
  }
  return out;
}

export const impls: Record<string, BuiltinImpl> = withChecks(decls, {
  walk: ([x]) => walkPairs(x!),
  'graph.reachable': ([g, initial]) => reachable(g as Obj, initial!),
  'graph.reachable_paths': ([g, initial]) => reachablePaths(g as Obj, initial!),
});
