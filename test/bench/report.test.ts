import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkTargets, renderReport, type RunReport } from '../../bench/report.js';
import { crashSummary, runWithRetry, type Attempt } from '../../bench/engine/child.js';
import { QUICK } from '../../bench/engine/harness.js';
import { FAST_REPEATS, type EngineRun } from '../../bench/engine/suite.js';
import type { EngineName } from '../../bench/engine/workload.js';

function run(workload: string, engine: EngineName, medianNs: number, crashes: Attempt[] = [], flags: string[] = []): EngineRun {
  return {
    workload, engine, crashes, flags,
    result: {
      workload, engine, setupMs: 1, decisions: '01',
      timing: { medianNs, p99Ns: medianNs * 2, meanNs: medianNs, opsPerSec: 1e9 / medianNs, batches: 10, opsPerBatch: 100, totalOps: 1000, heapBytesPerOp: 64, allowRate: 0.5 },
    },
  };
}

function report(runs: EngineRun[]): RunReport {
  return {
    date: new Date('2026-01-01T00:00:00Z'), quick: true, durationSec: 1, measure: QUICK, workloadInfo: {},
    machine: { cpu: 'test cpu', cores: 2, memoryGiB: 1, os: 'test', node: 'v20', v8: 'x', load: '0', revision: 'abc1234', packages: { pol: '0.0.0' } },
    engine: { runs, disagreements: [], requests: { rbac: 2 } },
  };
}

test('targets are judged from the medians of one run', () => {
  const t = checkTargets(report([
    run('rbac', 'floor', 100), run('rbac', 'pol', 500), run('rbac', 'pol-cached', 400),
    run('rbac', 'cedar', 100_000), run('rbac', 'casbin', 20_000),
    run('scale-200', 'pol', 1000), run('scale-10000', 'pol', 2500),
  ]));
  const byName = new Map(t.map(x => [x.target, x]));
  assert.equal(byName.get('rbac: pol uncached ≥ 100× faster than cedar')?.met, true);
  assert.equal(byName.get('rbac: pol uncached ≥ 100× faster than casbin')?.met, false);
  assert.equal(byName.get('rbac: pol uncached within 10× of the floor')?.met, true);
  assert.equal(byName.get('rbac: pol cached within 3× of the floor')?.met, false);
  assert.equal(byName.get('10,000-rule RBAC within 2× of the 200-rule RBAC (pol, uncached)')?.met, false);
  assert.ok(!t.some(x => x.target.startsWith('abac')), 'workloads not run are not judged');
});

