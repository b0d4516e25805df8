/**
 * Constant-key reads go through a pool of per-key load sites (engine/eval/key-readers.ts) and
 * entry points reuse one evaluation context: neither may change an answer, whatever the number of
 * keys, polluted prototypes or evaluations that overlap or fail.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compile, PolError } from '../../engine/index.js';
import { keyReader, pairReader } from '../../engine/eval/key-readers.js';
import { PolObject, PolSet, type Value } from '../../engine/value.js';

// First in the file: the pools are per process, and later tests here use them up.
test('readers and pooled tests V8 has optimised notice pollution added later, enumerable or not', () => {
  const p = compile({ modules: { 'late.pol': `package late
one := input.late_admin
two := input.user.late_admin
named := input.list.late_name
same if input.user.late_team == input.doc.late_team
above if input.user.late_level >= input.doc.late_level
held := input.late_holder.inner_admin
held_same if input.late_holder.inner_team == input.doc.plain_team
held_above if input.late_holder.inner_level >= input.doc.plain_level
` } });
  const entries = ['one', 'two', 'named', 'same', 'above', 'held', 'held_same', 'held_above'].map(n => p.entrypoint(`late/${n}`));
  const warm = [
    { late_admin: 1, user: { late_admin: 2, late_team: 'x', late_level: 3 }, late_holder: { inner_admin: 2, inner_team: 'x', inner_level: 3 }, doc: { late_team: 'x', late_level: 1, plain_team: 'x', plain_level: 1 }, list: [] },
    { user: { late_team: 'y', late_level: 0 }, doc: { late_team: 'x', late_level: 1, plain_team: 'x', plain_level: 1 }, list: [1] },
  ];
  // Long enough for V8 to optimise every reader and test with its key folded in.
  for (let i = 0; i < 60_000; i++) for (const e of entries) e.evaluate(warm[i & 1] as never);
  const bare = { user: {}, doc: { late_team: 'x', late_level: 1, plain_team: 'x', plain_level: 1 }, list: [] };
  const objectProto = Object.prototype as Record<string, unknown>, arrayProto = Array.prototype as unknown as Record<string, unknown>;
  for (const pollute of ['assignment', 'defineProperty'] as const) {
    try {
      if (pollute === 'assignment') {
        objectProto.late_admin = true; objectProto.late_team = 'x'; objectProto.late_level = 9; arrayProto.late_name = 'array';
        // Only the first key is polluted: the object under it is an ordinary one.
        objectProto.late_holder = { inner_admin: true, inner_team: 'x', inner_level: 9 };
      } else {
        for (const [k, v] of [['late_admin', true], ['late_team', 'x'], ['late_level', 9], ['late_holder', { inner_admin: true, inner_team: 'x', inner_level: 9 }]] as const) {
          Object.defineProperty(Object.prototype, k, { value: v, configurable: true, writable: true });
        }
        Object.defineProperty(Array.prototype, 'late_name', { value: 'array', configurable: true, writable: true });
      }
      for (const e of entries) assert.equal(e.evaluate(bare as never), undefined, `${e.path} after ${pollute}`);
      // Own values are still read.
      assert.equal(entries[1]!.evaluate({ user: { late_admin: 'own' } } as never), 'own');
      assert.equal(entries[3]!.evaluate(warm[0] as never), true);
    } finally {
      delete objectProto.late_admin; delete objectProto.late_team; delete objectProto.late_level; delete objectProto.late_holder; delete arrayProto.late_name;
    }
  }
  assert.equal(entries[0]!.evaluate(warm[0] as never), 1);
  assert.equal(entries[4]!.evaluate(warm[0] as never), true);
});

test('one reader per key, shared by every read of that key', () => {
  assert.equal(keyReader('pool-shared-key'), keyReader('pool-shared-key'));
  assert.notEqual(keyReader('pool-key-a'), keyReader('pool-key-b'));
  assert.equal(keyReader('pool-key-a')({ 'pool-key-a': 1 }), 1);
  assert.equal(keyReader('pool-key-a')({ 'pool-key-b': 1 }), undefined);
  assert.equal(keyReader('pool-key-a')('text'), undefined);
  assert.equal(keyReader('pool-key-a')(null), undefined);
  assert.equal(keyReader('pool-key-a')(undefined), undefined);
});

test('keys past the pool of load sites, and keys a prototype defines, read own properties the same way', () => {
  // More distinct keys than the pool has sites: the later ones take the shared reader.
  const keys = Array.from({ length: 150 }, (_, i) => `overflow_key_${i}`);
  const object = Object.fromEntries(keys.map((k, i) => [k, i]));
  keys.forEach((k, i) => assert.equal(keyReader(k)(object), i, k));
  for (const k of ['constructor', 'toString', '__proto__', 'length', '0', 'hasOwnProperty']) {
    assert.equal(keyReader(k)({}), undefined, `${k} on an object`);
    assert.equal(keyReader(k)([1]), undefined, `${k} on an array`);
  }
  assert.equal(keyReader('constructor')(JSON.parse('{"constructor": "own"}')), 'own');
  assert.equal(keyReader('__proto__')(JSON.parse('{"__proto__": "own"}')), 'own');
});

test('pooled and overflow readers both ignore polluted prototypes', () => {
  const pooled = keyReader('pool-polluted'), overflow = keyReader('overflow_key_149');
  const proto = Object.prototype as Record<string, unknown>;
  try {
    proto['pool-polluted'] = 'inherited';
    proto.overflow_key_149 = 'inherited';
    assert.equal(pooled({}), undefined);
    assert.equal(overflow({}), undefined);
    assert.equal(pooled({ 'pool-polluted': 'own' }), 'own');
  } finally {
    delete proto['pool-polluted'];
    delete proto.overflow_key_149;
  }
});

/** `k1.k2` read one key at a time: what every pair reader must answer. */
function chained(v: Value | undefined, k1: string, k2: string): Value | undefined {
  const a = keyReader(k1)(v);
  return a === undefined ? undefined : keyReader(k2)(a);
}

