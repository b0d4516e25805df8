/** Keeps conformance from regressing: every case not in known-failures.txt must pass. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { casesDir, loadCases, readKnownFailures, runCase } from './cases.js';
import { whyFailing } from './why.js';

const cases = loadCases();
if (!cases) {
  test('OPA conformance cases', { skip: `no cases found at ${casesDir()} (set POL_CONFORMANCE_DIR)` }, () => {});
} else {
  const known = readKnownFailures();
  test('every not-yet-passing case says why', () => {
    const unexplained = [...known.keys()].filter(id => !whyFailing(id));
    assert.deepEqual(unexplained, [], 'add a reason to test/conformance/why.ts');
  });
  const topics = [...new Set(cases.map(c => c.topic))].sort();
  for (const topic of topics) {
    test(`conformance: ${topic}`, () => {
      const unexpected: string[] = [];
      const fixed: string[] = [];
      for (const tc of cases.filter(c => c.topic === topic)) {
        const o = runCase(tc);
        if (!o.pass && !known.has(tc.id)) unexpected.push(`${tc.id}: ${o.reason}`);
        if (o.pass && known.has(tc.id)) fixed.push(tc.id);
      }
      assert.deepEqual(unexpected, [], 'cases that used to pass (or are new) fail');
      assert.deepEqual(fixed, [], 'cases in known-failures.txt now pass: remove them from the list');
    });
  }
}
