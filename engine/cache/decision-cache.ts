/**
 * The decision cache: a bounded LRU with a TTL, keyed by policy revision, entry point and the
 * projection of the input the entry point reads. It knows nothing of HTTP.
 *
 * Never stale: the revision is part of every key, and `invalidate()` drops everything when the
 * policy or data changes (the old entries could never be hit again, so they are freed at once).
 * Entry points that may read the clock or call non-deterministic builtins are never cached: the
 * compiler reports that it may read the clock, not which time windows its comparisons allow, so
 * there is no safe lifetime to give such a decision. Nor are entry points whose estimated cost is
 * below `minCost`: evaluating them is cheaper than a lookup.
 */
import { LRUCache } from 'lru-cache';
import type { EntryPointInfo } from '../api.js';
import type { Value } from '../value.js';
import { CompositeText, decisionKeyFor, normalizeInputPaths, type DecisionKey, type InputPaths, type KeyPart } from './key.js';

export interface DecisionCacheOptions {
  /** Most entries kept (default 10 000). */
  maxEntries?: number;
  /** Lifetime of an entry in milliseconds (default 60 000; 0 keeps entries until evicted). */
  ttlMs?: number;
  /** Longest input projection cached, in characters (default 16 384). */
  maxKeyLength?: number;
  /** Clock for TTLs in milliseconds (default `performance.now`); tests pass a manual one. */
  now?: () => number;
  /**
   * Entry points whose estimated cost (`EntryPointInfo.cost`) is below this are evaluated, not
   * cached: a few comparisons cost less than projecting the input and looking it up. Default
   * `DEFAULT_MIN_COST`; 0 caches everything cacheable.
   */
  minCost?: number;
}

/**
 * About the cost of a cache lookup in the compiler's cost units. A lookup (projecting the input,
 * a trie level per value read, the LRU's bookkeeping) took 150–250 ns in the benchmarks, where a
 * unit of evaluation took 1–3 ns: the 37-unit scale policies evaluated in 100–130 ns and were
 * slower cached; the 400–600-unit RBAC and contextual ones were 2–4× faster cached.
 */
export const DEFAULT_MIN_COST = 64;

/** A cached decision: the result and, to spare re-serialisation, its JSON text when known. */
export interface CachedDecision {
  result: Value | undefined;
  /** The result serialised as JSON (`undefined` when the result is undefined). */
  json: string | undefined;
}

export interface CacheStats {
  hits: number;
  misses: number;
  /** Lookups that were not cached (clock, non-determinism, cheaper than a lookup, oversized input, bypass). */
  uncacheable: number;
  size: number;
}

/** Why a decision is not cached, or `undefined` when it is. */
export function uncacheableReason(info: EntryPointInfo, minCost = DEFAULT_MIN_COST): string | undefined {
  if (info.readsClock) return 'reads the clock';
  if (info.nondeterministic) return 'calls a non-deterministic builtin';
  if (info.cost < minCost) return 'cheaper to evaluate than to look up';
  return undefined;
}

/** A node of the key trie: one level per key part. */
interface TrieNode {
  readonly parent: TrieNode | null;
  /** The part that leads here from `parent`. */
  readonly part: KeyPart;
  /** Children by scalar part (compared by value, as `Map` does). */
  readonly scalars: Map<unknown, TrieNode | Leaf>;
  /** Children by composite part, keyed by canonical text (created on first use). */
  composites: Map<string, TrieNode | Leaf> | null;
}

/** The end of a key: the decision and its entry in the LRU list. */
interface Leaf {
  readonly parent: TrieNode;
  readonly part: KeyPart;
  readonly token: number;
  decision: CachedDecision;
}

const newNode = (parent: TrieNode | null, part: KeyPart): TrieNode => ({ parent, part, scalars: new Map(), composites: null });

function childOf(node: TrieNode, part: KeyPart): TrieNode | Leaf | undefined {
  return part instanceof CompositeText ? node.composites?.get(part.text) : node.scalars.get(part);
}

function setChild(node: TrieNode, part: KeyPart, child: TrieNode | Leaf): void {
  if (part instanceof CompositeText) (node.composites ??= new Map()).set(part.text, child);
  else node.scalars.set(part, child);
}

function removeChild(node: TrieNode, part: KeyPart): void {
  if (part instanceof CompositeText) node.composites?.delete(part.text);
  else node.scalars.delete(part);
}

const isEmpty = (node: TrieNode) => node.scalars.size === 0 && (node.composites === null || node.composites.size === 0);

/**
 * Decisions are found through a trie of maps, one level per key part, so a lookup hashes only
 * the values the request already holds. The LRU (lru-cache) holds each leaf under a small integer
 * token: it decides recency, size and TTL, and unlinks a leaf from the trie (pruning emptied
 * levels) whenever it drops one.
 */
