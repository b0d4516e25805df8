/**
 * One measurement in its own process: `node worker.js <workload> <engine> <quick|full> <requests>`.
 * Prints one line `RESULT <json>` with the engine's decisions (for the agreement check), its
 * timing and its heap use. Isolating each (workload, engine) keeps one engine's JIT state and
 * garbage from affecting another, and contains V8 aborts to one measurement.
 */
import { decisionString } from './agree.js';
import { FULL, QUICK, heapPerDecision, measure, type Timing } from './harness.js';
import { makeWorkload } from './workloads/index.js';
import { ENGINES, type EngineName } from './workload.js';

export interface WorkerResult {
  workload: string;
  engine: EngineName;
  setupMs: number;
  decisions: string;
  timing: Timing;
  /** The node flags this process actually ran with (`process.execArgv`), as the report shows them. */
  execArgv?: string[];
}

import { RESULT_PREFIX } from './child.js';

async function run(argv: string[]): Promise<void> {
  const [id, engine, mode, countText] = argv;
  if (!id || !engine || !(ENGINES as readonly string[]).includes(engine)) throw new Error(`usage: worker <workload> <${ENGINES.join('|')}> <quick|full> <requests>`);
  const workload = makeWorkload(id);
  const requests = workload.requests(Number(countText ?? 4096));
  const t0 = performance.now();
  const decide = await workload.engines[engine as EngineName]();
  const setupMs = performance.now() - t0;
  // The agreement pass doubles as the first warm-up (and fills the decision cache).
  const decisions = decisionString(decide, requests);
  const timing = await measure(decide, requests, mode === 'full' ? FULL : QUICK);
  timing.heapBytesPerOp = heapPerDecision(decide, requests, timing.medianNs);
  const result: WorkerResult = { workload: id, engine: engine as EngineName, setupMs, decisions, timing, execArgv: process.execArgv };
  process.stdout.write(RESULT_PREFIX + JSON.stringify(result) + '\n');
}

run(process.argv.slice(2)).catch(e => {
  process.stderr.write(`${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
  process.exitCode = 1;
});
