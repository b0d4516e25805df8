/** The case-file schema must reject what would make a case check less than it seems to. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateCaseFile } from './schema.js';
import { loadYaml } from './yaml.js';
import { parseKnownBugs } from './load.js';

const ok = { note: 'n', query: 'x = 1', want_result: [{ x: 1 }] };
const errorsOf = (doc: unknown) => validateCaseFile(doc, 'f').errors;

test('a minimal case is valid and gets the id <file>/<note>', () => {
  const r = validateCaseFile({ cases: [ok] }, 'f');
  assert.deepEqual(r.errors, []);
  assert.equal(r.cases[0]!.id, 'f/n');
  assert.equal(r.cases[0]!.input, null);
  assert.equal(r.cases[0]!.strict_error, false);
});

test('unknown keys are rejected, at top level and in a case', () => {
  assert.match(errorsOf({ cases: [ok], extra: 1 }).join(), /unknown top-level key `extra`/);
  assert.match(errorsOf({ cases: [{ ...ok, want_results: [] }] }).join(), /unknown key `want_results`/);
});

test('contradictory or empty expectations are rejected', () => {
  assert.match(errorsOf({ cases: [{ note: 'n', query: 'x = 1' }] }).join(), /expects nothing/);
  assert.match(errorsOf({ cases: [{ ...ok, input: 1, input_term: '1' }] }).join(), /not both/);
  assert.match(errorsOf({ cases: [ok, ok] }).join(), /duplicate note/);
  assert.match(errorsOf({ cases: [{ ...ok, want_error_code: 'eval_oops' }] }).join(), /unknown error code/);
  assert.match(errorsOf({ cases: [{ ...ok, sort_bindings: true }] }).join(), /sort_bindings needs array values/);
});

test('field types are checked', () => {
  assert.match(errorsOf({ cases: [{ ...ok, modules: 'package a' }] }).join(), /`modules` must be a list/);
  assert.match(errorsOf({ cases: [{ ...ok, data: [] }] }).join(), /`data` must be a mapping/);
  assert.match(errorsOf({ cases: [{ ...ok, strict_error: 'yes' }] }).join(), /`strict_error` must be a boolean/);
  assert.match(errorsOf({ cases: [{ ...ok, want_result: [1] }] }).join(), /want_result\[0\] must be a mapping/);
  assert.match(errorsOf({ cases: [] }).join(), /non-empty list/);
});

test('YAML scalars follow OPA: big integers stay exact, no timestamps, 1e3 is a float', () => {
  const v = loadYaml('a: 18446744073709551617\nb: 2026-01-01\nc: 1e3\nd: 12\ne: -0.5\nf: ~\ng: True', 't') as Record<string, unknown>;
  assert.equal(v.a, 18446744073709551617n);
  assert.equal(v.b, '2026-01-01');
  assert.equal(v.c, 1000);
  assert.equal(v.d, 12);
  assert.equal(v.e, -0.5);
  assert.equal(v.f, null);
  assert.equal(v.g, true);
  assert.throws(() => loadYaml('a: 1\na: 2', 't'), /duplicate/);
});

test('known-bug lines are parsed by id', () => {
  const m = parseKnownBugs('# title\n- `with/mock` — mocks ignored\n* `x/y`: reason\nprose `z/w` here');
  assert.deepEqual([...m.entries()], [['with/mock', 'mocks ignored'], ['x/y', 'reason']]);
});
