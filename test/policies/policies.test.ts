/** Every example policy's `_test.pol` tests pass, run through the same code as `pol test`. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { runPolicyTests } from '../../cli/test-runner.js';
import { renderError } from '../../cli/errors.js';

// dist/test/policies/ → repository root.
const root = fileURLToPath(new URL('../../../', import.meta.url));

test('every example policy test passes', () => {
  const run = runPolicyTests({ paths: ['policies'], cwd: root });
  assert.equal(run.compileError, undefined, run.compileError === undefined ? '' : renderError(run.compileError, run.modules));
  const bad = run.results.filter(r => r.status === 'fail' || r.status === 'error');
  assert.deepEqual(bad.map(r => `${r.name}: ${r.status} ${r.detail ?? ''}`), []);
  // Each policy ships with tests, and each test file contributes some.
  const testFiles = readdirSync(join(root, 'policies')).filter(f => f.endsWith('_test.pol'));
  for (const name of ['rbac', 'abac', 'contextual', 'gateway']) assert.ok(testFiles.includes(`${name}_test.pol`), `${name}_test.pol is missing`);
  for (const f of testFiles) {
    assert.ok(run.results.some(r => r.file === join('policies', f) && r.status === 'pass'), `no passing test from ${f}`);
  }
});
