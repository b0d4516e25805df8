/**
 * `npm run bench` / `pol bench`: runs the engine, compile and HTTP benchmarks and regenerates
 * bench/RESULTS.md. `--quick` is a CI smoke run (under a minute; numbers not meaningful).
 * Exits 1 when engines disagree or a measurement failed on every attempt, 2 on a usage error.
 */
import { existsSync, readFileSync, writeFileSync, renameSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { runEngineSuite } from './engine/suite.js';
import { runCompileSuite, COMPILE_SIZES } from './engine/compile-suite.js';
import { FULL, QUICK } from './engine/harness.js';
import { ENGINES, type EngineName } from './engine/workload.js';
import { makeWorkload, WORKLOAD_IDS } from './engine/workloads/index.js';
import { machineFacts, packageVersion } from './machine.js';
import { renderReport, checkTargets, type RunReport, type TargetCheck } from './report.js';

/** Minimal output sink so `pol bench` and the script share this code. */
export interface BenchIO { stdout(text: string): void; stderr(text: string): void; cwd: string }

const SECTIONS = ['engine', 'compile', 'http'] as const;
const QUICK_WORKLOADS = ['rbac', 'abac', 'contextual', 'scale-200'];
const QUICK_COMPILE_SIZES = [10, 1000];

/** What the HTTP benchmarks (bench/http, written separately) export. */
interface HttpScenario { id: string; title?: string; ratio: number; target?: { ratio: number; source: string } }
interface HttpBenchModule {
  runHttpBench(opts: { quick: boolean; log?: (line: string) => void }): Promise<string>;
  /** Structured results, when available, so the HTTP targets join the targets table. */
  runHttpScenarios?(opts: { quick: boolean; log?: (line: string) => void }): Promise<{ scenarios: HttpScenario[] }>;
  renderHttpSection?(r: { scenarios: HttpScenario[] }, quick: boolean): string;
  /** The slow-policy comparison (evaluation workers), a subsection of its own. */
  runSlowPolicyBench?(opts: { quick: boolean; log?: (line: string) => void }): Promise<string>;
  /** Decisions while the policy is replaced (compiling in the background), a subsection of its own. */
  runReloadBench?(opts: { quick: boolean; log?: (line: string) => void }): Promise<string>;
}

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

class BenchUsageError extends Error {}

interface Plan { quick: boolean; workloads: string[]; engines: EngineName[]; sections: Set<string>; out: string | undefined }

function plan(argv: string[], cwd: string): Plan {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        quick: { type: 'boolean' },
        only: { type: 'string' },
        engines: { type: 'string' },
        out: { type: 'string' },
        'no-write': { type: 'boolean' },
      },
      strict: true,
      allowPositionals: false,
    });
  } catch (e) {
    throw new BenchUsageError(`pol bench: ${(e instanceof Error ? e.message : String(e)).split('\n')[0]}`);
  }
  const v = parsed.values;
  const quick = v.quick ?? false;
  let workloads = quick ? [...QUICK_WORKLOADS] : [...WORKLOAD_IDS];
  let sections = new Set<string>(SECTIONS);
  if (v.only !== undefined) {
    const names = v.only.split(',').map(s => s.trim()).filter(Boolean);
    const picked: string[] = [];
    sections = new Set();
    for (const n of names) {
      if ((SECTIONS as readonly string[]).includes(n)) { sections.add(n); if (n === 'engine') picked.push(...workloads); continue; }
      const matching = n === 'scale' ? WORKLOAD_IDS.filter(id => id.startsWith('scale-')) : WORKLOAD_IDS.filter(id => id === n);
      if (matching.length === 0) throw new BenchUsageError(`pol bench: unknown --only entry \`${n}\` (use ${[...SECTIONS, ...WORKLOAD_IDS, 'scale'].join(', ')})`);
      picked.push(...matching);
      sections.add('engine');
    }
    workloads = [...new Set(picked)];
  }
  let engines: EngineName[] = [...ENGINES];
  if (v.engines !== undefined) {
    engines = v.engines.split(',').map(s => s.trim()) as EngineName[];
    const bad = engines.find(e => !(ENGINES as readonly string[]).includes(e));
    if (bad) throw new BenchUsageError(`pol bench: unknown engine \`${bad}\` (use ${ENGINES.join(', ')})`);
    // The floor is the reference for agreement and ratios.
    if (!engines.includes('floor')) engines.unshift('floor');
  }
  const out = v['no-write'] ? undefined : resolve(cwd, v.out ?? resolve(repoRoot, 'bench/RESULTS.md'));
  return { quick, workloads, engines, sections, out };
}

function httpTargets(scenarios: HttpScenario[]): TargetCheck[] {
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  return scenarios.filter(s => s.target).map(s => ({
    target: `${s.title ?? s.id} ≥ ${pct(s.target!.ratio)} of the bare fastify route (req/s; ${s.target!.source})`,
    measured: `${pct(s.ratio)} of the bare route`,
    met: s.ratio >= s.target!.ratio,
  }));
}