/** Values a two-key path can meet on the way: plain objects, and everything the fast path must hand on. */
function pathValues(k1: string, k2: string): (Value | undefined)[] {
  const set = new PolSet(); set.add(k2);
  const keyed = new PolObject(); keyed.set(k2, 'from a non-string-keyed object');
  return [
    undefined, null, 'text', 3, true, [], [1, 2],
    {}, { [k1]: undefined as unknown as Value }, { [k1]: null }, { [k1]: 'leaf' }, { [k1]: 7 }, { [k1]: [k2] },
    { [k1]: {} }, { [k1]: { [k2]: 'found' } }, { [k1]: { [k2]: false } }, { [k1]: { [k2]: null } }, { [k1]: { [k2]: 0 } },
    { [k1]: { other: 1 } }, { [k1]: set }, { [k1]: keyed }, { other: { [k2]: 1 } },
  ];
}

test('a pair reader answers what two chained key readers answer, on every kind of value', () => {
  for (const [k1, k2] of [['pair_user', 'pair_id'], ['pair_user', 'pair_department'], ['', 'pair_empty'], ['a\u0000b', 'c'], ['a', 'b\u0000c']]) {
    const both = pairReader(k1!, k2!);
    assert.ok(both, `${k1}.${k2} gets a pair reader`);
    assert.equal(pairReader(k1!, k2!), both, 'one reader per path');
    for (const v of pathValues(k1!, k2!)) assert.deepEqual(both(v), chained(v, k1!, k2!), `${JSON.stringify(v)}`);
  }
  // Different paths whose joined keys could collide are different readers.
  assert.notEqual(pairReader('a\u0000b', 'c'), pairReader('a', 'b\u0000c'));
  // Keys a prototype defines get no pair reader (callers chain own-property reads).
  for (const [k1, k2] of [['constructor', 'x'], ['x', '__proto__'], ['0', 'x'], ['x', 'length']]) assert.equal(pairReader(k1!, k2!), undefined);
});

