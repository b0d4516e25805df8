/**
 * HTTP benchmarks: autocannon in a child process against servers in this process, on 127.0.0.1.
 * Scenarios run one after another on one machine in one run, so ratios are comparable:
 * a bare fastify route (the ceiling) vs `/v1/decide` cached and uncached vs OPA's Data API route
 * vs forward-auth. `runHttpBench` returns the markdown section for bench/RESULTS.md.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startBare, startPol, type Listening } from './servers.js';
import { BENCH_INPUT } from './policy.js';
import type { LoadOptions, LoadSummary } from './load-child.js';

export interface HttpBenchOptions {
  /** Short runs (the whole suite under 20 s); numbers are indicative only. */
  quick: boolean;
  log?: (line: string) => void;
}

export interface ScenarioResult extends LoadSummary {
  id: string;
  title: string;
  /** Requests per second relative to the bare route. */
  ratio: number;
}

export interface HttpBenchResult {
  scenarios: ScenarioResult[];
  durationSeconds: number;
  connections: number;
  rounds: number;
  logDropped: number;
  logWritten: number;
}

interface Scenario {
  id: string;
  title: string;
  target: 'bare' | 'pol';
  load: (base: string) => Omit<LoadOptions, 'connections' | 'duration' | 'warmup'>;
}

const json = { 'content-type': 'application/json' };

const SCENARIOS: Scenario[] = [
  { id: 'bare', title: 'bare fastify route (same JSON)', target: 'bare', load: b => ({ url: `${b}/bare`, method: 'POST', headers: json, body: JSON.stringify({ path: 'bench/allow', input: BENCH_INPUT }) }) },
  { id: 'decide-cached', title: '`POST /v1/decide`, cached', target: 'pol', load: b => ({ url: `${b}/v1/decide`, method: 'POST', headers: json, body: JSON.stringify({ path: 'bench/allow', input: BENCH_INPUT }) }) },
  { id: 'decide-uncached', title: '`POST /v1/decide`, cache bypassed', target: 'pol', load: b => ({ url: `${b}/v1/decide`, method: 'POST', headers: json, body: JSON.stringify({ path: 'bench/allow', input: BENCH_INPUT, cache: false }) }) },
  { id: 'opa-data', title: 'OPA Data API `POST /v1/data/bench/allow`', target: 'pol', load: b => ({ url: `${b}/v1/data/bench/allow`, method: 'POST', headers: json, body: JSON.stringify({ input: BENCH_INPUT }) }) },
  { id: 'forward-auth', title: '`GET /v1/forward-auth` (nginx-style headers)', target: 'pol', load: b => ({ url: `${b}/v1/forward-auth`, method: 'GET', headers: { 'x-original-method': 'GET', 'x-original-uri': '/docs/42', authorization: 'Bearer bob-token' } }) },
];

const CHILD = fileURLToPath(new URL('./load-child.js', import.meta.url));

function runLoad(opts: LoadOptions): Promise<LoadSummary> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, JSON.stringify(opts)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    child.stdout.on('data', d => { out += String(d); });
    child.stderr.on('data', d => { err += String(d); });
    child.on('error', reject);
    child.on('exit', code => {
      if (code !== 0) { reject(new Error(`load generator exited with ${code}: ${err.slice(-500)}`)); return; }
      try { resolve(JSON.parse(out.trim().split('\n').pop()!) as LoadSummary); } catch (e) { reject(e); }
    });
  });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * Runs every scenario and returns the structured results. Full runs repeat the whole scenario
 * list in rounds and report medians, with each ratio taken against the bare route of the same
 * round, so a machine whose load drifts during the run skews the ratios as little as possible.
 */
