/**
 * Table-driven evaluation cases (cases/*.yaml, OPA's YAML case format) judged exactly as the OPA
 * conformance runner judges OPA's own cases. Cases listed in KNOWN_ENGINE_BUGS.md run as `todo`:
 * the suite stays green while the bug stays visible, and the list must shrink when a bug is fixed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCase } from '../conformance/cases.js';
import { loadCaseFiles, readKnownBugs } from './load.js';

const files = loadCaseFiles();
const known = readKnownBugs();
const passed = new Set<string>();
const allIds = new Set<string>();

test('evaluation case files exist', () => {
  assert.ok(files.length > 0, 'no YAML files under test/eval/cases');
});

for (const f of files) {
  test(`schema: ${f.file}`, () => {
    assert.deepEqual(f.errors, [], `${f.file} does not follow the case schema`);
  });
  for (const c of f.cases) {
    allIds.add(c.id);
    const reason = known.get(c.id);
    test(c.id, reason === undefined ? {} : { todo: reason }, () => {
      const o = runCase(c);
      if (o.pass) passed.add(c.id);
      assert.ok(o.pass, o.reason);
    });
  }
}

test('KNOWN_ENGINE_BUGS.md names only existing cases', () => {
  assert.deepEqual([...known.keys()].filter(id => !allIds.has(id)), []);
});

test('KNOWN_ENGINE_BUGS.md names only cases that still fail (remove fixed ones)', () => {
  assert.deepEqual([...known.keys()].filter(id => passed.has(id)), []);
});
