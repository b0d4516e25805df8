/**
 * A slow policy next to quick ones: what evaluation workers buy (docs/server.md, "Slow
 * policies"). Two load generators run at once against one server: a few clients asking a policy
 * that takes about `SLOW_MS` per decision, and many asking the benchmark's cached decision. The
 * same two loads go to a server without evaluation workers and one with them; the quick clients'
 * requests per second and p99 are the figures, next to the quick load alone on the same server.
 */
import { compile } from '../../engine/index.js';
import { LoadGenerator, median } from './load-generator.js';
import type { LoadOptions, LoadSummary } from './load-child.js';
import { BENCH_INPUT } from './policy.js';
import { startPol } from './servers.js';

/** About how long one slow decision takes (calibrated on this machine at start-up). */
const SLOW_MS = 20;
const SLOW_SOURCE = `package benchslow

import rego.v1

heavy if {
	count([x | some x in numbers.range(1, input.n); x % 7 == 0]) > 0
}
`;

export interface SlowPolicyOptions { quick: boolean; log?: (line: string) => void }

interface Row { server: string; load: string; quick: LoadSummary[]; slow: LoadSummary[] }

/** The `n` that makes one slow decision take about `SLOW_MS` here. */
function calibrate(): number {
  const entry = compile({ modules: { 'slow.pol': SLOW_SOURCE } }).entrypoint('benchslow/heavy');
  const n = 200_000;
  for (let i = 0; i < 3; i++) entry.evaluate({ n });
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = process.hrtime.bigint();
    entry.evaluate({ n });
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  times.sort((a, b) => a - b);
  return Math.max(1_000, Math.min(9_000_000, Math.round(n * SLOW_MS / times[2]!)));
}

export async function runSlowPolicyBench(opts: SlowPolicyOptions): Promise<string> {
  const log = opts.log ?? (() => {});
  const duration = opts.quick ? 1 : 3;
  const warmup = opts.quick ? 0.5 : 1;
  const rounds = opts.quick ? 1 : 3;
  const n = calibrate();
  const quickGen = new LoadGenerator();
  const slowGen = new LoadGenerator();
  const servers = [
    { name: 'without evaluation workers (`limits.eval_workers: 0`)', workers: 0 },
    { name: 'with one evaluation worker (`limits.eval_workers: 1`)', workers: 1 },
  ];
  const started = await Promise.all(servers.map(s => startPol({ limits: { eval_workers: s.workers, eval_timeout_ms: 10_000 }, modules: { 'slow.pol': SLOW_SOURCE } })));
  const rows: Row[] = servers.flatMap(s => [
    { server: s.name, load: 'quick clients alone', quick: [], slow: [] },
    { server: s.name, load: 'quick clients, with the slow ones', quick: [], slow: [] },
  ]);
  try {
    const quickLoad = (url: string): LoadOptions => ({
      url: `${url}/v1/decide`, method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ path: 'bench/allow', input: BENCH_INPUT }), connections: 16, duration, warmup,
    });
    const slowLoad = (url: string): LoadOptions => ({
      url: `${url}/v1/decide`, method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ path: 'benchslow/heavy', input: { n }, cache: false }), connections: 2, duration, warmup,
    });
    // Unrecorded: the JIT, and two slow decisions in a row for the server with a worker to notice.
    for (const s of started) await Promise.all([quickGen.run({ ...quickLoad(s.url), duration: 1, warmup: 0 }), slowGen.run({ ...slowLoad(s.url), duration: 2, warmup: 0 })]);
    for (let round = 0; round < rounds; round++) {
      for (const [i, s] of started.entries()) {
        const alone = await quickGen.run(quickLoad(s.url));
        const [quick, slow] = await Promise.all([quickGen.run(quickLoad(s.url)), slowGen.run(slowLoad(s.url))]);
        for (const r of [alone, quick, slow]) if (r.errors > 0 || r.non2xx > 0) throw new Error(`slow-policy bench: ${r.errors} errors, ${r.non2xx} non-2xx responses`);
        rows[i * 2]!.quick.push(alone);
        rows[i * 2 + 1]!.quick.push(quick);
        rows[i * 2 + 1]!.slow.push(slow);
        log(`  http slow-policy ${servers[i]!.workers ? 'workers' : 'no workers'} (round ${round + 1}/${rounds}): quick alone ${Math.round(alone.rps)} req/s p99 ${alone.p99} ms; with slow ${Math.round(quick.rps)} req/s p99 ${quick.p99} ms; slow ${Math.round(slow.rps)} req/s`);
      }
    }
    const offloaded = (await started[1]!.app.inject({ url: '/metrics' })).body.match(/^pol_offloaded_decisions_total (\d+)$/m)?.[1] ?? '0';
    const lines = [
      '### A slow policy next to quick ones (evaluation workers)',
      '',
      `Two load generators (each its own process) against one server at once: 2 clients asking a policy that takes about ${SLOW_MS} ms a decision ` +
        `(\`numbers.range(1, ${n})\`, calibrated at start-up), and 16 asking the cached \`/v1/decide\` of the scenarios above; ${duration} s measured after ${warmup} s of warm-up, ` +
        `${rounds} round(s), medians shown. The decision log is on. The server with a worker found the slow path on its own (two slow decisions in a row) during an unrecorded warm-up; ` +
        `it made ${offloaded} decisions on its worker in all.`,
      '',
      '| server | load | quick req/s | quick p99 (ms) | slow req/s | slow p99 (ms) |',
      '|---|---|---:|---:|---:|---:|',
      ...rows.map(r => `| ${r.server} | ${r.load} | ${Math.round(median(r.quick.map(x => x.rps)))} | ${median(r.quick.map(x => x.p99))} | ` +
        `${r.slow.length ? Math.round(median(r.slow.map(x => x.rps))) : '—'} | ${r.slow.length ? median(r.slow.map(x => x.p99)) : '—'} |`),
      '',
    ];
    const ratio = (i: number) => median(rows[i + 1]!.quick.map(x => x.rps)) / median(rows[i]!.quick.map(x => x.rps));
    lines.push(`With the slow clients running, the quick clients kept ${(ratio(0) * 100).toFixed(1)}% of their requests per second without workers and ${(ratio(2) * 100).toFixed(1)}% with one (two cores shared by both load generators, the request thread and the worker).`, '');
    return lines.join('\n');
  } finally {
    await quickGen.close().catch(() => {});
    await slowGen.close().catch(() => {});
    for (const s of started) await s.close().catch(() => {});
  }
}
