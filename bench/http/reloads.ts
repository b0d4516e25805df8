/**
 * Decisions while the policy changes: what compiling in the background buys (docs/server.md,
 * "Compiling in the background"). One load generator asks the cached `/v1/decide` while the
 * server's 10,000-rule policy module is replaced every `RELOAD_EVERY_MS`, compiled in one go (as
 * every change was before) or in slices; or while a data file of several megabytes is replaced,
 * its JSON parsed in one go (as before) or a piece at a time; and with no reload at all, in the
 * same run. The figures are the clients' requests per second and slowest answers, and the
 * longest the server's request thread was held.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { LoadGenerator, median } from './load-generator.js';
import type { LoadOptions, LoadSummary } from './load-child.js';
import { BENCH_INPUT, BENCH_POLICY } from './policy.js';
import { startPol, type PolListening } from './servers.js';
import { sourcesFromFiles, sourcesFromFilesSteps } from '../../server/policy-store/sources.js';

/** Rules in the module that is replaced (the compile benchmarks' largest size). */
const RULES = 10_000;
const RELOAD_EVERY_MS = 500;

export interface ReloadBenchOptions { quick: boolean; log?: (line: string) => void }

/** A 10,000-rule module; `version` changes one rule, so each replacement is compiled again. */
function grantsModule(version: number): string {
  const out = ['package benchgrants\n\ndefault allow := false\n'];
  for (let i = 0; i < RULES; i++) out.push(`allow if {\n\tinput.resource == "r${i}"\n\tinput.action == "${i === 0 ? `v${version}` : 'read'}"\n\t"reader" in data.roles[input.user]\n}\n`);
  return out.join('\n');
}

/** Users in the data file that is replaced (about 7 MB of JSON). */
const DATA_USERS = 100_000;

/** The directory's files with a large `data.json` (`version` changes every user's department). */
function dataFiles(version: number): Map<string, string> {
  const users: Record<string, unknown> = {};
  for (let i = 0; i < DATA_USERS; i++) users[`user${i}`] = { name: `User ${i}`, dept: `d${(i + version) % 50}`, roles: [`r${i % 20}`], level: i % 7 };
  return new Map([['bench.pol', BENCH_POLICY.source], ['grants.pol', grantsModule(0)], ['data.json', JSON.stringify({ ...BENCH_POLICY.data, users })]]);
}

type Mode = 'none' | 'one go' | 'background' | 'data one go' | 'data in pieces';

const MODES: { mode: Mode; title: string }[] = [
  { mode: 'none', title: 'no reload' },
  { mode: 'one go', title: `the module replaced every ${RELOAD_EVERY_MS} ms, compiled in one go` },
  { mode: 'background', title: `the module replaced every ${RELOAD_EVERY_MS} ms, compiled in the background` },
  { mode: 'data one go', title: `the data file replaced every ${RELOAD_EVERY_MS} ms, its JSON parsed in one go` },
  { mode: 'data in pieces', title: `the data file replaced every ${RELOAD_EVERY_MS} ms, its JSON parsed a piece at a time` },
];

/**
 * Replaces the module every `RELOAD_EVERY_MS` until `stop` resolves; the number of replacements
 * made. A replacement starts only when the one before is done.
 */
async function reloadLoop(server: PolListening, mode: Mode, stop: Promise<unknown>, data: Map<string, string>[]): Promise<number> {
  if (mode === 'none') { await stop; return 0; }
  const store = server.app.pol.store;
  let stopped = false, done = 0, version = 0;
  void stop.then(() => { stopped = true; });
  while (!stopped) {
    ++version;
    // Data reloads go as a directory's do (the policy unchanged, so nothing is compiled again);
    // the files are made beforehand, so only their parsing is measured.
    if (mode === 'data one go') await store.loadBaseInBackground(sourcesFromFiles(data[version % 2]!), 'directory');
    else if (mode === 'data in pieces') await store.loadBaseInBackground(await store.prepareInBackground(sourcesFromFilesSteps(data[version % 2]!)), 'directory');
    else if (mode === 'one go') store.putPolicy('grants.pol', grantsModule(version));
    else await store.putPolicyInBackground('grants.pol', grantsModule(version));
    done++;
    await new Promise(r => setTimeout(r, RELOAD_EVERY_MS));
  }
  return done;
}

