/** pol as a benchmark engine: compile once, resolve the entry point once, evaluate per request. */
import { compile, type Value } from '../../../engine/index.js';
import { DecisionCache } from '../../../engine/cache/index.js';
import type { Decide } from '../workload.js';

export interface PolSetup {
  modules: Record<string, string>;
  data?: Value;
  /** Entry point, e.g. `rbac/allow`. */
  path: string;
}

/** Uncached: every request is evaluated. */
export async function polEngine(setup: PolSetup): Promise<Decide> {
  const prepared = compile({ modules: setup.modules, data: setup.data });
  const entry = prepared.entrypoint(setup.path);
  return request => entry.evaluate(request as Value) === true;
}

/**
 * With the engine's decision cache, as an application embedding the engine uses it: key from the
 * revision, the entry point and the input values it reads; evaluate and remember on a miss. An
 * entry point the cache declines (see `DecisionCache.accepts`: it reads the clock, or evaluating
 * it is cheaper than a lookup) is evaluated directly, decided once here at setup.
 */
export async function polCachedEngine(setup: PolSetup): Promise<Decide> {
  const prepared = compile({ modules: setup.modules, data: setup.data });
  const entry = prepared.entrypoint(setup.path);
  const cache = new DecisionCache({ maxEntries: 1_000_000, ttlMs: 0 });
  if (!cache.accepts(entry)) return request => entry.evaluate(request as Value) === true;
  const revision = prepared.revision;
  return request => {
    const key = cache.keyFor(revision, setup.path, entry, request as Value);
    if (key !== undefined) {
      const hit = cache.get(key);
      if (hit !== undefined) return hit.result === true;
    }
    const result = entry.evaluate(request as Value);
    if (key !== undefined) cache.set(key, { result, json: undefined });
    return result === true;
  };
}
