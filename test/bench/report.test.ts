import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkTargets, renderReport, type RunReport } from '../../bench/report.js';
import { runWithRetry } from '../../bench/engine/child.js';
import { QUICK } from '../../bench/engine/harness.js';
import type { EngineRun } from '../../bench/engine/suite.js';
import type { EngineName } from '../../bench/engine/workload.js';

function run(workload: string, engine: EngineName, medianNs: number, crashes: string[] = []): EngineRun {
  return {
    workload, engine, crashes,
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

test('the report names reruns and disagreements', () => {
  const r = report([run('rbac', 'floor', 100), run('rbac', 'pol', 500, ['exit code 134: unreachable code'])]);
  r.engine!.disagreements.push({ workload: 'rbac', engine: 'pol', count: 1, examples: [{ index: 1, request: { user: 'u' }, floor: true, engine: false }] });
  const md = renderReport(r);
  assert.match(md, /## Crashes and reruns\n\n- rbac \/ pol: exit code 134: unreachable code — the rerun \(with `--no-turbo-inlining`\) succeeded/);
  assert.match(md, /\*\*FAILED\*\*: engines disagree/);
  assert.match(md, /rbac: pol disagrees with the floor on 1 request/);
  assert.match(md, /Quick mode/);
});

test('a crashed child is rerun once and the crash is reported', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pol-bench-'));
  try {
    const marker = join(dir, 'crashed-once');
    const script = join(dir, 'flaky.mjs');
    writeFileSync(script, `import { existsSync, writeFileSync } from 'node:fs';
if (!existsSync(${JSON.stringify(marker)})) { writeFileSync(${JSON.stringify(marker)}, ''); console.error('unreachable code'); process.exit(134); }
console.log('RESULT ' + JSON.stringify({ ok: true }));`);
    const flaky = await runWithRetry<{ ok: boolean }>(script, [], 30_000);
    assert.deepEqual(flaky.result, { ok: true });
    assert.equal(flaky.crashes.length, 1);
    assert.match(flaky.crashes[0]!, /exit code 134.*unreachable code/);

    const broken = join(dir, 'broken.mjs');
    writeFileSync(broken, 'process.exit(3);');
    const failed = await runWithRetry(broken, [], 30_000);
    assert.equal(failed.result, undefined);
    assert.equal(failed.crashes.length, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