async function httpSection(quick: boolean, log: (line: string) => void, targets: TargetCheck[]): Promise<string> {
  const entry = new URL('./http/index.js', import.meta.url);
  if (!existsSync(entry)) return '## HTTP benchmarks\n\nNot run: `bench/http/` is not built in this tree.\n';
  try {
    const mod = (await import(entry.href)) as Partial<HttpBenchModule>;
    if (typeof mod.runHttpScenarios === 'function' && typeof mod.renderHttpSection === 'function') {
      const r = await mod.runHttpScenarios({ quick, log });
      targets.push(...httpTargets(r.scenarios));
      return mod.renderHttpSection(r, quick)
        + await subsection(mod.runSlowPolicyBench, 'slow-policy', 'A slow policy next to quick ones (evaluation workers)', quick, log)
        + await subsection(mod.runReloadBench, 'reloads', 'Decisions while the policy changes (compiling in the background)', quick, log);
    }
    if (typeof mod.runHttpBench !== 'function') return '## HTTP benchmarks\n\nNot run: `bench/http/index.js` exports no `runHttpBench`.\n';
    return await mod.runHttpBench({ quick, log });
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    log(`  http: FAILED: ${msg}`);
    return `## HTTP benchmarks\n\n**FAILED**: ${msg}\n`;
  }
}

/**
 * A subsection of the HTTP section, when the module has it: its failure is reported in it and
 * loses nothing else.
 */
async function subsection(run: HttpBenchModule['runSlowPolicyBench'], name: string, title: string, quick: boolean, log: (line: string) => void): Promise<string> {
  if (typeof run !== 'function') return '';
  try {
    return '\n' + await run({ quick, log });
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    log(`  http ${name}: FAILED: ${msg}`);
    return `\n### ${title}\n\n**FAILED**: ${msg}\n`;
  }
}

/** Runs the suite; returns the exit code. */
export async function runBenchSuite(argv: string[], io: BenchIO): Promise<number> {
  let p: Plan;
  try {
    p = plan(argv, io.cwd);
  } catch (e) {
    if (e instanceof BenchUsageError) { io.stderr(e.message + '\n'); return 2; }
    throw e;
  }
  const started = performance.now();
  const log = (line: string) => io.stderr(line + '\n');
  const report: RunReport = {
    date: new Date(),
    quick: p.quick,
    machine: machineFacts({ autocannon: packageVersion('autocannon'), fastify: packageVersion('fastify') }),
    measure: p.quick ? QUICK : FULL,
    workloadInfo: {},
    extraTargets: [],
    durationSec: 0,
  };
  let failed = false;
  const engineSection = async () => {
    if (!p.sections.has('engine') || !p.workloads.length) return;
    log(`engine benchmarks (${p.quick ? 'quick' : 'full'}): ${p.workloads.join(', ')}`);
    for (const id of p.workloads) { const w = makeWorkload(id); report.workloadInfo[id] = { title: w.title, description: w.description }; }
    report.engine = await runEngineSuite({ quick: p.quick, workloads: p.workloads, engines: p.engines, log });
    if (report.engine.disagreements.length) { failed = true; log('ENGINES DISAGREE: see the Agreement section'); }
    if (report.engine.runs.some(r => !r.result)) failed = true;
  };
  const compileSection = async () => {
    if (!p.sections.has('compile')) return;
    log('compile benchmarks');
    report.compile = await runCompileSuite({ quick: p.quick, log, sizes: p.quick ? QUICK_COMPILE_SIZES : COMPILE_SIZES });
    if (report.compile.some(c => !c.result)) failed = true;
  };
  // A full run measures one thing at a time; a quick run (numbers not meant to be quoted) overlaps
  // the compile benchmarks with the engine benchmarks to stay under a minute.
  if (p.quick) await Promise.all([engineSection(), compileSection()]);
  else { await engineSection(); await compileSection(); }
  if (p.sections.has('http')) {
    log('http benchmarks');
    report.http = await httpSection(p.quick, log, report.extraTargets ??= []);
  }
  report.durationSec = (performance.now() - started) / 1000;
  // Hand-written findings (what profiling showed) follow the generated figures.
  const findings = resolve(repoRoot, 'bench/FINDINGS.md');
  const markdown = renderReport(report) + (existsSync(findings) ? '\n' + readFileSync(findings, 'utf8') : '');
  if (p.out) {
    const tmp = `${p.out}.${process.pid}.tmp`;
    writeFileSync(tmp, markdown);
    renameSync(tmp, p.out);
    log(`wrote ${p.out} (${report.durationSec.toFixed(0)} s)`);
  } else {
    io.stdout(markdown);
  }
  for (const t of checkTargets(report)) log(`${t.met === undefined ? '·' : t.met ? '✓' : '✗'} ${t.target}: ${t.measured}`);
  return failed ? 1 : 0;
}

function isEntryPoint(): boolean {
  try {
    return process.argv[1] !== undefined && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href;
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  const io: BenchIO = { stdout: t => { process.stdout.write(t); }, stderr: t => { process.stderr.write(t); }, cwd: process.cwd() };
  runBenchSuite(process.argv.slice(2), io).then(code => { process.exitCode = code; }, e => {
    process.stderr.write(`pol bench: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
    process.exitCode = 1;
  });
}