test('the report names reruns, their flags and disagreements', () => {
  const r = report([
    run('rbac', 'floor', 100),
    run('rbac', 'pol', 500, [{ flags: [], failure: 'exit code 134: unreachable code' }]),
    run('rbac', 'cedar', 90_000, [], ['--no-turbo-inline-js-wasm-calls']),
  ]);
  r.engine!.runs.push({ workload: 'rbac', engine: 'casbin', crashes: [{ flags: [], failure: 'killed by SIGTRAP' }, { flags: [], failure: 'killed by SIGTRAP' }, { flags: ['--no-turbo-inlining'], failure: 'killed by SIGTRAP' }], flags: ['--no-turbo-inlining'] });
  r.engine!.disagreements.push({ workload: 'rbac', engine: 'pol', count: 1, examples: [{ index: 1, request: { user: 'u' }, floor: true, engine: false }] });
  const md = renderReport(r);
  assert.match(md, /## Crashes and reruns\n\n- rbac \/ pol: attempt 1 with no extra flags: exit code 134: unreachable code — attempt 2 \(with no extra flags\) succeeded/);
  assert.match(md, /- rbac \/ casbin: .*attempt 3 with `--no-turbo-inlining`: killed by SIGTRAP — no attempt succeeded/);
  assert.match(md, /\| pol \(uncached\) \|.*\| attempt 2, after 1 crash \|/);
  assert.match(md, /\| Cedar [^|]* \|.*\| `--no-turbo-inline-js-wasm-calls` \|/);
  assert.match(md, /\| Casbin [^|]* \| not measured \|.*failed 3 times \|/);
  assert.match(md, /Extra node flags for Cedar .*`--no-turbo-inline-js-wasm-calls`/);
  assert.match(md, /\*\*FAILED\*\*: engines disagree/);
  assert.match(md, /rbac: pol disagrees with the floor on 1 request/);
  assert.match(md, /Quick mode/);
});

test('of several processes, the one with the median result is kept (failed ones do not count)', async () => {
  const { medianOutcome } = await import('../../bench/engine/suite.js');
  const o = (ns?: number) => (ns === undefined ? {} : { result: { timing: { medianNs: ns } } });
  assert.equal(medianOutcome([o(900), o(500), o(480)]).result!.timing.medianNs, 500);
  assert.equal(medianOutcome([o(300), o(), o(100)]).result!.timing.medianNs, 100);
  assert.equal(medianOutcome([o(), o()]).result, undefined);
});

test('an engine measured in several processes shows the median one and lists the others', () => {
  const fast = { ...run('rbac', 'pol', 500), repeats: [900, 500, 480] };
  const md = renderReport(report([run('rbac', 'floor', 100), fast]));
  assert.match(md, /\| pol \(uncached\) \| 500 ns \|.*\| processes: 480 ns, 500 ns, 900 ns \|/);
  assert.match(md, new RegExp(`measured in ${FAST_REPEATS} processes and the process with the median result is shown`));
});

test('a V8 abort is summarised by its reason and the V8 function it died in', () => {
  const stderr = '\n\n#\n# Fatal error in , line 0\n# unreachable code\n#\n#\n#\n#FailureMessage Object: 0x7ffce6ed7e70\n----- Native stack trace -----\n\n 1: 0xd32b41  [node]\n 2: 0x214a881 V8_Fatal(char const*, ...) [node]\n 3: 0x100cb1b  [node]\n 4: 0x1011a70 v8::internal::Deoptimizer::DoComputeBuiltinContinuation(v8::internal::TranslatedFrame*, int, v8::internal::BuiltinContinuationMode) [node]\n';
  assert.equal(crashSummary(stderr), 'V8 fatal error "unreachable code" in Deoptimizer::DoComputeBuiltinContinuation');
  assert.equal(crashSummary('a\nb\nError: boom'), 'a | b | Error: boom');
});

test('a crashed child is rerun in a fresh process, then with the rerun flags, and every crash is reported', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pol-bench-'));
  try {
    const marker = join(dir, 'crashed-once');
    const script = join(dir, 'flaky.mjs');
    writeFileSync(script, `import { existsSync, writeFileSync } from 'node:fs';
if (!existsSync(${JSON.stringify(marker)})) { writeFileSync(${JSON.stringify(marker)}, ''); console.error('unreachable code'); process.exit(134); }
console.log('RESULT ' + JSON.stringify({ ok: true, argv: process.execArgv }));`);
    const flaky = await runWithRetry<{ ok: boolean; argv: string[] }>(script, [], 30_000, ['--no-opt']);
    assert.equal(flaky.result?.ok, true);
    assert.ok(flaky.result?.argv.includes('--no-opt'), 'the engine flags are passed');
    assert.equal(flaky.crashes.length, 1);
    assert.match(flaky.crashes[0]!.failure, /exit code 134.*unreachable code/);
    assert.deepEqual(flaky.crashes[0]!.flags, ['--no-opt']);
    assert.deepEqual(flaky.flags, ['--no-opt'], 'the first rerun keeps the flags');

    // Succeeds only with the rerun flag: the third attempt.
    const picky = join(dir, 'picky.mjs');
    writeFileSync(picky, `if (!process.execArgv.includes('--no-turbo-inlining')) process.exit(133);
console.log('RESULT ' + JSON.stringify({ ok: true }));`);
    const third = await runWithRetry<{ ok: boolean }>(picky, [], 30_000);
    assert.deepEqual(third.result, { ok: true });
    assert.deepEqual(third.crashes.map(c => c.flags), [[], []]);
    assert.deepEqual(third.flags, ['--no-turbo-inlining']);

    const broken = join(dir, 'broken.mjs');
    writeFileSync(broken, 'process.exit(3);');
    const failed = await runWithRetry(broken, [], 30_000);
    assert.equal(failed.result, undefined);
    assert.equal(failed.crashes.length, 3);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the HTTP section shows req/s, p50, p99, the ratio to the bare route, cache use and the targets', async () => {
  const { renderHttpSection } = await import('../../bench/http/index.js');
  const { SCENARIOS } = await import('../../bench/http/scenarios/index.js');
  assert.deepEqual(SCENARIOS.map(s => s.id), ['bare', 'bare-node', 'decide-cached', 'decide-cached-no-log', 'decide-uncached', 'opa-data', 'forward-auth']);
  const md = renderHttpSection({
    durationSeconds: 4, warmupSeconds: 1, connections: 32, rounds: 5, logDropped: 0, logWritten: 10,
    scenarios: [
      { id: 'bare', title: 'bare route', rps: 1000, p50: 3, p99: 9, total: 1, errors: 0, non2xx: 0, ratio: 1, ratioRange: [1, 1], rpsRange: [900, 1200] },
      { id: 'decide-cached', title: 'cached', rps: 960, p50: 3, p99: 10, total: 1, errors: 0, non2xx: 0, ratio: 0.96, ratioRange: [0.9, 0.99], rpsRange: [900, 990], target: { ratio: 0.95, source: 'issue #4' }, cache: { hits: 99, misses: 1, bypassed: 0 } },
      { id: 'decide-uncached', title: 'uncached', rps: 700, p50: 4, p99: 12, total: 1, errors: 0, non2xx: 0, ratio: 0.7, ratioRange: [0.65, 0.75], rpsRange: [650, 750], target: { ratio: 0.8, source: 'issue #4' }, cache: { hits: 0, misses: 0, bypassed: 100 } },
    ],
  }, false);
  assert.match(md, /\| bare route \| 1000 \| 3 \| 9 \| 100\.0% \| — \| — \|/);
  assert.match(md, /\| cached \| 960 \| 3 \| 10 \| 96\.0% \| 90\.0%–99\.0% \| 99\.0% hits \|/);
  assert.match(md, /\| uncached \| 700 \| 4 \| 12 \| 70\.0% \| 65\.0%–75\.0% \| bypassed \(100\) \|/);
  assert.match(md, /The bare route's runs ranged from 900 to 1200 req\/s in this run \(33\.3% apart\)/);
  assert.match(md, /- cached ≥ 95\.0% of the bare route \(issue #4\): 96\.0% — met/);
  assert.match(md, /- uncached ≥ 80\.0% of the bare route \(issue #4\): 70\.0% — not met/);
  assert.match(md, /Decision log: 10 lines written, 0 dropped/);
});
