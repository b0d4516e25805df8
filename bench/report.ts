/** Renders bench/RESULTS.md from one run's results. Nothing in it is written by hand. */
import { COMPILE_NODE_FLAGS, type CompileRun } from './engine/compile-suite.js';
import { describeDisagreement } from './engine/agree.js';
import type { EngineRun, EngineSuiteResult } from './engine/suite.js';
import { fmtBytes, fmtNs, fmtOps, fmtRatio } from './engine/stats.js';
import type { MachineFacts } from './machine.js';
import { DEFAULT_MIN_COST } from '../engine/cache/index.js';
import { ENGINE_LABELS, ENGINES, type EngineName } from './engine/workload.js';
import type { MeasureOptions } from './engine/harness.js';
import { RERUN_NODE_FLAGS, WORKER_NODE_FLAGS, describeAttempt, type Attempt } from './engine/child.js';
import { ENGINE_FLAG_REASONS, ENGINE_NODE_FLAGS, FAST_NS, FAST_REPEATS } from './engine/suite.js';

export interface RunReport {
  date: Date;
  quick: boolean;
  machine: MachineFacts;
  measure: MeasureOptions;
  engine?: EngineSuiteResult;
  workloadInfo: Record<string, { title: string; description: string }>;
  compile?: CompileRun[];
  /** Markdown returned by the HTTP benchmarks, or why they did not run. */
  http?: string;
  /** Targets judged elsewhere (the HTTP benchmarks). */
  extraTargets?: TargetCheck[];
  durationSec: number;
}

/** OPA's Wasm build of its RBAC example, measured in Node on the reference machine (issue #5). */
export const OPA_WASM_RBAC_FLOOR_RATIO = 160;

export interface TargetCheck { target: string; measured: string; met: boolean | undefined }

function median(run: EngineRun | undefined): number | undefined {
  return run?.result?.timing.medianNs;
}

function find(runs: EngineRun[], workload: string, engine: EngineName): EngineRun | undefined {
  return runs.find(r => r.workload === workload && r.engine === engine);
}

const POLICY_WORKLOADS = ['rbac', 'abac', 'contextual'];

/** Every target of issue #5 that this run can judge. */
export function checkTargets(r: RunReport): TargetCheck[] {
  const out: TargetCheck[] = [];
  const runs = r.engine?.runs ?? [];
  const ratio = (w: string, a: EngineName, b: EngineName): number | undefined => {
    const x = median(find(runs, w, a)), y = median(find(runs, w, b));
    return x !== undefined && y !== undefined ? x / y : undefined;
  };
  const present = POLICY_WORKLOADS.filter(w => runs.some(x => x.workload === w));
  for (const w of present) {
    for (const peer of ['cedar', 'casbin'] as const) {
      const x = ratio(w, peer, 'pol');
      out.push({ target: `${w}: pol uncached ≥ 100× faster than ${peer}`, measured: x === undefined ? 'not measured' : `${fmtRatio(x)} faster`, met: x === undefined ? undefined : x >= 100 });
    }
    const f = ratio(w, 'pol', 'floor');
    out.push({ target: `${w}: pol uncached within 10× of the floor`, measured: f === undefined ? 'not measured' : `${fmtRatio(f)} the floor`, met: f === undefined ? undefined : f <= 10 });
    const c = ratio(w, 'pol-cached', 'floor');
    out.push({ target: `${w}: pol cached within 3× of the floor`, measured: c === undefined ? 'not measured' : `${fmtRatio(c)} the floor`, met: c === undefined ? undefined : c <= 3 });
  }
  const rbac = ratio('rbac', 'pol', 'floor');
  if (rbac !== undefined) {
    const limit = OPA_WASM_RBAC_FLOOR_RATIO / 10;
    out.push({
      target: `rbac: pol ≥ 10× faster than OPA Wasm's RBAC example (reference ${OPA_WASM_RBAC_FLOOR_RATIO}× the floor, not measured in this run) → ≤ ${limit}× the floor`,
      measured: `${fmtRatio(rbac)} the floor (≈ ${fmtRatio(OPA_WASM_RBAC_FLOOR_RATIO / rbac)} faster than the reference)`,
      met: rbac <= limit,
    });
  }
  const big = median(find(runs, 'scale-10000', 'pol')), small = median(find(runs, 'scale-200', 'pol'));
  if (big !== undefined && small !== undefined) {
    out.push({ target: '10,000-rule RBAC within 2× of the 200-rule RBAC (pol, uncached)', measured: `${fmtRatio(big / small)} (${fmtNs(big)} vs ${fmtNs(small)})`, met: big / small <= 2 });
  }
  const c10k = r.compile?.find(c => c.rules === 10000)?.result;
  if (c10k) out.push({ target: '10,000-rule policy compiles in under 1 s (cold, fresh process; median of processes)', measured: `${(c10k.coldMs / 1000).toFixed(2)} s cold, ${(c10k.compileMs / 1000).toFixed(2)} s warm`, met: c10k.coldMs < 1000 });
  out.push(...(r.extraTargets ?? []));
  return out;
}

