/**
 * Rule indexing: for a document defined by many rules, the equality conditions
 * `input.<path> == <constant>` in their bodies are gathered at compile time into a trie of hash
 * maps, so evaluation only runs the rules whose conditions can hold for this input. A policy
 * of 10,000 such rules then costs about what one of a handful does.
 */
import type { Expr, Rule, Term } from '../../dsl/ast/nodes.js';
import { keyOf, quoteJsonString, type Value } from '../value.js';
import { keyReader, type KeyReader } from '../eval/key-readers.js';
import { literalValue } from './compiler.js';
import { finish, type Steps } from '../../dsl/steps.js';

/** Rules are only worth indexing from this many definitions on. */
export const INDEX_THRESHOLD = 8;

type Conditions = Map<string, { path: string[]; values: Set<string> }>;

/** A path as a map key (JSON text, built without JSON.stringify's overhead). */
export function pathKey(path: string[]): string {
  let out = '[';
  for (let i = 0; i < path.length; i++) out += (i ? ',' : '') + quoteJsonString(path[i]!);
  return out + ']';
}

/** `input.a.b` with constant string segments → ["a","b"]. */
export function inputPath(t: Term): string[] | undefined {
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
    const id = pathKey(path);
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

/**
 * A trie node: which input path to look at, buckets by its value, and rules that do not care.
 * String values (the common case) are looked up by the raw string, other scalars by `keyOf`.
 */
interface IndexNode {
  path: string[];
  /** One reader per key of `path` (each key its own load site; see key-readers.ts). */
  readers: KeyReader[];
  strings: Map<string, IndexNode | readonly number[]>;
  others: Map<string, IndexNode | readonly number[]>;
  rest: number[];
}

export interface RuleIndex {
  /** Positions of the rules that can hold for this input, in source order. Read-only. */
  lookup(input: Value | undefined): readonly number[];
  /**
   * Input paths (as `pathKey` texts) whose equality condition in rule `id` already holds whenever
   * `lookup` returns that rule: it was filed under its own value on each of them. Undefined when
   * the rule sits in more than one place (an `in {...}` condition).
   */
  proven(id: number): ReadonlySet<string> | undefined;
  /** Every input path the index reads (it reads them even when no rule body does). */
  readonly paths: readonly string[][];
}

const NONE: readonly number[] = Object.freeze([]);
const byPosition = (a: number, b: number) => a - b;

/** Builds an index over rule definitions (by position), or undefined when it would not help. */
export function buildRuleIndex(rules: Rule[]): RuleIndex | undefined {
  return finish(buildRuleIndexSteps(rules));
}

/** `buildRuleIndex` a rule at a time while reading the rules' conditions (see `Steps`); the trie is built in one step. */
export function* buildRuleIndexSteps(rules: Rule[]): Steps<RuleIndex | undefined> {
  if (rules.length < INDEX_THRESHOLD) return undefined;
  const conds: Conditions[] = [];
  for (const r of rules) {
    conds.push(r.else ? new Map() as Conditions : conditionsOf(r.body));
    yield;
  }
  const all = rules.map((_, i) => i);
  const proven = new Map<number, ReadonlySet<string> | null>();
  const root = build(all, conds, proven);
  yield;
  if (!root || isLeaf(root)) return undefined;
  const paths: string[][] = [];
  const seen = new Set<string>();
  const collectPaths = (n: IndexNode | readonly number[]) => {
    if (isLeaf(n)) return;
    const k = pathKey(n.path);
    if (!seen.has(k)) { seen.add(k); paths.push(n.path); }
    for (const c of n.strings.values()) collectPaths(c);
    for (const c of n.others.values()) collectPaths(c);
  };
  collectPaths(root);
  return {
    paths,
    proven: id => proven.get(id) ?? undefined,
    lookup(input) {
      // One path down the trie; rules that do not care are gathered on the way.
      let n: IndexNode | readonly number[] = root;
      let out: number[] | undefined;
      for (;;) {
        if (isLeaf(n)) {
          if (out === undefined) return n;
          for (let i = 0; i < n.length; i++) out.push(n[i]!);
          break;
        }
        if (n.rest.length) { out ??= []; for (let i = 0; i < n.rest.length; i++) out.push(n.rest[i]!); }
        const next = bucketFor(n, input);
        if (next === undefined) break;
        n = next;
      }
      if (out === undefined) return NONE;
      // Source order keeps conflict and error reporting identical to a full scan.
      return out.length > 1 ? out.sort(byPosition) : out;
    },
  };
}

function isLeaf(n: IndexNode | readonly number[]): n is readonly number[] {
  return Array.isArray(n);
}

function bucketFor(n: IndexNode, input: Value | undefined): IndexNode | readonly number[] | undefined {
  let v: Value | undefined = input;
  const readers = n.readers;
  for (let i = 0; i < readers.length && v !== undefined; i++) v = readers[i]!(v);
  if (typeof v === 'string') return n.strings.get(v);
  if (v === undefined || (typeof v === 'object' && v !== null)) return undefined;
  return n.others.get(keyOf(v));
}

/**
 * Below the root, buckets keep splitting down to single rules: evaluating a rule costs far more
 * than one more hash lookup, mostly in cache misses when the policy has thousands of rules.
 */
const SPLIT_THRESHOLD = 2;

/** Notes that rule `id` is returned with the conditions on `used` proven (null: filed twice). */
function file(proven: Map<number, ReadonlySet<string> | null>, id: number, used: ReadonlySet<string>): void {
  proven.set(id, proven.has(id) ? null : used);
}

/** A trie node still to be built: its rules, the paths already split on, and where it goes. */
interface PendingNode {
  ids: number[];
  used: Set<string>;
  /** The bucket map of the parent and the key it goes under (none for the root). */
  into: Map<string, IndexNode | readonly number[]> | undefined;
  key: string;
}

/**
 * Builds the trie a node at a time from a work list, each loop over a node's rules or buckets in
 * a function of its own that returns when the loop ends. The root's call loops over every rule,
 * long enough for V8 to optimise the function it runs in before that call has reached the lines
 * after the loop; those lines then have no type feedback, and every one of the thousands of
 * later calls left the optimised code there (600-3,000 deoptimisations of the 10,000-rule
 * policy's compile, varying from process to process, when the build recursed or looped in one
 * function; about 37 in the whole compile now, none here).
 */
function build(ids: number[], conds: Conditions[], proven: Map<number, ReadonlySet<string> | null>): IndexNode | readonly number[] {
  const root: PendingNode = { ids, used: new Set(), into: undefined, key: '' };
  const pending: PendingNode[] = [root];
  let built: IndexNode | readonly number[] = ids;
  // First in, first out: a node's buckets are filled in the order its values were met.
  for (let next = 0; next < pending.length; next++) {
    const p = pending[next]!;
    const node = buildNode(p, conds, proven, pending);
    if (p.into) p.into.set(p.key, node);
    else built = node;
  }
  return built;
}

/** One node of the trie: a leaf, or a split whose buckets are queued on `pending` (its loops are functions of their own: see `build`). */
function buildNode(p: PendingNode, conds: Conditions[], proven: Map<number, ReadonlySet<string> | null>, pending: PendingNode[]): IndexNode | readonly number[] {
  const { ids, used } = p;
  if (ids.length < (used.size === 0 ? INDEX_THRESHOLD : SPLIT_THRESHOLD)) return leaf(ids, used, proven);
  const best = mostConstrained(pathCounts(ids, conds, used));
  if (best === undefined) return leaf(ids, used, proven);
  const rest: number[] = [];
  const byValue = rulesByValue(ids, conds, best, rest);
  fileAll(rest, used, proven);
  const strings = new Map<string, IndexNode | readonly number[]>();
  const others = new Map<string, IndexNode | readonly number[]>();
  queueBuckets(byValue, new Set(used).add(best), strings, others, pending);
  const path = pathOf(ids, conds, best);
  return { path, readers: path.map(keyReader), strings, others, rest };
}

/** How many of these rules constrain each path not split on already. */
function pathCounts(ids: number[], conds: Conditions[], used: ReadonlySet<string>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const i of ids) for (const k of conds[i]!.keys()) if (!used.has(k)) counts.set(k, (counts.get(k) ?? 0) + 1);
  return counts;
}

