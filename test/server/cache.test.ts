import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DecisionCache, DEFAULT_MIN_COST, keyText, normalizeInputPaths, uncacheableReason } from '../../engine/cache/index.js';
import type { EntryPointInfo, Value } from '../../engine/index.js';

const info = (inputPaths: EntryPointInfo['inputPaths'], extra: Partial<EntryPointInfo> = {}): EntryPointInfo =>
  ({ inputPaths, nondeterministic: false, readsClock: false, cost: 100, ...extra });

test('paths under another path are dropped; the whole input subsumes everything', () => {
  assert.deepEqual(normalizeInputPaths([['user', 'role'], ['user'], ['action']]), [['action'], ['user']]);
  assert.deepEqual(normalizeInputPaths([['a'], []]), [[]]);
  assert.equal(normalizeInputPaths('all'), 'all');
});

/** A cache holding `input` as a hit for an entry point reading `paths`; `probe` says whether another input hits. */
function hitsAfter(paths: EntryPointInfo['inputPaths'], stored: Value, opts: { maxKeyLength?: number } = {}) {
  const c = new DecisionCache({ ttlMs: 0, ...opts });
  const e = info(paths);
  const k = c.keyFor('r1', 'p', e, stored);
  if (k !== undefined) c.set(k, { result: true, json: 'true' });
  return {
    stored: k !== undefined,
    probe: (input: Value) => { const key = c.keyFor('r1', 'p', e, input); return key !== undefined && c.get(key) !== undefined; },
  };
}

test('the projection sees only read paths, distinguishes absent from null and types, and ignores key order', () => {
  const paths = [['user'], ['action']];
  const h = hitsAfter(paths, { user: { name: 'a', roles: ['x'] }, action: 'read', noise: 1 });
  assert.ok(h.probe({ noise: 2, action: 'read', user: { roles: ['x'], name: 'a' } }));
  assert.ok(!h.probe({ action: 'read', user: { roles: ['y'], name: 'a' } }));
  assert.ok(!h.probe({ action: 'write', user: { roles: ['x'], name: 'a' } }));
  const absent = hitsAfter(paths, { action: 'read' });
  assert.ok(absent.probe({ action: 'read' }));
  assert.ok(!absent.probe({ action: 'read', user: null }));
  const text = hitsAfter(paths, { action: 'read', user: '1' });
  assert.ok(!text.probe({ action: 'read', user: 1 }));
  assert.ok(!text.probe({ action: 'read', user: ['1'] }));
  // A string spelling a composite's canonical text is not that composite.
  const composite = hitsAfter(paths, { action: 'read', user: ['1'] });
  assert.ok(composite.probe({ action: 'read', user: ['1'] }));
  assert.ok(!composite.probe({ action: 'read', user: '["1"]' }));
  // Values cannot run together across paths.
  const split = hitsAfter(paths, { user: 'a\u001f"b"', action: 'c' });
  assert.ok(!split.probe({ user: 'a', action: '"b"\u001fc' }));
});

test('the whole input as the projection, and projections over the size limit are not cached', () => {
  const all = hitsAfter('all', { a: 1, b: [1, 2] });
  assert.ok(all.probe({ b: [1, 2], a: 1 }));
  assert.ok(!all.probe({ a: 1, b: [2, 1] }));
  assert.ok(hitsAfter('all', 'text').probe('text'));
  assert.equal(hitsAfter([['user']], { user: 'x'.repeat(100) }, { maxKeyLength: 50 }).stored, false);
  assert.equal(hitsAfter([['user']], { user: { name: 'x'.repeat(100) } }, { maxKeyLength: 50 }).stored, false);
  assert.equal(hitsAfter([['user']], { user: 'x'.repeat(40) }, { maxKeyLength: 50 }).stored, true);
});

test('inherited properties are never read into a key', () => {
  const h = hitsAfter([['constructor'], ['toString']], {});
  assert.ok(h.probe({ other: 1 }));
  assert.ok(!h.probe({ constructor: 1 }));
});

test('array elements are addressed by index segments', () => {
  const h = hitsAfter([['roles', '0']], { roles: ['admin', 'x'] });
  assert.ok(h.probe({ roles: ['admin', 'y'] }));
  assert.ok(!h.probe({ roles: ['user', 'x'] }));
});

test('clock-reading and non-deterministic entry points are not cacheable', () => {
  const c = new DecisionCache();
  assert.equal(c.keyFor('r1', 'p', info([['a']], { readsClock: true }), { a: 1 }), undefined);
  assert.equal(c.keyFor('r1', 'p', info([['a']], { nondeterministic: true }), { a: 1 }), undefined);
  assert.equal(c.stats.uncacheable, 2);
});

test('entry points cheaper than a lookup are evaluated, not cached, unless minCost says otherwise', () => {
  const c = new DecisionCache();
  assert.equal(c.keyFor('r1', 'p', info([['a']], { cost: DEFAULT_MIN_COST - 1 }), { a: 1 }), undefined);
  assert.ok(c.keyFor('r1', 'p', info([['a']], { cost: DEFAULT_MIN_COST }), { a: 1 }));
  assert.equal(c.stats.uncacheable, 1);
  assert.ok(new DecisionCache({ minCost: 0 }).keyFor('r1', 'p', info([['a']], { cost: 0 }), { a: 1 }));
  assert.equal(uncacheableReason(info([['a']], { cost: 4 })), 'cheaper to evaluate than to look up');
  assert.equal(uncacheableReason(info([['a']], { cost: 40 }), 32), undefined);
});

