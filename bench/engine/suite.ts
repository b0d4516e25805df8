/** The engine benchmark suite: every (workload, engine) in its own process, then the agreement check. */
import { fileURLToPath } from 'node:url';
import { compareDecisions, type Disagreement } from './agree.js';
import { describeAttempt, runWithRetry, type Attempt } from './child.js';
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
  /** Failed attempts (crashes, timeouts), each with its flags; a rerun in a fresh process follows each. */
  crashes: Attempt[];
  /** Node flags (beyond `WORKER_NODE_FLAGS`) of the process whose numbers are shown. */
  flags: string[];
  /** Each measuring process's ns/decision, when the engine was measured in several (the shown one is their median). */
  repeats?: number[];
}

/**
 * Engines faster than this per decision are measured in `FAST_REPEATS` processes and the one with
 * the median result is shown: on this shared machine one process's JIT decisions, or a burst of
 * other load during its few seconds, moved a fast engine by up to 2–3×. Five, not three: pol's
 * ABAC decision is bimodal by process (about 11.7 or 14.5 ns, depending on whether V8 inlines the
 * harness's per-decision call into mitata's loop; about one process in four is slow), and a
 * median of three landed on the slow mode in one full run of five. Slow peers (Cedar, Casbin)
 * take long enough per process that one is enough.
 */
export const FAST_NS = 100_000;
export const FAST_REPEATS = 5;

/** The outcome with the median ns/decision among those with a result (the lower middle for an even count), else the first. */
export function medianOutcome<T extends { result?: { timing: { medianNs: number } } }>(outcomes: T[]): T {
  const measured = outcomes.filter(o => o.result).sort((a, b) => a.result!.timing.medianNs - b.result!.timing.medianNs);
  return measured.length ? measured[Math.floor((measured.length - 1) / 2)]! : outcomes[0]!;
}

/**
 * Node flags some engines always run with, reported with their numbers.
 *
 * cedar: Node 20's V8 (11.3) inlines JS-to-Wasm calls into optimised JS by default. When that
 * optimised code is deoptimised lazily while the inlined Wasm call is on the stack (cedar-wasm's
 * `statefulIsAuthorized` calls back into JS for `JSON.stringify`/`JSON.parse`, which invalidates
 * code dependencies, and returns an externref), V8 must rebuild a "JS-to-Wasm builtin
 * continuation" frame and aborts with `unreachable code` in
 * `Deoptimizer::DoComputeBuiltinContinuation` (SIGTRAP): every full Cedar run died this way.
 * `--no-turbo-inline-js-wasm-calls` turns off only that inlining: TurboFan still optimises
 * cedar-wasm's JS glue and the adapter, and each call into Wasm goes through V8's generic
 * JS-to-Wasm wrapper instead: about 10 ns more per call (7 → 16 ns for a trivial Wasm function on
 * the 2-core machine), for a handful of calls per decision, against Cedar's hundreds of
 * microseconds per decision. Tried and not needed: the crash does not depend on
 * `--max-semi-space-size` (it happens without it); `--no-turbo-inlining` also avoids it but
 * stops all inlining in the glue; `--no-opt` would leave the glue interpreted. The floor, pol and Casbin make no Wasm calls, so the flag would not
 * change their code; they run without it.
 */
export const ENGINE_NODE_FLAGS: Partial<Record<EngineName, readonly string[]>> = {
  cedar: ['--no-turbo-inline-js-wasm-calls'],
};

/** Why each engine's flags are there, one line each, for the report. */
export const ENGINE_FLAG_REASONS: Partial<Record<EngineName, string>> = {
  cedar: 'Without it Node 20\'s V8 aborts every Cedar run ("unreachable code" in `Deoptimizer::DoComputeBuiltinContinuation`, SIGTRAP) when it deoptimises code that inlined a call into Wasm. The flag stops only that inlining: Cedar\'s JS glue is still optimised by TurboFan, and each call into Wasm goes through the generic JS-to-Wasm wrapper, about 10 ns more per call (a trivial Wasm function: 7 ns inlined, 16 ns not) for a handful of calls per decision, against Cedar\'s hundreds of microseconds per decision.',
};

export interface EngineSuiteResult {
  runs: EngineRun[];
  disagreements: Disagreement[];
  /** Size of each workload's request set. */
  requests: Record<string, number>;
  /** Measurement processes run at the same time (1 except in quick mode). */
  concurrency?: number;
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

/**
 * Measurement processes run one at a time, so they never compete for the CPU; quick mode (whose
 * numbers are not meant to be quoted) runs two at a time to stay under a minute on two cores.
 */
export function concurrencyFor(quick: boolean): number {
  return quick ? 2 : 1;
}

export async function runEngineSuite(opts: EngineSuiteOptions): Promise<EngineSuiteResult> {
  const timeoutMs = opts.quick ? 120_000 : 600_000;
  const counts: Record<string, number> = {};
  for (const id of opts.workloads) counts[id] = requestCount(id, opts.quick);
  const tasks = opts.workloads.flatMap(workload => opts.engines.map(engine => ({ workload, engine })));
  const runs: EngineRun[] = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < tasks.length; i = next++) {
      const { workload: id, engine } = tasks[i]!;
      const started = performance.now();
      const args = [id, engine, opts.quick ? 'quick' : 'full', String(counts[id])];
      const first = await runWithRetry<WorkerResult>(WORKER, args, timeoutMs, ENGINE_NODE_FLAGS[engine] ?? []);
      const outcomes = [first];
      if (!opts.quick && first.result && first.result.timing.medianNs < FAST_NS) {
        for (let k = 1; k < FAST_REPEATS; k++) outcomes.push(await runWithRetry<WorkerResult>(WORKER, args, timeoutMs, ENGINE_NODE_FLAGS[engine] ?? []));
      }
      const shown = medianOutcome(outcomes);
      const crashes = outcomes.flatMap(o => o.crashes);
      const { result, flags } = shown;
      const repeats = outcomes.length > 1 ? outcomes.filter(o => o.result).map(o => o.result!.timing.medianNs) : undefined;
      const secs = ((performance.now() - started) / 1000).toFixed(1);
      for (const c of crashes) opts.log(`  ${id} / ${engine}: CRASHED ${describeAttempt(c)}`);
      const how = flags.length ? ` with ${flags.join(' ')}` : '';
      const each = repeats ? `; processes: ${repeats.map(n => n.toFixed(0)).join(', ')} ns` : '';
      opts.log(result
        ? `  ${id} / ${engine}: ${result.timing.medianNs.toFixed(0)} ns/op (${secs}s${how}${crashes.length ? `, attempt ${crashes.length + 1}` : ''}${each})`
        : `  ${id} / ${engine}: FAILED ${crashes.length} times`);
      runs[i] = { workload: id, engine, result, crashes, flags, ...(repeats ? { repeats } : {}) };
    }
  };
  const concurrency = concurrencyFor(opts.quick);
  await Promise.all(Array.from({ length: Math.min(concurrency, tasks.length) }, worker));

  const disagreements: Disagreement[] = [];
  for (const id of opts.workloads) {
    const mine = runs.filter(r => r.workload === id);
    const floor = mine.find(r => r.engine === 'floor')?.result;
    if (!floor) continue;
    const requests = makeWorkload(id).requests(counts[id]!);
    for (const r of mine) {
      if (!r.result || r.engine === 'floor') continue;
      const d = compareDecisions(id, r.engine, requests, floor.decisions, r.result.decisions);
      if (d) disagreements.push(d);
    }
  }
  return { runs, disagreements, requests: counts, concurrency };
}
