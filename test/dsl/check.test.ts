/**
 * Golden files for the checker: each `test/fixtures/check/<name>.pol` is parsed and checked, and
 * its rendered diagnostics are compared with `<name>.golden.txt` (empty when the policy is valid).
 * `UPDATE_GOLDEN=1 npm test` rewrites the goldens; a fixture without a golden fails.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseModule } from '../../dsl/parser/index.js';
import { checkModules } from '../../dsl/checker/stages.js';
import { renderDiagnostic } from '../../dsl/diagnostic.js';

const dir = fileURLToPath(new URL('../../../test/fixtures/check/', import.meta.url));
const update = process.env.UPDATE_GOLDEN === '1';

for (const name of readdirSync(dir).filter(f => f.endsWith('.pol')).sort()) {
  test(`check golden: ${name}`, () => {
    const source = readFileSync(join(dir, name), 'utf8');
    const parsed = parseModule(name, source);
    assert.deepEqual(parsed.diagnostics, [], 'fixture must parse');
    const checked = checkModules([parsed.value!]);
    const rendered = checked.diagnostics.map(d => renderDiagnostic(d, source)).join('\n\n');
    const golden = join(dir, name.replace(/\.pol$/, '.golden.txt'));
    if (update) writeFileSync(golden, rendered + '\n');
    assert.ok(existsSync(golden), `missing golden ${golden} (run with UPDATE_GOLDEN=1)`);
    assert.equal(rendered + '\n', readFileSync(golden, 'utf8'));
    // Every diagnostic of a failed check carries a stable code and a position.
    for (const d of checked.diagnostics) {
      assert.match(d.code, /^rego_[a-z_]+_error$/);
      assert.ok(d.line > 0 && d.col > 0);
    }
  });
}
