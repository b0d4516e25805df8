/** The server's metrics, declared up front in one place. */
import { Counter, Gauge, Histogram, Registry } from './registry.js';

/** Policy load buckets in seconds: a data write takes milliseconds, a large policy's compile about a second. */
const LOAD_BUCKETS = [0.001, 0.005, 0.025, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** Latency buckets in seconds: decisions are expected in the 10 µs – 10 ms range. */
const LATENCY_BUCKETS = [0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1, 1];

export interface ServerMetrics {
  registry: Registry;
  decisions: Counter;
  verdicts: Counter;
  latency: Histogram;
  cacheHits: Counter;
  cacheMisses: Counter;
  reloads: Counter;
  loadDuration: Histogram;
  errors: Counter;
  offloads: Counter;
  sharedOffloads: Counter;
}

export function createServerMetrics(read: {
  revision: () => string | undefined;
  logDropped: () => number;
  cacheSize: () => number;
  /** Policy changes queued or compiling in the background. */
  changesWaiting: () => number;
  evalWorkers?: () => { threads: number; waiting: number; lost: number };
}): ServerMetrics {
  const registry = new Registry();
  const m: ServerMetrics = {
    registry,
    decisions: registry.register(new Counter('pol_decisions_total', 'Decisions made, by API and outcome.', ['api', 'outcome'])),
    verdicts: registry.register(new Counter('pol_proxy_verdicts_total', 'Forward-auth and ext_authz answers, by API and verdict (allow, deny, error, refused).', ['api', 'verdict'])),
    latency: registry.register(new Histogram('pol_decision_duration_seconds', 'Time to decide (evaluation or cache lookup), by API.', LATENCY_BUCKETS, ['api', 'cached'])),
    cacheHits: registry.register(new Counter('pol_decision_cache_hits_total', 'Decisions answered from the cache.')),
    cacheMisses: registry.register(new Counter('pol_decision_cache_misses_total', 'Cacheable decisions that had to be evaluated.')),
    reloads: registry.register(new Counter('pol_policy_reloads_total', 'Policy loads, by origin and result.', ['origin', 'result'])),
    loadDuration: registry.register(new Histogram('pol_policy_load_duration_seconds', 'Time to make each policy generation swapped in (compiling, or new data for the compiled policy), by origin.', LOAD_BUCKETS, ['origin'])),
    errors: registry.register(new Counter('pol_errors_total', 'Errors, by code.', ['code'])),
    offloads: registry.register(new Counter('pol_offloaded_decisions_total', 'Decisions evaluated on an evaluation worker (their entry points had run long on the request thread).')),
    sharedOffloads: registry.register(new Counter('pol_offloaded_decisions_shared_total', 'Decisions answered by an identical one (the same cache key) already being evaluated on an evaluation worker.')),
  };
  const workers = read.evalWorkers;
  if (workers) {
    registry.register(new Gauge('pol_eval_worker_threads', 'Evaluation worker threads running.', () => [{ value: workers().threads }]));
    registry.register(new Gauge('pol_eval_worker_waiting', 'Decisions waiting for or running on an evaluation worker.', () => [{ value: workers().waiting }]));
    registry.register(new Gauge('pol_eval_worker_lost_total', 'Evaluation worker threads stopped (past a deadline) or died.', () => [{ value: workers().lost }], 'counter'));
  }
  registry.register(new Gauge('pol_policy_changes_waiting', 'Policy changes queued or compiling in the background (at most 32).', () => [{ value: read.changesWaiting() }]));
  registry.register(new Gauge('pol_decision_cache_entries', 'Entries in the decision cache.', () => [{ value: read.cacheSize() }]));
  registry.register(new Gauge('pol_decision_log_dropped_total', 'Decision log lines dropped because the buffer was full.', () => [{ value: read.logDropped() }], 'counter'));
  registry.register(new Gauge('pol_policy_info', 'The working policy revision (value 1).', () => {
    const r = read.revision();
    return r === undefined ? [] : [{ labels: { revision: r }, value: 1 }];
  }));
  return m;
}
