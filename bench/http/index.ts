/**
 * HTTP benchmarks: autocannon in a child process (so it never shares an event loop with the
 * servers) against servers in this process, on 127.0.0.1. The scenarios are one file each in
 * `scenarios/`: a bare fastify route (the ceiling) vs `/v1/decide` cached and uncached vs OPA's
 * Data API route vs forward-auth. `runHttpScenarios` measures, `renderHttpSection` writes the
 * markdown section for bench/RESULTS.md.
 *
 * Ratios are the point, and the machine they run on is shared: every round measures the bare
 * route right before and right after each other scenario (bare, A, bare, B, bare, ...), and each
 * ratio is taken against the mean of the two bare runs next to it, so load that drifts moves both
 * sides of a ratio. The other scenarios' order rotates from round to round; the figures are
 * medians over rounds.
 */
import { startBare, startPol, type Listening, type PolListening } from './servers.js';
import type { LoadOptions, LoadSummary } from './load-child.js';
import { LoadGenerator, median } from './load-generator.js';
import { runSlowPolicyBench } from './slow-policy.js';
import { runReloadBench } from './reloads.js';
import type { HttpScenario } from './scenario.js';
import { SCENARIOS } from './scenarios/index.js';

export interface HttpBenchOptions {
  /** Short runs (the whole section in about 10 s); numbers are indicative only. */
  quick: boolean;
  log?: (line: string) => void;
  /** Only these scenario ids (the bare route is always measured). */
  only?: readonly string[];
}

export interface ScenarioResult extends Omit<LoadSummary, 'max'> {
  id: string;
  title: string;
  /** Requests per second relative to the bare route (median over rounds). */
  ratio: number;
  /** The lowest and highest of the rounds' ratios: how much the machine moved them. */
  ratioRange: [number, number];
  /** The lowest and highest req/s of this scenario's runs. */
  rpsRange: [number, number];
  target?: HttpScenario['target'];
  /** Decision cache lookups during the measured runs (pol scenarios only). */
  cache?: { hits: number; misses: number; bypassed: number };
}

export interface HttpBenchResult {
  scenarios: ScenarioResult[];
  durationSeconds: number;
  warmupSeconds: number;
  connections: number;
  rounds: number;
  logDropped: number;
  logWritten: number;
}

