/** Declarations and implementations of the time, net, crypto and jwt families match one to one. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decls as timeDecls } from '../../dsl/builtins/decls/time.js';
import { decls as netDecls } from '../../dsl/builtins/decls/net.js';
import { decls as cryptoDecls } from '../../dsl/builtins/decls/crypto.js';
import { decls as jwtDecls } from '../../dsl/builtins/decls/jwt.js';
import { impls as timeImpls } from '../../engine/builtins/time.js';
import { impls as netImpls } from '../../engine/builtins/net.js';
import { impls as cryptoImpls } from '../../engine/builtins/crypto.js';
import { impls as jwtImpls } from '../../engine/builtins/jwt.js';
import { parseQuery } from '../../dsl/index.js';

const families = [
  { name: 'time', decls: timeDecls, impls: timeImpls, size: 10 },
  { name: 'net', decls: netDecls, impls: netImpls, size: 6 },
  { name: 'crypto', decls: cryptoDecls, impls: cryptoImpls, size: 8 },
  { name: 'jwt', decls: jwtDecls, impls: jwtImpls, size: 17 },
];

for (const f of families) {
  test(`${f.name}: every declaration has an implementation and vice versa`, () => {
    const declared = f.decls.map(d => d.name).sort();
    assert.deepEqual(declared, Object.keys(f.impls).sort());
    assert.equal(declared.length, f.size);
    assert.equal(new Set(declared).size, declared.length, 'duplicate declaration');
  });
  test(`${f.name}: declarations are documented`, () => {
    for (const d of f.decls) {
      assert.ok(d.description.length > 20, `${d.name}: description`);
      assert.ok(d.example && d.example.includes(d.name.split('.').pop()!), `${d.name}: example`);
      assert.ok(d.args.every(a => a.name && a.description), `${d.name}: argument docs`);
      assert.deepEqual(parseQuery(d.example!).diagnostics.map(x => x.message), [], `${d.name}: example parses`);
    }
  });
}

test('only time.now_ns is non-deterministic', () => {
  const all = [...timeDecls, ...netDecls, ...cryptoDecls, ...jwtDecls];
  assert.deepEqual(all.filter(d => d.nondeterministic).map(d => d.name), ['time.now_ns']);
});
