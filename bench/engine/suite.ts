/** The engine benchmark suite: every (workload, engine) in its own process, then the agreement check. */
import { fileURLToPath } from 'node:url';
import { compareDecisions, type Disagreement } from './agree.js';
import { runWithRetry } from './child.js';
import type { WorkerResult } from './worker.js';
import { makeWorkload } from './workloads/index.js';
import type { EngineName } from './workload.js';

export interface EngineSuiteOptions {
  quick: boolean;
  workloads: readonly string[];
  engines: readonly EngineName[];
  log: (line: string) => void;
}

export interface EngineRun {
  workload: string;
  engine: EngineName;
  result?: WorkerResult;
  /** Failed attempts (crashes, timeouts), each described; a rerun follows the first. */
  crashes: string[];
}

export interface EngineSuiteResult {
  runs: EngineRun[];
  disagreements: Disagreement[];
  /** Size of each workload's request set. */
  requests: Record<string, number>;
}

/**
 * Requests per workload: enough distinct requests to defeat trivial caching in the engines, fewer
 * where the slowest peers take tens of milliseconds per decision (the agreement pass runs them all).
 */
export function requestCount(workload: string, quick: boolean): number {
  if (quick) return 256;
  if (workload === 'scale-10000') return 512;
  if (workload === 'scale-1000') return 2048;
  return 4096;
}

const WORKER = fileURLToPath(new URL('./worker.js', import.meta.url));

export async function runEngineSuite(opts: EngineSuiteOptions): Promise<EngineSuiteResult> {
  const runs: EngineRun[] = [];
  const disagreements: Disagreement[] = [];
  const timeoutMs = opts.quick ? 120_000 : 600_000;
  const counts: Record<string, number> = {};
  for (const id of opts.workloads) {
    const count = counts[id] = requestCount(id, opts.quick);
    const mine: EngineRun[] = [];
    for (const engine of opts.engines) {
      const started = performance.now();
      const { result, crashes } = await runWithRetry<WorkerResult>(WORKER, [id, engine, opts.quick ? 'quick' : 'full', String(count)], timeoutMs);
      const secs = ((performance.now() - started) / 1000).toFixed(1);
      for (const c of crashes) opts.log(`  ${id} / ${engine}: CRASHED (${c})${result ? ' — rerun succeeded' : ''}`);
      opts.log(result ? `  ${id} / ${engine}: ${result.timing.medianNs.toFixed(0)} ns/op (${secs}s)` : `  ${id} / ${engine}: FAILED twice`);
      mine.push({ workload: id, engine, result, crashes });
    }
    runs.push(...mine);
    const floor = mine.find(r => r.engine === 'floor')?.result;
    if (floor) {
      const requests = makeWorkload(id).requests(count);
      for (const r of mine) {
        if (!r.result || r.engine === 'floor') continue;
        const d = compareDecisions(id, r.engine, requests, floor.decisions, r.result.decisions);
        if (d) disagreements.push(d);
      }
    }
  }
  return { runs, disagreements, requests: counts };
}