test('pair readers past the pool are refused, and pooled ones ignore polluted prototypes', () => {
  const pooled = pairReader('pair_polluted', 'inner')!;
  assert.ok(pooled);
  const paths = Array.from({ length: 100 }, (_, i) => [`pair_over_${i}`, 'leaf'] as const);
  const readers = paths.map(([a, b]) => pairReader(a, b));
  assert.ok(readers.some(r => r === undefined), 'the pool runs out');
  assert.ok(readers[0], 'the first paths get readers');
  assert.equal(pairReader('pair_polluted', 'inner'), pooled, 'a path keeps its reader after the pool runs out');
  const proto = Object.prototype as Record<string, unknown>;
  try {
    proto.pair_polluted = { inner: 'inherited' };
    proto.inner = 'inherited';
    assert.equal(pooled({}), undefined);
    assert.equal(pooled({ pair_polluted: {} }), undefined);
    assert.equal(pooled({ pair_polluted: { inner: 'own' } }), 'own');
  } finally {
    delete proto.pair_polluted;
    delete proto.inner;
  }
});

test('a policy comparing more two-key paths than the pair pool holds answers from every one', () => {
  const n = 90;
  const rules = Array.from({ length: n }, (_, i) => `same${i} if input.left.f${i} == input.right.f${i}\nmore${i} if input.left.f${i} > input.right.g${i}`).join('\n');
  const p = compile({ modules: { 'q.pol': `package q\n${rules}\n` } });
  const left = Object.fromEntries(Array.from({ length: n }, (_, i) => [`f${i}`, i]));
  const right = Object.fromEntries(Array.from({ length: n }, (_, i) => [`f${i}`, i % 2 === 0 ? i : -1]));
  for (let i = 0; i < n; i++) right[`g${i}`] = i - 1;
  for (const i of [0, 1, 44, 88, 89]) {
    assert.equal(p.evaluate(`q/same${i}`, { left, right }), i % 2 === 0 ? true : undefined, `same${i}`);
    assert.equal(p.evaluate(`q/more${i}`, { left, right }), true, `more${i}`);
    assert.equal(p.evaluate(`q/more${i}`, { left: {}, right }), undefined);
  }
});

test('a policy with more keys than the pool answers from every key', () => {
  const n = 120;
  const rules = Array.from({ length: n }, (_, i) => `v${i} := input.wide.field_${i}`).join('\n');
  const p = compile({ modules: { 'w.pol': `package w\n${rules}\n`, 's.pol': 'package s\ntotal := sum([v | some k; v := data.w[k]])\n' } });
  const wide = Object.fromEntries(Array.from({ length: n }, (_, i) => [`field_${i}`, i]));
  assert.equal(p.evaluate('w/v0', { wide }), 0);
  assert.equal(p.evaluate(`w/v${n - 1}`, { wide }), n - 1);
  assert.equal(p.evaluate('s/total', { wide }), (n * (n - 1)) / 2);
  assert.equal(p.evaluate('w/v7', { wide: {} }), undefined);
});

test('an entry point reused across evaluations forgets the last one: input, memo, with, errors', () => {
  const p = compile({ modules: { 'r.pol': `package r
id := input.id
generated := uuid.rfc4122(input.seed)
with_input := x if x := id with input as {"id": "inner"}
strict_fail := to_number(input.n)
` } });
  const id = p.entrypoint('r/id');
  assert.equal(id.evaluate({ id: 'a' }), 'a');
  assert.equal(id.evaluate({ id: 'b' }), 'b');
  assert.equal(id.evaluate(undefined), undefined);
  assert.equal(id.evaluate({}), undefined);
  // Memoised builtins (uuid.rfc4122 is stable within one evaluation only) start afresh.
  const uuid = p.entrypoint('r/generated');
  const ids = [1, 2, 3, 4].map(() => uuid.evaluate({ seed: 's' }));
  assert.equal(typeof ids[0], 'string');
  assert.equal(new Set(ids).size, 4, 'each evaluation, the first (new context) and later ones (reused), draws anew');
  const withInput = p.entrypoint('r/with_input');
  assert.equal(withInput.evaluate({ id: 'outer' }), 'inner');
  assert.equal(id.evaluate({ id: 'after-with' }), 'after-with');
  // A strict error is reported once, not carried into the next evaluation.
  const strict = p.entrypoint('r/strict_fail');
  assert.throws(() => strict.evaluate({ n: 'x' }, { strictBuiltinErrors: true }), PolError);
  assert.equal(strict.evaluate({ n: '4' }, { strictBuiltinErrors: true }), 4);
  assert.equal(strict.evaluate({ n: 'x' }), undefined);
});

