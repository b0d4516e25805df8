/**
 * The decision cache: a bounded LRU with a TTL, keyed by policy revision, entry point and the
 * projection of the input the entry point reads. It knows nothing of HTTP.
 *
 * Never stale: the revision is part of every key, and `invalidate()` drops everything when the
 * policy or data changes (the old entries could never be hit again, so they are freed at once).
 * Entry points that may read the clock or call non-deterministic builtins are never cached: the
 * compiler reports that it may read the clock, not which time windows its comparisons allow, so
 * there is no safe lifetime to give such a decision.
 */
import { LRUCache } from 'lru-cache';
import type { EntryPointInfo } from '../api.js';
import type { Value } from '../value.js';
import { decisionKeyFor, normalizeInputPaths, type InputPaths } from './key.js';

export interface DecisionCacheOptions {
  /** Most entries kept (default 10 000). */
  maxEntries?: number;
  /** Lifetime of an entry in milliseconds (default 60 000; 0 keeps entries until evicted). */
  ttlMs?: number;
  /** Longest input projection cached, in characters (default 16 384). */
  maxKeyLength?: number;
  /** Clock for TTLs in milliseconds (default `performance.now`); tests pass a manual one. */
  now?: () => number;
}

/** A cached decision: the result and, to spare re-serialisation, its JSON text when known. */
export interface CachedDecision {
  result: Value | undefined;
  /** The result serialised as JSON (`undefined` when the result is undefined). */
  json: string | undefined;
}

export interface CacheStats {
  hits: number;
  misses: number;
  /** Lookups that could not be cached (clock, non-determinism, oversized input, bypass). */
  uncacheable: number;
  size: number;
}

/** Why a decision is not cacheable, or `undefined` when it is. */
export function uncacheableReason(info: EntryPointInfo): string | undefined {
  if (info.readsClock) return 'reads the clock';
  if (info.nondeterministic) return 'calls a non-deterministic builtin';
  return undefined;
}

export class DecisionCache {
  private readonly lru: LRUCache<string, CachedDecision>;
  private readonly maxKeyLength: number;
  /** Normalised input paths per entry point object, computed once. */
  private readonly paths = new WeakMap<object, InputPaths | null>();
  readonly stats: CacheStats = { hits: 0, misses: 0, uncacheable: 0, size: 0 };

  constructor(opts: DecisionCacheOptions = {}) {
    const ttl = opts.ttlMs ?? 60_000;
    this.lru = new LRUCache<string, CachedDecision>({
      max: Math.max(1, opts.maxEntries ?? 10_000),
      ...(ttl > 0 ? { ttl, ttlAutopurge: false } : {}),
      ...(opts.now ? { perf: { now: opts.now }, ttlResolution: 0 } : {}),
    });
    this.maxKeyLength = opts.maxKeyLength ?? 16_384;
  }

  /**
   * The key for evaluating `entry` (at `path`, under `revision`) on `input`, or `undefined` when
   * this decision must not be cached.
   */
  keyFor(revision: string, path: string, entry: EntryPointInfo, input: Value | undefined): string | undefined {
    let paths = this.paths.get(entry);
    if (paths === undefined) {
      paths = uncacheableReason(entry) === undefined ? normalizeInputPaths(entry.inputPaths) : null;
      this.paths.set(entry, paths);
    }
    if (paths === null) { this.stats.uncacheable++; return undefined; }
    const key = decisionKeyFor(revision, path, input, paths, this.maxKeyLength);
    if (key === undefined) this.stats.uncacheable++;
    return key;
  }

  get(key: string): CachedDecision | undefined {
    const hit = this.lru.get(key);
    if (hit === undefined) this.stats.misses++;
    else this.stats.hits++;
    return hit;
  }

  set(key: string, decision: CachedDecision): void {
    this.lru.set(key, decision);
  }

  /** Counts a lookup skipped on request (bypass), so hit ratios stay honest. */
  countBypass(): void { this.stats.uncacheable++; }

  /** Drops every entry: call on any policy or data change. */
  invalidate(): void { this.lru.clear(); }

  get size(): number { return this.lru.size; }
}
