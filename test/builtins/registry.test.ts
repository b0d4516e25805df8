import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BUILTIN_DECLS } from '../../dsl/builtins/decls.js';
import { BUILTIN_IMPLS } from '../../engine/builtins/registry.js';

test('every declared builtin is implemented, and every implementation is declared', () => {
  const declared = new Set(BUILTIN_DECLS.map(d => d.name));
  const implemented = new Set(Object.keys(BUILTIN_IMPLS));
  assert.deepEqual([...declared].filter(n => !implemented.has(n)).sort(), [], 'declared but not implemented');
  assert.deepEqual([...implemented].filter(n => !declared.has(n)).sort(), [], 'implemented but not declared');
});

test('declarations are unique and documented', () => {
  const seen = new Set<string>();
  for (const d of BUILTIN_DECLS) {
    assert.ok(!seen.has(d.name), `${d.name} declared twice`);
    seen.add(d.name);
    assert.ok(d.description.length > 0, `${d.name} has no description`);
  }
});