test('options given to one evaluation never carry into the next plain one', () => {
  const p = compile({ modules: { 'o.pol': `package o
now := time.now_ns()
loud := n if { print("hello"); n := to_number(input.n) }
slow := count([1 | some i in numbers.range(1, 600); some j in numbers.range(1, 600)])
thrown := x if x := 1 / input.d with input.unused as 1
plain := input.id
` } });
  const now = p.entrypoint('o/now');
  assert.equal(now.evaluate(undefined, { nowNs: 5n }), 5);
  const real = now.evaluate() as number;
  assert.ok(real > 1e18, 'a plain evaluation reads the clock, not the pinned time');
  const waitUntil = Date.now() + 3;
  while (Date.now() < waitUntil) { /* the clock's resolution is a millisecond */ }
  assert.ok((now.evaluate() as number) > real, 'and reads it again each time');
  const loud = p.entrypoint('o/loud');
  const prints: string[] = [];
  assert.throws(() => loud.evaluate({ n: 'x' }, { strictBuiltinErrors: true, prints }), PolError);
  assert.equal(loud.evaluate({ n: 'x' }), undefined, 'not strict any more');
  assert.equal(loud.evaluate({ n: '4' }, { prints: [] }), 4, 'and no error was kept for later');
  assert.equal(loud.evaluate({ n: '3' }), 3);
  assert.equal(prints.length, 1, 'later evaluations print nowhere');
  const slow = p.entrypoint('o/slow');
  assert.throws(() => slow.evaluate(undefined, { deadlineMs: Date.now() - 1 }), /deadline/);
  assert.equal(slow.evaluate(), 360000, 'no deadline any more');
  const thrown = p.entrypoint('o/thrown');
  assert.throws(() => thrown.evaluate({ d: 0, id: 'x' }, { strictBuiltinErrors: true }), PolError);
  assert.equal(thrown.evaluate({ d: 2 }), 0.5);
  assert.equal(p.entrypoint('o/plain').evaluate({ id: 'after' }), 'after');
});

test('a failed evaluation leaves the entry point usable', () => {
  const p = compile({ modules: { 'e.pol': 'package e\nx := 1 / input.d\nconflict := 1 if input.c\nconflict := 2 if input.c' } });
  const conflict = p.entrypoint('e/conflict');
  assert.throws(() => conflict.evaluate({ c: true }), PolError);
  assert.equal(conflict.evaluate({ c: false }), undefined);
  assert.throws(() => conflict.evaluate({ c: true }), PolError);
  assert.equal(p.entrypoint('e/x').evaluate({ d: 2 }), 0.5);
});

test('an evaluation started inside another one of the same entry point gets its own context', () => {
  const p = compile({ modules: { 'n.pol': 'package n\nout := [input.a, input.b]' } });
  const entry = p.entrypoint('n/out');
  assert.deepEqual(entry.evaluate({ a: 1, b: 2 }), [1, 2]); // leaves a context to reuse
  // A getter on the input runs while the outer evaluation reads it, and evaluates again.
  let inner: unknown;
  const input = {
    get a() { inner = entry.evaluate({ a: 'inner-a', b: 'inner-b' }); return 'outer-a'; },
    b: 'outer-b',
  };
  assert.deepEqual(entry.evaluate(input as never), ['outer-a', 'outer-b']);
  assert.deepEqual(inner, ['inner-a', 'inner-b']);
});
