/**
 * The decision cache: keys from the policy revision, the entry point and the input values the
 * entry point reads; bounded size and TTL; clock-reading and non-deterministic entry points, and
 * those cheaper to evaluate than to look up, are never cached.
 */
export { DecisionCache, DEFAULT_MIN_COST, uncacheableReason, type DecisionCacheOptions, type CachedDecision, type CacheStats } from './decision-cache.js';
export { keyText, normalizeInputPaths, type DecisionKey, type InputPaths } from './key.js';
