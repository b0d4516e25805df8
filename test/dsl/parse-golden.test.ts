// Golden tests for the parser: every test/fixtures/parse/*.pol must parse without diagnostics to
// the AST in its .golden.json (locations reduced to "line:col"), and every errors/*.pol must
// produce exactly the rendered diagnostics in its .golden.txt. UPDATE_GOLDEN=1 rewrites goldens;
// a fixture without a golden fails.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseModule } from '../../dsl/parser/index.js';
import { renderDiagnostic } from '../../dsl/diagnostic.js';

const root = fileURLToPath(new URL('../../../test/fixtures/parse/', import.meta.url));
const update = process.env['UPDATE_GOLDEN'] === '1';

/** The AST as JSON with every `loc` reduced to "line:col". */
function goldenJson(value: unknown): string {
  return JSON.stringify(value, (k, v: unknown) => {
    if (k === 'loc' && v && typeof v === 'object') {
      const l = v as { line: number; col: number };
      return `${l.line}:${l.col}`;
    }
    return v;
  }, 2) + '\n';
}

function check(goldenPath: string, actual: string): void {
  if (update) { writeFileSync(goldenPath, actual); return; }
  assert.ok(existsSync(goldenPath), `missing golden file ${goldenPath} (run with UPDATE_GOLDEN=1)`);
  assert.equal(actual, readFileSync(goldenPath, 'utf8'));
}

const fixtures = readdirSync(root).filter(f => f.endsWith('.pol')).sort();
const errorFixtures = readdirSync(root + 'errors').filter(f => f.endsWith('.pol')).sort();

test('parse fixtures exist', () => {
  assert.ok(fixtures.length >= 5);
  assert.ok(errorFixtures.length >= 10);
});

for (const name of fixtures) {
  test(`parse ${name}`, () => {
    const text = readFileSync(root + name, 'utf8');
    const r = parseModule(name, text);
    assert.deepEqual(r.diagnostics.map(d => renderDiagnostic(d, text)), []);
    assert.ok(r.value);
    check(root + name.replace(/\.pol$/, '.golden.json'), goldenJson(r.value));
  });
}

for (const name of errorFixtures) {
  test(`parse error ${name}`, () => {
    const text = readFileSync(root + 'errors/' + name, 'utf8');
    const r = parseModule(name, text);
    assert.ok(r.diagnostics.length > 0, 'expected at least one diagnostic');
    assert.equal(r.value, undefined);
    for (const d of r.diagnostics) {
      assert.equal(d.code, 'rego_parse_error');
      assert.ok(d.line > 0 && d.col > 0, 'diagnostics carry a position');
      assert.match(d.message, /^[^A-Z\n]/, 'messages are lowercase and one line');
    }
    const rendered = r.diagnostics.map(d => renderDiagnostic(d, text)).join('\n') + '\n';
    check(root + 'errors/' + name.replace(/\.pol$/, '.golden.txt'), rendered);
  });
}
