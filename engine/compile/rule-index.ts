/**
 * Rule indexing: for a document defined by many rules, the equality conditions
 * `input.<path> == <constant>` in their bodies are gathered at compile time into a trie of hash
 * maps, so evaluation only runs the rules whose conditions can hold for this input. A policy
 * of 10,000 such rules then costs about what one of a handful does.
 */
import type { Expr, Rule, Term } from '../../dsl/ast/nodes.js';
import { keyOf, type Value } from '../value.js';
import { derefKey } from '../eval/collections.js';
import { literalValue } from './compiler.js';

/** Rules are only worth indexing from this many definitions on. */
export const INDEX_THRESHOLD = 8;

type Conditions = Map<string, { path: string[]; values: Set<string> }>;

/** `input.a.b` with constant string segments → ["a","b"]. */
function inputPath(t: Term): string[] | undefined {
  if (t.kind !== 'ref' || t.head.kind !== 'var' || t.head.name !== 'input') return undefined;
  const out: string[] = [];
  for (const p of t.path) {
    if (p.kind !== 'scalar' || typeof p.value !== 'string') return undefined;
    out.push(p.value);
  }
  return out;
}

/** Equality conditions on input that every solution of the body must satisfy. */
export function conditionsOf(body: Expr[]): Conditions {
  const out: Conditions = new Map();
  for (const e of body) {
    if (e.negated || e.with.length || e.body.kind !== 'term') continue;
    const t = e.body.term;
    if (t.kind !== 'call' || t.name.length !== 1 || t.args.length !== 2) continue;
    const op = t.name[0];
    let path: string[] | undefined, values: Value[] | undefined;
    if (op === 'equal' || op === 'eq') {
      const [a, b] = t.args as [Term, Term];
      const pa = inputPath(a), pb = inputPath(b);
      const la = literalValue(a), lb = literalValue(b);
      if (pa && lb !== undefined && isScalar(lb)) { path = pa; values = [lb]; }
      else if (pb && la !== undefined && isScalar(la)) { path = pb; values = [la]; }
    } else if (op === 'internal.member_2') {
      // `input.x in {"a", "b"}` / `input.x in ["a", "b"]`
      const [a, b] = t.args as [Term, Term];
      const pa = inputPath(a);
      if (pa && (b.kind === 'set' || b.kind === 'array')) {
        const items = b.items.map(literalValue);
        if (items.every(i => i !== undefined && isScalar(i))) { path = pa; values = items as Value[]; }
      }
    }
    if (!path || !values) continue;
    const id = JSON.stringify(path);
    const prev = out.get(id);
    const keys = new Set(values.map(keyOf));
    if (prev) {
      // Two conditions on one path: only values allowed by both can match.
      for (const k of prev.values) if (!keys.has(k)) prev.values.delete(k);
    } else {
      out.set(id, { path, values: keys });
    }
  }
  return out;
}

function isScalar(v: Value): boolean {
  return v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint';
}

/** A trie node: which input path to look at, buckets by its value, and rules that do not care. */
interface IndexNode {
  path: string[];
  buckets: Map<string, IndexNode | number[]>;
  rest: number[];
}

export interface RuleIndex { lookup(input: Value | undefined): number[] }

/** Builds an index over rule definitions (by position), or undefined when it would not help. */
export function buildRuleIndex(rules: Rule[]): RuleIndex | undefined {
  if (rules.length < INDEX_THRESHOLD) return undefined;
  const conds = rules.map(r => (r.else ? new Map() as Conditions : conditionsOf(r.body)));
  const all = rules.map((_, i) => i);
  const root = build(all, conds, new Set());
  if (!root || Array.isArray(root)) return undefined;
  return {
    lookup(input) {
      const out: number[] = [];
      collect(root, input, out);
      // Source order keeps conflict and error reporting identical to a full scan.
      return out.length > 1 ? out.sort((a, b) => a - b) : out;
    },
  };
}

function build(ids: number[], conds: Conditions[], used: Set<string>): IndexNode | number[] {
  if (ids.length < INDEX_THRESHOLD) return ids;
  // Index on the path that most of these rules constrain.
  const counts = new Map<string, number>();
  for (const i of ids) for (const k of conds[i]!.keys()) if (!used.has(k)) counts.set(k, (counts.get(k) ?? 0) + 1);
  let best: string | undefined, bestCount = 1;
  for (const [k, n] of counts) if (n > bestCount) { best = k; bestCount = n; }
  if (!best) return ids;
  const path = conds.find(c => c.has(best!))!.get(best)!.path;
  const byValue = new Map<string, number[]>();
  const rest: number[] = [];
  for (const i of ids) {
    const c = conds[i]!.get(best);
    if (!c) { rest.push(i); continue; }
    for (const v of c.values) {
      let list = byValue.get(v);
      if (!list) byValue.set(v, list = []);
      list.push(i);
    }
  }
  const nextUsed = new Set(used).add(best);
  const buckets = new Map<string, IndexNode | number[]>();
  for (const [v, list] of byValue) buckets.set(v, build(list, conds, nextUsed));
  return { path, buckets, rest };
}

function collect(n: IndexNode | number[], input: Value | undefined, out: number[]): void {
  if (Array.isArray(n)) { for (const i of n) out.push(i); return; }
  for (const i of n.rest) out.push(i);
  let v: Value | undefined = input;
  for (let i = 0; i < n.path.length && v !== undefined; i++) v = derefKey(v, n.path[i]!);
  if (v === undefined || (typeof v === 'object' && v !== null)) return;
  const b = n.buckets.get(keyOf(v));
  if (b) collect(b, input, out);
}