function mark(met: boolean | undefined): string {
  return met === undefined ? '—' : met ? '✅ met' : '❌ missed';
}

const code = (flags: readonly string[]) => flags.map(f => `\`${f}\``).join(' ');

/** The "run" cell: extra node flags and, after crashes, which attempt the numbers come from. */
function runCell(run: { crashes: Attempt[]; flags: string[]; result?: unknown; repeats?: number[] }): string {
  const parts: string[] = [];
  if (run.flags.length) parts.push(code(run.flags));
  if (run.repeats) parts.push(`processes: ${[...run.repeats].sort((a, b) => a - b).map(fmtNs).join(', ')}`);
  if (run.crashes.length) {
    const n = run.crashes.length;
    parts.push(run.result ? `attempt ${n + 1}, after ${n} crash${n > 1 ? 'es' : ''}` : `failed ${n} time${n > 1 ? 's' : ''}`);
  }
  return parts.length ? parts.join('; ') : '—';
}

function engineTable(runs: EngineRun[], workload: string): string[] {
  const floor = median(find(runs, workload, 'floor'));
  const pol = median(find(runs, workload, 'pol'));
  const lines = [
    '| engine | median / decision | p99 of batches | decisions/s | heap / decision | × floor | × pol (uncached) | extra node flags, reruns |',
    '|---|---:|---:|---:|---:|---:|---:|---|',
  ];
  for (const e of ENGINES) {
    const run = find(runs, workload, e);
    if (!run) continue;
    const t = run.result?.timing;
    if (!t) { lines.push(`| ${ENGINE_LABELS[e]} | not measured | | | | | | ${runCell(run)} |`); continue; }
    lines.push(`| ${ENGINE_LABELS[e]} | ${fmtNs(t.medianNs)} | ${fmtNs(t.p99Ns)} | ${fmtOps(t.opsPerSec)} | ${fmtBytes(t.heapBytesPerOp)} | ${floor ? fmtRatio(t.medianNs / floor) : 'n/a'} | ${pol ? fmtRatio(t.medianNs / pol) : 'n/a'} | ${runCell(run)} |`);
  }
  return lines;
}

function peerTable(runs: EngineRun[], workloads: string[]): string[] {
  const lines = [
    '| workload | pol vs floor | pol cached vs floor | pol faster than Cedar | pol faster than Casbin | pol cached faster than Cedar | pol cached faster than Casbin |',
    '|---|---:|---:|---:|---:|---:|---:|',
  ];
  for (const w of workloads) {
    const m = (e: EngineName) => median(find(runs, w, e));
    const r = (a: number | undefined, b: number | undefined) => (a !== undefined && b !== undefined ? fmtRatio(a / b) : 'n/a');
    lines.push(`| ${w} | ${r(m('pol'), m('floor'))} | ${r(m('pol-cached'), m('floor'))} | ${r(m('cedar'), m('pol'))} | ${r(m('casbin'), m('pol'))} | ${r(m('cedar'), m('pol-cached'))} | ${r(m('casbin'), m('pol-cached'))} |`);
  }
  return lines;
}

