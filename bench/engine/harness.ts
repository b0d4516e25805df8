/**
 * A small timing harness: warm up, then time batches of calls over a pre-generated request set and
 * report the median and p99 of per-batch ns/op. Batches (not single calls) are timed so the clock's
 * own cost and resolution do not dominate sub-microsecond decisions.
 */
import type { Decide } from './workload.js';

export interface MeasureOptions {
  /** Warm-up time before measuring (ms). */
  warmupMs: number;
  /** Measuring time (ms); at least `minBatches` batches are taken whatever it says. */
  measureMs: number;
  /** Target duration of one batch (ms). */
  batchMs: number;
  minBatches: number;
}

export const FULL: MeasureOptions = { warmupMs: 1000, measureMs: 3000, batchMs: 10, minBatches: 30 };
export const QUICK: MeasureOptions = { warmupMs: 100, measureMs: 250, batchMs: 5, minBatches: 10 };

export interface Timing {
  medianNs: number;
  p99Ns: number;
  meanNs: number;
  opsPerSec: number;
  batches: number;
  opsPerBatch: number;
  totalOps: number;
  /** Bytes allocated on the JS heap per decision (approximate; see `heapPerDecision`). */
  heapBytesPerOp: number | null;
  /** Allowed decisions per batch, kept so the optimiser cannot drop the calls. */
  allowRate: number;
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i]!;
}

/** Runs `ops` decisions cycling through `requests`; returns elapsed ns and the allow count. */
function runBatch(decide: Decide, requests: unknown[], start: number, ops: number): { ns: number; allowed: number } {
  const n = requests.length;
  let allowed = 0, j = start % n;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < ops; i++) {
    if (decide(requests[j])) allowed++;
    if (++j === n) j = 0;
  }
  const ns = Number(process.hrtime.bigint() - t0);
  return { ns, allowed };
}

export function measure(decide: Decide, requests: unknown[], opts: MeasureOptions): Timing {
  // Warm-up, doubling the batch until one batch takes about `batchMs`.
  let ops = 1, cursor = 0;
  const warmEnd = performance.now() + opts.warmupMs;
  let calibrated = false;
  while (performance.now() < warmEnd || !calibrated) {
    const { ns } = runBatch(decide, requests, cursor, ops);
    cursor += ops;
    if (ns < opts.batchMs * 1e6 && !calibrated) ops *= 2;
    else calibrated = true;
  }
  const samples: number[] = [];
  let totalNs = 0, totalOps = 0, allowed = 0;
  const end = performance.now() + opts.measureMs;
  while (performance.now() < end || samples.length < opts.minBatches) {
    const b = runBatch(decide, requests, cursor, ops);
    cursor += ops;
    samples.push(b.ns / ops);
    totalNs += b.ns; totalOps += ops; allowed += b.allowed;
  }
  samples.sort((a, b) => a - b);
  const median = quantile(samples, 0.5);
  return {
    medianNs: median,
    p99Ns: quantile(samples, 0.99),
    meanNs: totalNs / totalOps,
    opsPerSec: 1e9 / median,
    batches: samples.length,
    opsPerBatch: ops,
    totalOps,
    heapBytesPerOp: null,
    allowRate: allowed / totalOps,
  };
}

type GC = () => void;

/**
 * JS heap allocated per decision: collect, run a stretch of decisions, read the heap growth.
 * Needs `--expose-gc` and a young generation large enough that no collection runs inside the
 * stretch (the worker starts node with a large `--max-semi-space-size`); a stretch in which the
 * heap shrank saw a collection and is retried shorter. Returns null when it cannot tell.
 */
export function heapPerDecision(decide: Decide, requests: unknown[], nsPerOp: number, budgetMs = 200, maxOps = 20_000): number | null {
  const gc = (globalThis as { gc?: GC }).gc;
  if (!gc) return null;
  // As many decisions as fit the time budget: slow engines get fewer, never fewer than 100.
  let ops = Math.max(100, Math.min(maxOps, Math.floor((budgetMs * 1e6) / Math.max(nsPerOp, 1))));
  for (let attempt = 0; attempt < 6 && ops >= 100; attempt++, ops = Math.floor(ops / 4)) {
    gc(); gc();
    const before = process.memoryUsage().heapUsed;
    let j = 0;
    for (let i = 0; i < ops; i++) {
      decide(requests[j]);
      if (++j === requests.length) j = 0;
    }
    const after = process.memoryUsage().heapUsed;
    if (after >= before) return (after - before) / ops;
  }
  return null;
}