/** The path constrained most (by more than one rule; the first counted of equals). */
function mostConstrained(counts: Map<string, number>): string | undefined {
  let best: string | undefined, bestCount = 1;
  for (const [k, n] of counts) if (n > bestCount) { best = k; bestCount = n; }
  return best;
}

/** The rules by the values their condition on `best` allows; those without one go to `rest`. */
function rulesByValue(ids: number[], conds: Conditions[], best: string, rest: number[]): Map<string, number[]> {
  const byValue = new Map<string, number[]>();
  for (const i of ids) {
    const c = conds[i]!.get(best);
    if (!c) { rest.push(i); continue; }
    for (const v of c.values) {
      let list = byValue.get(v);
      if (!list) byValue.set(v, list = []);
      list.push(i);
    }
  }
  return byValue;
}

function pathOf(ids: number[], conds: Conditions[], best: string): string[] {
  for (const i of ids) { const c = conds[i]!.get(best); if (c) return c.path; }
  return [];
}

/** A node's buckets, queued to be built into `strings` or `others` (keyOf tags strings with a leading "s"). */
function queueBuckets(byValue: Map<string, number[]>, used: Set<string>, strings: Map<string, IndexNode | readonly number[]>, others: Map<string, IndexNode | readonly number[]>, pending: PendingNode[]): void {
  for (const [v, list] of byValue) {
    if (v.startsWith('s')) pending.push({ ids: list, used, into: strings, key: v.slice(1) });
    else pending.push({ ids: list, used, into: others, key: v });
  }
}

function leaf(ids: number[], used: ReadonlySet<string>, proven: Map<number, ReadonlySet<string> | null>): readonly number[] {
  fileAll(ids, used, proven);
  return ids;
}

function fileAll(ids: number[], used: ReadonlySet<string>, proven: Map<number, ReadonlySet<string> | null>): void {
  for (const i of ids) file(proven, i, used);
}
