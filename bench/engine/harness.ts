/**
 * Timing: warm up, then let mitata measure. mitata times fast functions in batches (4,096 calls
 * per sample, so the clock's own cost and resolution do not dominate sub-microsecond decisions)
 * and slow ones call by call; ns/op is the median (and p99) of its samples.
 */
import { measure as mitataMeasure } from 'mitata';
import type { Decide } from './workload.js';

export interface MeasureOptions {
  /** Warm-up time before measuring (ms). */
  warmupMs: number;
  /** Measuring time (ms of CPU time spent in the measured function). */
  measureMs: number;
  /** Fewest samples taken, whatever `measureMs` says. */
  minBatches: number;
}

export const FULL: MeasureOptions = { warmupMs: 1000, measureMs: 3000, minBatches: 30 };
export const QUICK: MeasureOptions = { warmupMs: 100, measureMs: 250, minBatches: 10 };

export interface Timing {
  medianNs: number;
  p99Ns: number;
  meanNs: number;
  opsPerSec: number;
  /** mitata's samples (batches of calls, or single calls for slow engines). */
  batches: number;
  opsPerBatch: number;
  totalOps: number;
  /** Bytes allocated on the JS heap per decision (approximate; see `heapPerDecision`). */
  heapBytesPerOp: number | null;
  /** Allowed decisions per call, kept so the optimiser cannot drop the calls. */
  allowRate: number;
}

export async function measure(decide: Decide, requests: unknown[], opts: MeasureOptions): Promise<Timing> {
  const n = requests.length;
  let j = 0, allowed = 0, calls = 0;
  // One decision per call, cycling through the request set; the allow count keeps results used.
  const one = () => {
    if (decide(requests[j])) allowed++;
    calls++;
    if (++j === n) j = 0;
  };
  const warmEnd = performance.now() + opts.warmupMs;
  while (performance.now() < warmEnd) for (let i = 0; i < 64; i++) one();
  allowed = 0; calls = 0;
  const stats = await mitataMeasure(one, { min_cpu_time: opts.measureMs * 1e6, min_samples: opts.minBatches, gc: false });
  const samples = stats.samples.length;
  return {
    medianNs: stats.p50,
    p99Ns: stats.p99,
    meanNs: stats.avg,
    opsPerSec: 1e9 / stats.p50,
    batches: samples,
    opsPerBatch: samples ? stats.ticks / samples : 0,
    totalOps: calls,
    heapBytesPerOp: null,
    allowRate: calls ? allowed / calls : 0,
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
