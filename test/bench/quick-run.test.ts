/**
 * `npm run bench -- --quick` end to end, as CI runs it: every section runs, every engine is
 * measured on every quick workload (Cedar included), and the report is written. Nothing here
 * asserts on time: the quick mode aims at under a minute, but a loaded machine may take longer.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ENGINE_LABELS, ENGINES } from '../../bench/engine/workload.js';

const RUN = fileURLToPath(new URL('../../bench/run.js', import.meta.url));

function runBench(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [RUN, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    child.on('error', reject);
    child.on('close', code => resolve({ code, stderr }));
  });
}

test('npm run bench -- --quick runs every section and writes the report', { timeout: 600_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pol-bench-quick-'));
  try {
    const out = join(dir, 'RESULTS.md');
    const { code, stderr } = await runBench(['--quick', '--out', out]);
    assert.equal(code, 0, `bench --quick failed:\n${stderr.slice(-4000)}`);
    const md = readFileSync(out, 'utf8');
    assert.match(md, /Quick mode/);
    assert.match(md, /Every engine decided every request of every workload exactly as the floor did/);
    for (const title of ['RBAC', 'ABAC', 'Contextual', 'Scale: 200 rules']) {
      const section = md.split(`### ${title}\n`)[1]?.split('\n### ')[0]?.split('\n## ')[0];
      assert.ok(section, `no ${title} table`);
      for (const e of ENGINES) {
        const row = section.split('\n').find(l => l.startsWith(`| ${ENGINE_LABELS[e]} |`));
        assert.ok(row, `${title}: no row for ${e}`);
        assert.doesNotMatch(row, /not measured/, `${title}: ${e} was not measured`);
      }
    }
    assert.match(md, /## Compile benchmarks/);
    assert.match(md, /\| 1,000 \| [\d.]+ KiB \| \d+ ms \|/);
    const http = md.split('## HTTP benchmarks\n')[1];
    assert.ok(http, 'no HTTP section');
    assert.doesNotMatch(http, /FAILED|Not run/);
    for (const s of ['bare fastify route', '`POST /v1/decide`, cached', '`POST /v1/decide`, cache bypassed', 'OPA Data API', '`GET /v1/forward-auth`']) {
      assert.match(http, new RegExp(`\\| ${s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}[^\\n]*\\| \\d+ \\| [\\d.]+ \\| [\\d.]+ \\| [\\d.]+% \\|`), `no HTTP row for ${s}`);
    }
    assert.match(md, /`POST \/v1\/decide`, cached ≥ 95\.0% of the bare fastify route/);
    // The slow-policy comparison: both servers, both loads, and the worker used.
    const slow = http.split('### A slow policy next to quick ones (evaluation workers)\n')[1];
    assert.ok(slow, 'no slow-policy subsection');
    for (const server of ['without evaluation workers', 'with one evaluation worker']) {
      assert.match(slow, new RegExp(`\\| ${server}[^|]*\\| quick clients alone \\| \\d+ \\| [\\d.]+ \\| — \\| — \\|`), `no row for ${server} alone`);
      assert.match(slow, new RegExp(`\\| ${server}[^|]*\\| quick clients, with the slow ones \\| \\d+ \\| [\\d.]+ \\| \\d+ \\| [\\d.]+ \\|`), `no row for ${server} with the slow load`);
    }
    assert.match(slow, /it made [1-9]\d* decisions on its worker/);
    // The reload comparison: no reload, then modules and a data file replaced each of two ways, with their reloads counted.
    const reloads = http.split('### Decisions while the policy changes (compiling in the background)\n')[1];
    assert.ok(reloads, 'no reload subsection');
    assert.doesNotMatch(reloads, /FAILED/);
    assert.match(reloads, /\| no reload \| \d+ \| [\d.]+ \| [\d.]+ \| [\d.]+ \| 0 \|/);
    for (const how of ['compiled in one go', 'compiled in the background']) {
      assert.match(reloads, new RegExp(`\\| the module replaced every \\d+ ms, ${how} \\| \\d+ \\| [\\d.]+ \\| [\\d.]+ \\| [\\d.]+ \\| [1-9]\\d* \\|`), `no row for reloads ${how}`);
    }
    for (const how of ['parsed in one go', 'parsed a piece at a time']) {
      assert.match(reloads, new RegExp(`\\| the data file replaced every \\d+ ms, its JSON ${how} \\| \\d+ \\| [\\d.]+ \\| [\\d.]+ \\| [\\d.]+ \\| [1-9]\\d* \\|`), `no row for data reloads ${how}`);
    }
    // The compile table has the background columns.
    assert.match(md, /\| 1,000 \| [\d.]+ KiB \| \d+ ms \| [\d.]+ ms \| [\d.]+ ms \| [\d.]+ ms \| [\d.]+ ms \| [\d.]+ ms \|/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