export class DecisionCache {
  private readonly lru: LRUCache<number, Leaf>;
  private readonly maxKeyLength: number;
  private readonly minCost: number;
  private root: TrieNode = newNode(null, null);
  private nextToken = 0;
  /** Normalised input paths per entry point object, computed once. */
  private readonly paths = new WeakMap<object, InputPaths | null>();
  /** The last entry point asked about and its paths: one comparison instead of a lookup when it repeats. */
  private lastEntry: object | undefined;
  private lastPaths: InputPaths | null = null;
  readonly stats: CacheStats = { hits: 0, misses: 0, uncacheable: 0, size: 0 };

  constructor(opts: DecisionCacheOptions = {}) {
    const ttl = opts.ttlMs ?? 60_000;
    this.lru = new LRUCache<number, Leaf>({
      max: Math.max(1, opts.maxEntries ?? 10_000),
      ...(ttl > 0 ? { ttl, ttlAutopurge: false } : {}),
      ...(opts.now ? { perf: { now: opts.now }, ttlResolution: 0 } : {}),
      dispose: leaf => this.unlink(leaf),
    });
    this.maxKeyLength = opts.maxKeyLength ?? 16_384;
    this.minCost = opts.minCost ?? DEFAULT_MIN_COST;
  }

  /**
   * Whether decisions of `entry` are ever cached (not when they read the clock, are
   * non-deterministic or are estimated cheaper to evaluate than to look up). Decided once per
   * entry point: an application can ask at setup and evaluate a declined entry point directly.
   */
  accepts(entry: EntryPointInfo): boolean {
    return this.pathsOf(entry) !== null;
  }

  /**
   * The key for evaluating `entry` (at `path`, under `revision`) on `input`, or `undefined` when
   * this decision must not be cached.
   */
  keyFor(revision: string, path: string, entry: EntryPointInfo, input: Value | undefined): DecisionKey | undefined {
    const paths = entry === this.lastEntry ? this.lastPaths : this.pathsOf(entry);
    if (paths === null) { this.stats.uncacheable++; return undefined; }
    const key = decisionKeyFor(revision, path, input, paths, this.maxKeyLength);
    if (key === undefined) this.stats.uncacheable++;
    return key;
  }

  /** The normalised input paths of `entry`, or null when it is not cached; remembered. */
  private pathsOf(entry: EntryPointInfo): InputPaths | null {
    let paths = this.paths.get(entry);
    if (paths === undefined) {
      paths = uncacheableReason(entry, this.minCost) === undefined ? normalizeInputPaths(entry.inputPaths) : null;
      this.paths.set(entry, paths);
    }
    this.lastEntry = entry;
    this.lastPaths = paths;
    return paths;
  }

  get(key: DecisionKey): CachedDecision | undefined {
    let at: TrieNode | Leaf | undefined = this.root;
    for (let i = 0; i < key.length && at !== undefined; i++) at = childOf(at as TrieNode, key[i]!);
    // The LRU read refreshes recency and drops (and unlinks) an expired entry.
    const leaf = at === undefined ? undefined : this.lru.get((at as Leaf).token);
    if (leaf === undefined) { this.stats.misses++; return undefined; }
    this.stats.hits++;
    return leaf.decision;
  }

  set(key: DecisionKey, decision: CachedDecision): void {
    let node = this.root;
    const last = key.length - 1;
    for (let i = 0; i < last; i++) {
      const part = key[i]!;
      let child = childOf(node, part) as TrieNode | undefined;
      if (child === undefined) { child = newNode(node, part); setChild(node, part, child); }
      node = child;
    }
    const part = key[last]!;
    const existing = childOf(node, part) as Leaf | undefined;
    if (existing !== undefined && this.lru.has(existing.token)) {
      existing.decision = decision;
      this.lru.set(existing.token, existing);
      return;
    }
    if (existing !== undefined) this.lru.delete(existing.token);
    const leaf: Leaf = { parent: node, part, token: this.nextToken++, decision };
    setChild(node, part, leaf);
    this.lru.set(leaf.token, leaf);
  }

  /** Removes a dropped leaf from the trie, and every level it leaves empty. */
  private unlink(leaf: Leaf): void {
    const parent = leaf.parent;
    if (childOf(parent, leaf.part) !== leaf) return;
    removeChild(parent, leaf.part);
    for (let node = parent; node.parent !== null && isEmpty(node); node = node.parent) removeChild(node.parent, node.part);
  }

  /** Counts a lookup skipped on request (bypass), so hit ratios stay honest. */
  countBypass(): void { this.stats.uncacheable++; }

  /** Drops every entry: call on any policy or data change. */
  invalidate(): void {
    this.root = newNode(null, null);
    this.lru.clear();
  }

  get size(): number { return this.lru.size; }
}