/** Runs every scenario in rounds and returns medians and ratios. */
export async function runHttpScenarios(opts: HttpBenchOptions): Promise<HttpBenchResult> {
  const log = opts.log ?? (() => {});
  // Many short rounds rather than a few long ones: on a shared machine a round's ratio moves by
  // several points, and the median of more rounds moves less (see bench/FINDINGS.md).
  const duration = opts.quick ? 0.75 : 3;
  // Every server is warm after the first unrecorded pass; a run's warm-up only opens its
  // connections and lets the load settle.
  const warmup = opts.quick ? 0.25 : 0.5;
  const rounds = opts.quick ? 1 : 9;
  const connections = 32;
  const bare = SCENARIOS.find(s => s.id === 'bare');
  if (!bare) throw new Error('the bare scenario is missing');
  const others = SCENARIOS.filter(s => s !== bare && (!opts.only || opts.only.includes(s.id)));

  // Shared servers start once; a scenario with its own server gets it for the whole run.
  const started: Listening[] = [];
  const generator = new LoadGenerator();
  const runLoad = (o: LoadOptions) => generator.run(o);
  let pol: PolListening | undefined;
  const servers = new Map<HttpScenario, Listening>();
  const shared: Partial<Record<'bare' | 'pol', Listening>> = {};
  try {
    for (const s of [bare, ...others]) {
      if (typeof s.server === 'function') { const l = await s.server(); started.push(l); servers.set(s, l); continue; }
      if (!shared[s.server]) {
        const l = s.server === 'pol' ? (pol = await startPol()) : await startBare();
        started.push(l);
        shared[s.server] = l;
      }
      servers.set(s, shared[s.server]!);
    }

    const results = new Map<HttpScenario, { runs: LoadSummary[]; ratios: number[]; hits: number; misses: number; bypassed: number }>(
      [bare, ...others].map(s => [s, { runs: [], ratios: [], hits: 0, misses: 0, bypassed: 0 }]));
    const measure = async (s: HttpScenario, round: number): Promise<LoadSummary> => {
      const r = servers.get(s)!;
      const before = s.server === 'pol' ? pol?.cacheStats() : undefined;
      const { path, ...request } = s.request;
      const summary = await runLoad({ ...request, url: `${r.url}${path}`, connections, duration, warmup });
      if (summary.errors > 0 || summary.non2xx > 0) throw new Error(`scenario ${s.id}: ${summary.errors} errors, ${summary.non2xx} non-2xx responses`);
      const entry = results.get(s)!;
      entry.runs.push(summary);
      if (before && pol) {
        // Counted over warm-up and measurement alike: what the scenario made the cache do.
        const after = pol.cacheStats();
        entry.hits += after.hits - before.hits; entry.misses += after.misses - before.misses; entry.bypassed += after.uncacheable - before.uncacheable;
      }
      log(`  http ${s.id} (round ${round + 1}/${rounds}): ${Math.round(summary.rps)} req/s, p50 ${summary.p50} ms, p99 ${summary.p99} ms`);
      return summary;
    };

    if (!opts.quick) {
      // One unrecorded pass over every scenario first, so round 1 does not measure a cold JIT.
      for (const s of [bare, ...others]) {
        const { path, ...request } = s.request;
        await runLoad({ ...request, url: `${servers.get(s)!.url}${path}`, connections, duration: 2, warmup: 0 });
      }
    }
    for (let round = 0; round < rounds; round++) {
      // Bare runs next to each scenario's: a scenario measured half a minute after the round's
      // first bare run compared with a machine that had moved on meanwhile (see FINDINGS).
      const order = others.map((_, i) => others[(i + round) % others.length]!);
      let before = await measure(bare, round);
      for (const s of order) {
        const r = await measure(s, round);
        const after = await measure(bare, round);
        results.get(s)!.ratios.push(r.rps / ((before.rps + after.rps) / 2));
        before = after;
      }
      results.get(bare)!.ratios.push(1);
    }

    // Let the decision log drain before reading its counters.
    await new Promise(r => setTimeout(r, 200));
    const scenarios: ScenarioResult[] = [bare, ...others].map(s => {
      const { runs, ratios, hits, misses, bypassed } = results.get(s)!;
      return {
        id: s.id, title: s.title,
        rps: median(runs.map(r => r.rps)), p50: median(runs.map(r => r.p50)), p99: median(runs.map(r => r.p99)),
        total: runs.reduce((a, r) => a + r.total, 0), errors: 0, non2xx: 0,
        ratio: median(ratios),
        ratioRange: [Math.min(...ratios), Math.max(...ratios)],
        rpsRange: [Math.min(...runs.map(r => r.rps)), Math.max(...runs.map(r => r.rps))],
        ...(s.target ? { target: s.target } : {}),
        ...(s.server === 'pol' ? { cache: { hits, misses, bypassed } } : {}),
      };
    });
    return { scenarios, durationSeconds: duration, warmupSeconds: warmup, connections, rounds, logDropped: pol?.logDropped() ?? 0, logWritten: pol?.logWritten() ?? 0 };
  } finally {
    await generator.close().catch(() => {});
    for (const l of started.reverse()) await l.close().catch(() => {});
  }
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

function cacheCell(s: ScenarioResult): string {
  if (!s.cache) return '—';
  const { hits, misses, bypassed } = s.cache;
  const lookups = hits + misses;
  if (bypassed > 0 && lookups === 0) return `bypassed (${bypassed})`;
  return lookups ? `${pct(hits / lookups)} hits${bypassed ? `, ${bypassed} bypassed` : ''}` : 'not used';
}

/** The markdown section for bench/RESULTS.md. */
export function renderHttpSection(r: HttpBenchResult, quick: boolean): string {
  const targets = r.scenarios.filter(s => s.target);
  const lines = [
    '## HTTP benchmarks',
    '',
    `autocannon in a separate process (one for the whole run), ${r.connections} connections, no pipelining, ${r.durationSeconds} s measured after ${r.warmupSeconds} s of warm-up per run; ` +
      `servers on 127.0.0.1 in the bench process${quick ? '' : ', warmed by an unrecorded 2 s run of every scenario first'}. ${r.rounds} round(s): each measures the bare route before and after every other scenario (bare, A, bare, B, ..., bare; order rotating by round); ` +
      `"vs bare" is a scenario's req/s over the mean of the two bare runs right before and after it, median over rounds; the other columns are medians over all runs` +
      `${quick ? ' (**quick run: indicative only**)' : ''}. The decision log is on (to a file) for every pol scenario but the one that says it is off; "cache" counts the decision cache's lookups during the scenario's runs.`,
    '',
    '| Scenario | req/s | p50 (ms) | p99 (ms) | vs bare | vs bare, lowest–highest round | cache |',
    '|---|---:|---:|---:|---:|---:|---|',
    ...r.scenarios.map(s => `| ${s.title} | ${Math.round(s.rps)} | ${s.p50} | ${s.p99} | ${pct(s.ratio)} | ${s.id === 'bare' ? '—' : `${pct(s.ratioRange[0])}–${pct(s.ratioRange[1])}`} | ${cacheCell(s)} |`),
    '',
  ];
  const bareResult = r.scenarios.find(s => s.id === 'bare');
  if (bareResult && r.rounds > 1) {
    const [lo, hi] = bareResult.rpsRange;
    lines.push(`The bare route's runs ranged from ${Math.round(lo)} to ${Math.round(hi)} req/s in this run (${pct(hi / lo - 1)} apart): ` +
      'ratios move with the machine\'s load, and a wide range means other work shared these two cores.', '');
  }
  if (targets.length) {
    lines.push('Targets:', '');
    for (const s of targets) lines.push(`- ${s.title} ≥ ${pct(s.target!.ratio)} of the bare route (${s.target!.source}): ${pct(s.ratio)} — ${s.ratio >= s.target!.ratio ? 'met' : 'not met'}`);
    lines.push('');
  }
  lines.push(`Decision log: ${r.logWritten} lines written, ${r.logDropped} dropped.`, '');
  return lines.join('\n');
}

/** Runs the scenarios and the slow-policy comparison, and returns the markdown section. */
export async function runHttpBench(opts: HttpBenchOptions): Promise<string> {
  return renderHttpSection(await runHttpScenarios(opts), opts.quick) + '\n' + await runSlowPolicyBench(opts) + '\n' + await runReloadBench(opts);
}

export { runSlowPolicyBench, runReloadBench };