export async function runHttpScenarios(opts: HttpBenchOptions): Promise<HttpBenchResult> {
  const log = opts.log ?? (() => {});
  const duration = opts.quick ? 1.5 : 8;
  const warmup = opts.quick ? 0.5 : 2;
  const rounds = opts.quick ? 1 : 3;
  const connections = 32;
  const bareServer = await startBare();
  const pol = await startPol();
  const servers: Record<'bare' | 'pol', Listening> = { bare: bareServer, pol };
  const perScenario = new Map<string, { runs: LoadSummary[]; ratios: number[] }>(SCENARIOS.map(s => [s.id, { runs: [], ratios: [] }]));
  try {
    for (let round = 0; round < rounds; round++) {
      let bareRps = 0;
      for (const s of SCENARIOS) {
        const r = await runLoad({ ...s.load(servers[s.target].url), connections, duration, warmup });
        if (r.errors > 0 || r.non2xx > 0) throw new Error(`scenario ${s.id}: ${r.errors} errors, ${r.non2xx} non-2xx responses`);
        if (s.id === 'bare') bareRps = r.rps;
        const entry = perScenario.get(s.id)!;
        entry.runs.push(r);
        entry.ratios.push(r.rps / bareRps);
        log(`  http ${s.id} (round ${round + 1}/${rounds}): ${Math.round(r.rps)} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms`);
      }
    }
  } finally {
    await bareServer.close();
    // Let the decision log drain before reading its counters.
    await new Promise(r => setTimeout(r, 200));
  }
  const logDropped = pol.logDropped();
  const logWritten = pol.logWritten();
  await pol.close();
  const scenarios: ScenarioResult[] = SCENARIOS.map(s => {
    const { runs, ratios } = perScenario.get(s.id)!;
    return {
      id: s.id, title: s.title,
      rps: median(runs.map(r => r.rps)), p50: median(runs.map(r => r.p50)), p99: median(runs.map(r => r.p99)),
      total: runs.reduce((a, r) => a + r.total, 0), errors: 0, non2xx: 0,
      ratio: median(ratios),
    };
  });
  return { scenarios, durationSeconds: duration, connections, rounds, logDropped, logWritten };
}

/** The markdown section for bench/RESULTS.md. */
export function renderHttpSection(r: HttpBenchResult, quick: boolean): string {
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  const get = (id: string) => r.scenarios.find(s => s.id === id);
  const cached = get('decide-cached');
  const uncached = get('decide-uncached');
  const lines = [
    '## HTTP benchmarks',
    '',
    `autocannon in a child process, ${r.connections} connections, ${r.durationSeconds} s per scenario after a warm-up, ` +
      `${r.rounds} round(s) (medians; ratios against the bare route of the same round), servers on 127.0.0.1 in one process` +
      `${quick ? ' (**quick run: indicative only**)' : ''}. Decision log on (to a file) for every pol scenario.`,
    '',
    '| Scenario | req/s | p50 (ms) | p99 (ms) | vs bare |',
    '|---|---:|---:|---:|---:|',
    ...r.scenarios.map(s => `| ${s.title} | ${Math.round(s.rps)} | ${s.p50} | ${s.p99} | ${pct(s.ratio)} |`),
    '',
    'Targets (issue #4): `/v1/decide` ≥ 80% of the bare route, cached decisions ≥ 95%.',
    '',
    `- \`/v1/decide\` uncached: ${uncached ? pct(uncached.ratio) : 'n/a'} of bare — ${uncached && uncached.ratio >= 0.8 ? 'met' : 'not met'}`,
    `- \`/v1/decide\` cached: ${cached ? pct(cached.ratio) : 'n/a'} of bare — ${cached && cached.ratio >= 0.95 ? 'met' : 'not met'}`,
    `- decision log: ${r.logWritten} lines written, ${r.logDropped} dropped`,
    '',
  ];
  return lines.join('\n');
}

/** Entry point used by bench/run.ts: runs the scenarios, returns the markdown section. */
export async function runHttpBench(opts: HttpBenchOptions): Promise<string> {
  return renderHttpSection(await runHttpScenarios(opts), opts.quick);
}