export async function runReloadBench(opts: ReloadBenchOptions): Promise<string> {
  const log = opts.log ?? (() => {});
  const duration = opts.quick ? 1 : 3;
  const warmup = opts.quick ? 0.5 : 1;
  const rounds = opts.quick ? 1 : 3;
  const gen = new LoadGenerator();
  const server = await startPol({ modules: { 'grants.pol': grantsModule(0) } });
  const data = [dataFiles(1), dataFiles(2)];
  const dataChars = data[0]!.get('data.json')!.length;
  const runs = new Map<Mode, { load: LoadSummary; reloads: number; pauseMs: number }[]>(MODES.map(m => [m.mode, []]));
  try {
    const load: LoadOptions = {
      url: `${server.url}/v1/decide`, method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ path: 'bench/allow', input: BENCH_INPUT }), connections: 16, duration, warmup,
    };
    await gen.run({ ...load, duration: 1, warmup: 0 });
    for (let round = 0; round < rounds; round++) {
      for (const { mode } of MODES) {
        // The server's own view: the longest its event loop (the request thread) was held.
        const delay = monitorEventLoopDelay({ resolution: 1 });
        delay.enable();
        const running = gen.run(load);
        const reloads = await reloadLoop(server, mode, running.catch(() => undefined), data);
        const r = await running;
        delay.disable();
        const pauseMs = delay.max / 1e6;
        if (r.errors > 0 || r.non2xx > 0) throw new Error(`reload bench: ${r.errors} errors, ${r.non2xx} non-2xx responses`);
        runs.get(mode)!.push({ load: r, reloads, pauseMs });
        log(`  http reloads ${mode} (round ${round + 1}/${rounds}): ${Math.round(r.rps)} req/s, p99 ${r.p99} ms, slowest ${r.max} ms, longest pause ${pauseMs.toFixed(1)} ms, ${reloads} reload(s)`);
      }
    }
    const lines = [
      '### Decisions while the policy changes (compiling in the background)',
      '',
      `One load generator (16 connections) asks the cached \`/v1/decide\` of the scenarios above while a ${RULES.toLocaleString('en-US')}-rule module beside the benchmark policy ` +
        `is replaced every ${RELOAD_EVERY_MS} ms (each version differs, so each is compiled) through the policy store, as a \`PUT /v1/policies/{id}\` or a directory reload replaces it; ` +
        `or a ${(dataChars / 1e6).toFixed(1)} MB \`data.json\` (${DATA_USERS.toLocaleString('en-US')} users) is replaced as a directory reload replaces it (the policy unchanged, so not compiled again; the data hashed in slices either way); ` +
        `${duration} s measured after ${warmup} s of warm-up (reloads run through both), ${rounds} round(s), medians shown. The decision log is on. ` +
        'Every reload drops the decision cache, so the first decisions after one are evaluated again.',
      '',
      '| policy changes | req/s | p99 (ms) | slowest answer (ms) | longest pause of the request thread (ms) | reloads per run |',
      '|---|---:|---:|---:|---:|---:|',
      ...MODES.map(({ mode, title }) => {
        const rs = runs.get(mode)!;
        return `| ${title} | ${Math.round(median(rs.map(x => x.load.rps)))} | ${median(rs.map(x => x.load.p99))} | ${median(rs.map(x => x.load.max))} | ${median(rs.map(x => x.pauseMs)).toFixed(1)} | ${median(rs.map(x => x.reloads))} |`;
      }),
      '',
    ];
    const pause = (m: Mode) => median(runs.get(m)!.map(x => x.pauseMs)).toFixed(1);
    lines.push(`"Slowest answer" is what the load generator saw; "longest pause" is the server's event-loop delay (\`monitorEventLoopDelay\`), the longest any request had to wait for the request thread. ` +
      `While reloading, the request thread was held at most ${pause('one go')} ms with the compile in one go and ${pause('background')} ms in the background (${pause('none')} ms with no reload); ` +
      `replacing the data file, ${pause('data one go')} ms with its JSON parsed in one go and ${pause('data in pieces')} ms parsed a piece at a time.`, '');
    return lines.join('\n');
  } finally {
    await gen.close().catch(() => {});
    await server.close().catch(() => {});
  }
}