/** Every failed attempt of the run, engine and compile, with its flags and how the run ended. */
function crashSection(r: RunReport): string[] {
  const crashed = (r.engine?.runs ?? []).filter(x => x.crashes.length);
  const compileCrashed = (r.compile ?? []).filter(c => c.crashes.length);
  if (!crashed.length && !compileCrashed.length) return [];
  const out = ['## Crashes and reruns', ''];
  const item = (name: string, run: { crashes: Attempt[]; flags: string[]; result?: unknown }) => {
    const attempts = run.crashes.map((c, i) => `attempt ${i + 1} ${describeAttempt(c).replace(/\|/g, '\\|')}`).join('; ');
    const outcome = run.result
      ? `attempt ${run.crashes.length + 1} (${run.flags.length ? `with ${code(run.flags)}` : 'with no extra flags'}) succeeded and its numbers are shown.`
      : 'no attempt succeeded; no numbers.';
    out.push(`- ${name}: ${attempts} — ${outcome}`);
  };
  for (const c of crashed) item(`${c.workload} / ${c.engine}`, c);
  for (const c of compileCrashed) item(`compile ${c.rules.toLocaleString('en-US')} rules`, c);
  out.push('');
  return out;
}

export function renderReport(r: RunReport): string {
  const m = r.machine;
  const out: string[] = [];
  out.push('# pol benchmarks', '');
  out.push(`Generated by \`npm run bench${r.quick ? ' -- --quick' : ''}\` on ${r.date.toISOString()} in ${r.durationSec.toFixed(0)} s. This file is rewritten by every run; do not edit it by hand.`, '');
  if (r.quick) out.push('> **Quick mode**: short warm-up and measuring windows, fewer requests, for CI smoke only. Do not quote these numbers.', '');
  out.push('## Machine', '');
  out.push(`- CPU: ${m.cpu}, ${m.cores} cores; memory ${m.memoryGiB} GiB; ${m.os}`);
  out.push(`- Node ${m.node} (V8 ${m.v8}); load average at start: ${m.load}`);
  out.push(`- pol revision: ${m.revision}`);
  out.push(`- Packages: ${Object.entries(m.packages).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  const together = (r.engine?.concurrency ?? 1) > 1 ? ` (${r.engine!.concurrency} at a time in this quick run)` : ' (one at a time)';
  out.push(`- Method: each (workload, engine) runs in its own \`node ${WORKER_NODE_FLAGS.join(' ')}\` process${together}; pre-generated requests per workload (${r.engine ? Object.entries(r.engine.requests).map(([w, n]) => `${w} ${n}`).join(', ') : 'n/a'}) cycled; ${r.measure.warmupMs} ms warm-up, then mitata's \`measure\` for ${r.measure.measureMs} ms of CPU time (at least ${r.measure.minBatches} samples; fast engines in batches of 4,096 calls per sample, slow ones call by call); ns/decision is the median (and p99) over samples; heap/decision is JS heap growth over a stretch of decisions with no collection in between. Engines under ${FAST_NS / 1000} µs per decision are measured in ${FAST_REPEATS} processes and the process with the median result is shown (its ns/decision, p99 and heap together); the others' figures are in the column "extra node flags, reruns". Setup (compiling, parsing policies, loading data) is not timed here.`);
  out.push(`- The decision cache figures are its steady state: the agreement pass has already seen every request, so they are cache hits, except where the entry point is estimated cheaper to evaluate than to look up (below the cache's \`min_cost\`, ${DEFAULT_MIN_COST} by default): the cache declines those (\`DecisionCache.accepts\`, asked once at setup) and they are evaluated every time; the server evaluates them too, after asking the cache per request.`);
  const engineFlags = Object.entries(ENGINE_NODE_FLAGS).filter(([e]) => r.engine?.runs.some(x => x.engine === e));
  for (const [e, flags] of engineFlags) {
    out.push(`- Extra node flags for ${ENGINE_LABELS[e as EngineName]}: ${code(flags ?? [])}. ${ENGINE_FLAG_REASONS[e as EngineName] ?? ''}`.trimEnd());
  }
  out.push(`- A process that crashes is rerun in a fresh process with the same flags, then once more with ${code(RERUN_NODE_FLAGS)} added; every crash, and the flags and attempt each number comes from, are listed (column "extra node flags, reruns" and the "Crashes and reruns" section).`, '');

  const targets = checkTargets(r);
  if (targets.length) {
    out.push('## Targets (issues #5 and #4)', '', '| target | this run | |', '|---|---|---|');
    for (const t of targets) out.push(`| ${t.target} | ${t.measured} | ${mark(t.met)} |`);
    out.push('');
  }

  if (r.engine) {
    const runs = r.engine.runs;
    const workloads = [...new Set(runs.map(x => x.workload))];
    out.push('## Agreement', '');
    if (r.engine.disagreements.length === 0) out.push('Every engine decided every request of every workload exactly as the floor did.', '');
    else out.push('**FAILED**: engines disagree with the floor; their timings are not comparable.', '', '```', ...r.engine.disagreements.map(describeDisagreement), '```', '');
    out.push(...crashSection(r));
    out.push('## Engine benchmarks', '');
    out.push('### Ratios', '', ...peerTable(runs, workloads), '');
    for (const w of workloads) {
      const info = r.workloadInfo[w];
      out.push(`### ${info?.title ?? w}`, '');
      if (info) out.push(info.description, '');
      out.push(...engineTable(runs, w), '');
    }
  }

  if (!r.engine) out.push(...crashSection(r));
  if (r.compile) {
    out.push('## Compile benchmarks', '');
    out.push(`RBAC policies with one rule per grant (the scale workload's shape), each size in fresh \`node ${COMPILE_NODE_FLAGS.join(' ')}\` processes (Node's default heap sizes, as \`pol serve\` runs; the engine benchmarks' larger young generation slows a compile that keeps what it allocates). Cold: the first parse + check + compile + entry-point resolution in a fresh process, what a server pays at start-up; the median of the processes, whose other figures are shown, with every process's cold time in the last column. Warm: median of repeats in the same process. In the background: the same compile in slices, as the server compiles a reload or a policy put through the API while it answers requests (median of repeats); "longest pause" is the longest the event loop waited meanwhile, the most a request waits for the compile (in one go it waits the whole warm compile). Retained: heap held by the compiled policy.${r.quick ? ' (Quick run: measured while the engine benchmarks ran.)' : ''}`, '');
    out.push('| rules | source | cold | warm parse | warm check | warm parse + check + compile | in the background | longest pause | retained heap | cold, each process |', '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|');
    for (const c of r.compile) {
      const x = c.result;
      const rerun = c.crashes.length ? ` (${runCell(c)})` : '';
      if (!x) { out.push(`| ${c.rules.toLocaleString('en-US')}${rerun} | not measured | | | | | | | | |`); continue; }
      const each = c.coldRuns.map(ms => `${ms.toFixed(0)} ms`).join(', ');
      out.push(`| ${c.rules.toLocaleString('en-US')}${rerun} | ${fmtBytes(x.sourceBytes)} | ${x.coldMs.toFixed(0)} ms | ${x.parseMs.toFixed(1)} ms | ${x.checkMs.toFixed(1)} ms | ${x.compileMs.toFixed(1)} ms | ${x.backgroundMs.toFixed(1)} ms | ${x.longestPauseMs.toFixed(1)} ms | ${fmtBytes(x.retainedBytes)} | ${each} |`);
    }
    out.push('');
  }

  if (r.http !== undefined) out.push(r.http.trimEnd(), '');
  return out.join('\n');
}
