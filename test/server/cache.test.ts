import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DecisionCache, normalizeInputPaths, projectInput } from '../../engine/cache/index.js';
import type { EntryPointInfo } from '../../engine/index.js';

const info = (inputPaths: EntryPointInfo['inputPaths'], extra: Partial<EntryPointInfo> = {}): EntryPointInfo =>
  ({ inputPaths, nondeterministic: false, readsClock: false, ...extra });

test('paths under another path are dropped; the whole input subsumes everything', () => {
  assert.deepEqual(normalizeInputPaths([['user', 'role'], ['user'], ['action']]), [['action'], ['user']]);
  assert.deepEqual(normalizeInputPaths([['a'], []]), [[]]);
  assert.equal(normalizeInputPaths('all'), 'all');
});

test('the projection sees only read paths, distinguishes absent from null, and ignores key order', () => {
  const paths = normalizeInputPaths([['user'], ['action']]);
  const a = projectInput({ user: { name: 'a', roles: ['x'] }, action: 'read', noise: 1 }, paths, 1000);
  const b = projectInput({ noise: 2, action: 'read', user: { roles: ['x'], name: 'a' } }, paths, 1000);
  assert.equal(a, b);
  assert.notEqual(projectInput({ action: 'read' }, paths, 1000), projectInput({ action: 'read', user: null }, paths, 1000));
  assert.notEqual(projectInput({ action: 'read', user: '1' }, paths, 1000), projectInput({ action: 'read', user: 1 }, paths, 1000));
  // Separators inside strings cannot make two projections collide.
  assert.notEqual(projectInput({ user: 'a\u001f"b"', action: 'c' }, paths, 1000), projectInput({ user: 'a', action: '"b"\u001fc' }, paths, 1000));
  assert.equal(projectInput({ user: 'x'.repeat(100) }, paths, 50), undefined);
});

test('inherited properties are never read into a key', () => {
  const paths = normalizeInputPaths([['constructor'], ['toString']]);
  assert.equal(projectInput({}, paths, 1000), projectInput({ other: 1 }, paths, 1000));
});

test('clock-reading and non-deterministic entry points are not cacheable', () => {
  const c = new DecisionCache();
  assert.equal(c.keyFor('r1', 'p', info([['a']], { readsClock: true }), { a: 1 }), undefined);
  assert.equal(c.keyFor('r1', 'p', info([['a']], { nondeterministic: true }), { a: 1 }), undefined);
  assert.equal(c.stats.uncacheable, 2);
});

test('keys change with revision and path; hits, misses and invalidation are counted', () => {
  const c = new DecisionCache({ maxEntries: 2, ttlMs: 0 });
  const e = info([['a']]);
  const k1 = c.keyFor('r1', 'p', e, { a: 1 })!;
  assert.notEqual(k1, c.keyFor('r2', 'p', e, { a: 1 }));
  assert.notEqual(k1, c.keyFor('r1', 'q', e, { a: 1 }));
  assert.equal(c.get(k1), undefined);
  c.set(k1, { result: true, json: 'true' });
  assert.deepEqual(c.get(k1), { result: true, json: 'true' });
  assert.equal(c.stats.hits, 1);
  assert.equal(c.stats.misses, 1);
  c.set(c.keyFor('r1', 'p', e, { a: 2 })!, { result: false, json: 'false' });
  c.set(c.keyFor('r1', 'p', e, { a: 3 })!, { result: false, json: 'false' });
  assert.equal(c.size, 2, 'bounded');
  c.invalidate();
  assert.equal(c.size, 0);
});

test('entries expire after the TTL', () => {
  let now = 1_000;
  const c = new DecisionCache({ ttlMs: 30, now: () => now });
  const k = c.keyFor('r', 'p', info([['a']]), { a: 1 })!;
  c.set(k, { result: true, json: 'true' });
  now += 29;
  assert.ok(c.get(k));
  now += 2;
  assert.equal(c.get(k), undefined);
});
