import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadPaths, policyFiles } from '../../cli/load.js';
import { UsageError } from '../../cli/io.js';
import { tempTree } from './helpers.js';

test('data.json files land at their folder path; policies are keyed by relative path', () => {
  const t = tempTree({
    'p/a.pol': 'package a\n',
    'p/sub/b.rego': 'package b\n',
    'p/data.json': '{"top": 1}',
    'p/x/y/data.json': '{"deep": true}',
    'p/examples/input.json': '{"not": "data"}',
    'p/node_modules/c.pol': 'package c\n',
  });
  try {
    const loaded = loadPaths(['p'], t.dir);
    assert.deepEqual(Object.keys(loaded.modules).sort(), ['p/a.pol', 'p/sub/b.rego']);
    assert.deepEqual(loaded.data, { top: 1, x: { y: { deep: true } } });
  } finally { t.cleanup(); }
});

test('a JSON file named directly merges at the root of data', () => {
  const t = tempTree({ 'one.json': '{"a": {"b": 1}}', 'two.json': '{"a": {"c": 2}}' });
  try {
    assert.deepEqual(loadPaths(['one.json'], t.dir, ['two.json']).data, { a: { b: 1, c: 2 } });
  } finally { t.cleanup(); }
});

test('two files defining one leaf is an error', () => {
  const t = tempTree({ 'one.json': '{"a": 1}', 'two.json': '{"a": 2}' });
  try {
    assert.throws(() => loadPaths(['one.json', 'two.json'], t.dir), (e: unknown) => e instanceof UsageError && /data\.a is defined by more than one data file/.test(e.message));
  } finally { t.cleanup(); }
});

test('__proto__ in data is an ordinary own key and never touches prototypes', () => {
  const t = tempTree({ 'd.json': '{"__proto__": {"polluted": true}, "a": {"__proto__": {"x": 1}}}', 'e.json': '{"a": {"__proto__": {"y": 2}}}' });
  try {
    const data = loadPaths(['d.json', 'e.json'], t.dir).data as Record<string, unknown>;
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.ok(Object.prototype.hasOwnProperty.call(data, '__proto__'));
    const a = data.a as Record<string, unknown>;
    assert.deepEqual(Object.getOwnPropertyDescriptor(a, '__proto__')?.value, { x: 1, y: 2 });
    assert.equal(Object.getPrototypeOf(a), Object.prototype);
  } finally { t.cleanup(); }
});

test('policyFiles lists policy files sorted and deduplicated', () => {
  const t = tempTree({ 'b.pol': '', 'a.rego': '', 'c.txt': '' });
  try {
    const files = policyFiles(['.', 'b.pol'], t.dir).map(f => f.slice(t.dir.length + 1));
    assert.deepEqual(files, ['a.rego', 'b.pol']);
  } finally { t.cleanup(); }
});