test('accepts tells at setup which entry points are ever cached, and asking changes no key', () => {
  const c = new DecisionCache();
  const cheap = info([['a']], { cost: 1 }), clock = info([['a']], { readsClock: true }), byA = info([['a']]), byB = info([['b']]);
  assert.equal(c.accepts(cheap), false);
  assert.equal(c.accepts(clock), false);
  assert.equal(c.accepts(byA), true);
  assert.equal(new DecisionCache({ minCost: 0 }).accepts(cheap), true);
  // Asking about one entry point between keys of others must not lend them its paths.
  assert.equal(c.accepts(byB), true);
  assert.deepEqual(c.keyFor('r', 'p', byA, { a: 1, b: 2 })!.slice(2), [1]);
  assert.equal(c.accepts(cheap), false);
  assert.deepEqual(c.keyFor('r', 'p', byB, { a: 1, b: 2 })!.slice(2), [2]);
  assert.equal(c.accepts(byA), true);
  assert.equal(c.keyFor('r', 'p', cheap, { a: 1 }), undefined);
  assert.equal(c.stats.uncacheable, 1, 'only keyFor counts declined lookups');
});

test('alternating entry points each keep their own paths and cacheability', () => {
  const c = new DecisionCache();
  const cheap = info([['a']], { cost: 1 }), byA = info([['a']]), byB = info([['b']]);
  for (let round = 0; round < 3; round++) {
    assert.equal(c.keyFor('r', 'p', cheap, { a: 1, b: 1 }), undefined);
    const ka = c.keyFor('r', 'p', byA, { a: 1, b: 2 })!, kb = c.keyFor('r', 'p', byB, { a: 1, b: 2 })!;
    assert.ok(ka && kb);
    assert.deepEqual(ka.slice(2), [1], 'byA reads a');
    assert.deepEqual(kb.slice(2), [2], 'byB reads b');
    assert.equal(c.keyFor('r', 'p', byA, { a: 1, b: 2 })!.slice(2)[0], 1, 'byA again, right after itself');
  }
  assert.equal(c.stats.uncacheable, 3);
});

test('keys change with revision and path; hits, misses and invalidation are counted', () => {
  const c = new DecisionCache({ maxEntries: 2, ttlMs: 0 });
  const e = info([['a']]);
  const k1 = c.keyFor('r1', 'p', e, { a: 1 })!;
  assert.equal(c.get(k1), undefined);
  c.set(k1, { result: true, json: 'true' });
  assert.deepEqual(c.get(c.keyFor('r1', 'p', e, { a: 1 })!), { result: true, json: 'true' });
  assert.equal(c.get(c.keyFor('r2', 'p', e, { a: 1 })!), undefined, 'another revision misses');
  assert.equal(c.get(c.keyFor('r1', 'q', e, { a: 1 })!), undefined, 'another entry point misses');
  assert.equal(c.stats.hits, 1);
  assert.equal(c.stats.misses, 3);
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

test('evicted and expired entries leave nothing behind in the lookup trie', () => {
  let now = 1_000;
  const c = new DecisionCache({ maxEntries: 3, ttlMs: 100, now: () => now });
  const e = info([['user'], ['action']]);
  for (let i = 0; i < 50; i++) c.set(c.keyFor('r', 'p', e, { user: `u${i}`, action: { verb: `v${i}` } })!, { result: i, json: String(i) });
  // Counts the trie's nodes: only the three live keys' paths may remain.
  const count = (n: { scalars: Map<unknown, unknown>; composites: Map<string, unknown> | null }): number => {
    let total = 0;
    for (const child of [...n.scalars.values(), ...(n.composites?.values() ?? [])]) {
      total += 1 + ('scalars' in (child as object) ? count(child as typeof n) : 0);
    }
    return total;
  };
  const root = () => (c as unknown as { root: Parameters<typeof count>[0] }).root;
  assert.equal(c.size, 3);
  // revision + path + 3 × (user level + action leaf)
  assert.equal(count(root()), 2 + 3 * 2);
  assert.equal(c.get(c.keyFor('r', 'p', e, { user: 'u49', action: { verb: 'v49' } })!)?.result, 49);
  now += 101;
  assert.equal(c.get(c.keyFor('r', 'p', e, { user: 'u49', action: { verb: 'v49' } })!), undefined);
  assert.equal(count(root()), 2 + 2 * 2);
  c.invalidate();
  assert.equal(count(root()), 0);
});

test('a key as one string: equal for keys the cache takes as equal, different for any others', () => {
  const c = new DecisionCache({ ttlMs: 0 });
  const e = info([['a'], ['b']]);
  const text = (input: Value) => keyText(c.keyFor('r1', 'p', e, input)!);
  const distinct: Value[] = [
    {}, { a: null }, { a: 'null' }, { a: 1 }, { a: '1' }, { a: true }, { a: 'true' }, { a: [1] }, { a: '[1]' },
    { a: 'x,sy' }, { a: 'x', b: 'y' }, { a: 'x"', b: 'y' }, { a: 18446744073709551616n }, { a: '18446744073709551616' },
    { a: { k: 1 } }, { a: { k: '1' } }, { b: 1 },
  ];
  const texts = distinct.map(text);
  assert.equal(new Set(texts).size, distinct.length, texts.join('\n'));
  // What the cache itself takes as one key is one text: fields not read, 0 and -0, key order.
  assert.equal(text({ a: 1, c: 2 }), text({ a: 1 }));
  assert.equal(text({ a: 0 }), text({ a: -0 }));
  assert.equal(text({ a: { x: 1, y: 2 } }), text({ a: { y: 2, x: 1 } }));
  assert.notEqual(keyText(c.keyFor('r2', 'p', e, { a: 1 })!), text({ a: 1 }));
  assert.notEqual(keyText(c.keyFor('r1', 'q', e, { a: 1 })!), text({ a: 1 }));
});
