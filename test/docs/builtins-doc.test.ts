/** docs/builtins.md is generated from the declarations: it must match them exactly. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderBuiltinDocs } from '../../dsl/builtins/docs.js';
import { BUILTIN_DECLS } from '../../dsl/builtins/decls.js';

test('docs/builtins.md is up to date (run `npm run docs`)', () => {
  const file = fileURLToPath(new URL('../../../docs/builtins.md', import.meta.url));
  assert.equal(readFileSync(file, 'utf8'), renderBuiltinDocs());
});

test('every builtin is documented with a description', () => {
  for (const d of BUILTIN_DECLS) assert.ok(d.description.trim().length > 0, `${d.name} has no description`);
});
