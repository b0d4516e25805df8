/** Data for evaluation workers in parts (`data-parts.ts`): put together, it is the data. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seededRandom } from '../seeded-random.js';
import { finish } from '../../engine/index.js';
import type { PlainObject, Value } from '../../engine/value.js';
import { DataAssembler, DataParts, type DataPart } from '../../server/decision/data-parts.js';

/** JSON text with key order kept and big integers marked: equal texts, equal data. */
function text(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => typeof x === 'bigint' ? `${x}n` : x);
}

function roundTrip(data: PlainObject, partNodes: number): { data: PlainObject; parts: DataPart[] } {
  const parts: DataPart[] = [];
  finish(new DataParts(data, partNodes).steps(p => parts.push(structuredClone(p))));
  const a = new DataAssembler();
  for (const p of parts) a.add(p);
  return { data: a.root, parts };
}

/** Values in a part (the empty containers placed for larger ones count one each). */
function nodes(v: Value): number {
  if (typeof v !== 'object' || v === null) return 1;
  const children = Array.isArray(v) ? v : Object.values(v as PlainObject);
  return 1 + children.reduce<number>((n, c) => n + nodes(c as Value), 0);
}

function randomData(seed: number): PlainObject {
  const rnd = seededRandom(seed);
  const keys = ['a', '__proto__', 'constructor', '10', '2', 'x y', 'é'];
  const value = (depth: number): Value => {
    const r = rnd(10);
    if (depth > 5 || r < 4) return [1, 'two', true, null, 12345678901234567890n, -0.5, ''][rnd(7)]!;
    const n = rnd(r < 7 || depth > 1 ? 5 : 60);
    if (r % 2 === 0) return Array.from({ length: n }, () => value(depth + 1));
    const o: PlainObject = {};
    for (let i = 0; i < n; i++) Object.defineProperty(o, `${keys[rnd(keys.length)]!}${rnd(4) ? i : ''}`, { value: value(depth + 1), enumerable: true, writable: true, configurable: true });
    return o;
  };
  const root: PlainObject = {};
  for (let i = 0; i < 1 + rnd(6); i++) root[`k${i}`] = value(0);
  return root;
}

test('data sent in parts is put back together as it was: key order, __proto__ keys, big integers, empty containers', () => {
  let split = 0;
  for (let seed = 1; seed <= 200; seed++) {
    const data = randomData(seed);
    for (const partNodes of [3, 16, 100]) {
      const { data: back, parts } = roundTrip(data, partNodes);
      assert.equal(text(back), text(data), `seed ${seed}, parts of ${partNodes}`);
      assert.deepStrictEqual(back, data);
      if (parts.length > 1) split++;
      for (const p of parts) {
        const values = 'items' in p ? p.items : p.entries.map(e => e[1]);
        // A part holds at most partNodes values, or one container placed empty.
        assert.ok(values.reduce<number>((n, v) => n + nodes(v), 0) <= partNodes || values.length === 1, `seed ${seed}: a part over ${partNodes} values`);
      }
    }
  }
  assert.ok(split > 300, `only ${split} of 600 round trips went in more than one part`);
  const proto = JSON.parse('{"__proto__":{"polluted":true},"list":[1,2,3,4,5,6,7,8]}') as PlainObject;
  const back = roundTrip(proto, 2).data;
  assert.equal(Object.getPrototypeOf(back), Object.prototype);
  assert.deepEqual(Object.getOwnPropertyDescriptor(back, '__proto__')?.value, { polluted: true });
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});

test('only data of more than a part goes in parts; a large object goes a part per step', () => {
  assert.equal(new DataParts({ a: [1, 2] }, 4).large, false); // four values: the object, the array, its items
  assert.equal(new DataParts({ a: [1, 2, 3] }, 4).large, true);
  assert.equal(new DataParts({ a: { b: 1, c: 2 } }, 4).large, false);
  assert.equal(new DataParts({ a: { b: 1, c: 2, d: 3 } }, 4).large, true);
  const users: PlainObject = {};
  for (let i = 0; i < 10_000; i++) users[`u${i}`] = { roles: ['r'], n: i };
  const data = { app: { users } };
  const steps = new DataParts(data).steps(() => {});
  let n = 0;
  while (!steps.next().done) n++;
  // 40,000 values in parts of at most 4,096: ten or so steps, not one.
  assert.ok(n >= 9, `${n} steps`);
});

test('keys already known (as the data\'s digests hold them) are used instead of listing a wide object\'s keys', () => {
  const users: PlainObject = {};
  for (let i = 0; i < 5_000; i++) users[`u${i}`] = { roles: ['r'], n: i };
  const data = { app: { users }, z: 1 };
  const sorted = Object.keys(users).sort();
  const listed: object[] = [];
  const keysOf = Object.keys;
  const parts: DataPart[] = [];
  Object.keys = ((o: object) => { listed.push(o); return keysOf(o); }) as typeof Object.keys;
  try {
    const split = new DataParts(data, 4096, o => o === users ? sorted : undefined);
    assert.equal(split.large, true);
    finish(split.steps(p => parts.push(structuredClone(p))));
  } finally {
    Object.keys = keysOf;
  }
  assert.ok(!listed.includes(users), 'the wide object was listed');
  const a = new DataAssembler();
  for (const p of parts) a.add(p);
  // The same data, its wide object's keys in the order known.
  assert.deepEqual(a.root, data);
  assert.deepEqual(keysOf((a.root.app as PlainObject).users as PlainObject), sorted);
});

test('parts that do not fit are refused, not put anywhere', () => {
  const a = new DataAssembler();
  a.add({ path: [], entries: [['list', []]] });
  assert.throws(() => a.add({ path: ['missing'], entries: [['x', 1]] }), /not placed/);
  assert.throws(() => a.add({ path: ['list'], entries: [['x', 1]] }), /entries for an array/);
  assert.throws(() => a.add({ path: [], items: [1] }), /items for an object/);
  assert.throws(() => a.add({ path: ['__proto__'], entries: [['polluted', true]] }), /not placed/);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});
