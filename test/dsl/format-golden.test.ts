// Formatter tests: golden outputs for test/fixtures/format/*.pol (UPDATE_GOLDEN=1 rewrites them;
// a fixture without a golden fails), and two properties over every fixture and every module of
// OPA's conformance cases: formatting is idempotent, and the output parses to the same AST.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseModule } from '../../dsl/parser/index.js';
import { formatModule, formatSource } from '../../dsl/format/index.js';
import { renderDiagnostic } from '../../dsl/diagnostic.js';

const fixtures = fileURLToPath(new URL('../../../test/fixtures/', import.meta.url));
const formatDir = fixtures + 'format/';
const update = process.env['UPDATE_GOLDEN'] === '1';

const withoutLocs = (v: unknown) => JSON.stringify(v, (k, x: unknown) => (k === 'loc' || k === 'file' ? undefined : x));

/** Returns a reason when `text` does not format idempotently to the same AST, else undefined. */
function roundTrip(name: string, text: string): string | undefined {
  const first = parseModule(name, text);
  if (!first.value) return `does not parse: ${first.diagnostics.map(d => renderDiagnostic(d, text)).join('\n')}`;
  const out = formatModule(first.value, text);
  const second = parseModule(name, out);
  if (!second.value) return `formatted output does not parse:\n${out}\n${second.diagnostics.map(d => renderDiagnostic(d, out)).join('\n')}`;
  if (withoutLocs(second.value) !== withoutLocs(first.value)) return `formatting changed the AST:\n${out}`;
  const again = formatModule(second.value, out);
  if (again !== out) return `not idempotent:\n--- first\n${out}\n--- second\n${again}`;
  return undefined;
}

const names = readdirSync(formatDir).filter(f => f.endsWith('.pol') && !f.endsWith('.golden.pol')).sort();

test('format fixtures exist', () => assert.ok(names.length >= 4));

for (const name of names) {
  test(`format ${name}`, () => {
    const text = readFileSync(formatDir + name, 'utf8');
    const r = formatSource(name, text);
    assert.deepEqual(r.diagnostics, []);
    const golden = formatDir + name.replace(/\.pol$/, '.golden.pol');
    if (update) writeFileSync(golden, r.value!);
    else {
      assert.ok(existsSync(golden), `missing golden file ${golden} (run with UPDATE_GOLDEN=1)`);
      assert.equal(r.value, readFileSync(golden, 'utf8'));
    }
    assert.equal(roundTrip(name, text), undefined);
  });
}

test('golden outputs are already formatted', () => {
  for (const name of readdirSync(formatDir).filter(f => f.endsWith('.golden.pol'))) {
    const text = readFileSync(formatDir + name, 'utf8');
    assert.equal(formatSource(name, text).value, text, name);
  }
});

test('formatting every parse fixture is idempotent and keeps the AST', () => {
  for (const name of readdirSync(fixtures + 'parse').filter(f => f.endsWith('.pol'))) {
    assert.equal(roundTrip(name, readFileSync(fixtures + 'parse/' + name, 'utf8')), undefined, name);
  }
});

test('formatting every OPA conformance module is idempotent and keeps the AST', () => {
  const dir = '/work/shared/opa-cases/topics/';
  const failures: string[] = [];
  let n = 0;
  for (const f of readdirSync(dir)) {
    const d = JSON.parse(readFileSync(dir + f, 'utf8')) as { cases: { id: string; modules: string[] }[] };
    for (const c of d.cases) {
      c.modules.forEach((m, i) => {
        if (!parseModule('m', m).value) return; // the parser corpus test covers modules that do not parse
        n++;
        const why = roundTrip(`${c.id}#${i}`, m);
        if (why) failures.push(`${c.id}#${i}: ${why}`);
      });
    }
  }
  assert.ok(n > 2400);
  assert.deepEqual(failures.slice(0, 5), []);
});

test('formatSource reports parse errors instead of formatting', () => {
  const r = formatSource('bad.pol', 'package x\nallow { true }\n');
  assert.equal(r.value, undefined);
  assert.equal(r.diagnostics[0]!.code, 'rego_parse_error');
});
