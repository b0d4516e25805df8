/** Compile benchmarks: parse + check + compile of 10, 1,000 and 10,000-rule policies, each in a fresh process. */
import { fileURLToPath } from 'node:url';
import { describeAttempt, runWithRetry, type Attempt } from './child.js';
import type { CompileResult } from './compile-worker.js';

export const COMPILE_SIZES = [10, 1000, 10000] as const;

/**
 * Compiles are timed with Node's default heap sizes, as `pol serve` runs: the engine benchmarks'
 * large young generation (`WORKER_NODE_FLAGS`) keeps collections out of decision timing, but a
 * compile keeps nearly everything it allocates, and with it the 10,000-rule cold compile took
 * 1.2-1.4 s against 0.9-1.0 s with the defaults (AMD EPYC, 2 cores). `gc()` is for the retained heap.
 */
export const COMPILE_NODE_FLAGS = ['--expose-gc'];

/** Fresh processes per size: a cold compile happens once per process, so one process gives one sample. */
const COLD_PROCESSES = 5;

export interface CompileRun {
  rules: number;
  /** The figures of the process whose cold compile was the median. */
  result?: CompileResult;
  /** Every process's cold compile (ms), in the order run. */
  coldRuns: number[];
  crashes: Attempt[];
  flags: string[];
}

const WORKER = fileURLToPath(new URL('./compile-worker.js', import.meta.url));

export async function runCompileSuite(opts: { quick: boolean; log: (line: string) => void; sizes?: readonly number[] }): Promise<CompileRun[]> {
  const out: CompileRun[] = [];
  for (const rules of opts.sizes ?? COMPILE_SIZES) {
    const repeats = opts.quick ? 1 : 5;
    const results: { result: CompileResult; flags: string[] }[] = [];
    const crashes: Attempt[] = [];
    let lastFlags: string[] = [];
    for (let p = 0; p < (opts.quick ? 1 : COLD_PROCESSES); p++) {
      const run = await runWithRetry<CompileResult>(WORKER, [String(rules), String(repeats)], opts.quick ? 120_000 : 600_000, [], COMPILE_NODE_FLAGS);
      for (const c of run.crashes) opts.log(`  compile ${rules}: CRASHED ${describeAttempt(c)}`);
      crashes.push(...run.crashes);
      if (run.result) results.push({ result: run.result, flags: run.flags });
      lastFlags = run.flags;
    }
    const coldRuns = results.map(r => r.result.coldMs);
    const median = [...results].sort((a, b) => a.result.coldMs - b.result.coldMs)[Math.floor((results.length - 1) / 2)];
    const result = median?.result, flags = median?.flags ?? lastFlags;
    opts.log(result ? `  compile ${rules} rules: cold ${coldRuns.map(ms => ms.toFixed(0)).join(' / ')} ms, warm ${result.compileMs.toFixed(0)} ms` : `  compile ${rules}: FAILED ${crashes.length} times`);
    out.push({ rules, result, coldRuns, crashes, flags });
  }
  return out;
}
