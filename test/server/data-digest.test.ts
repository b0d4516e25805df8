/**
 * The data's share of a revision (`DataDigests`): what the policy store computes reusing earlier
 * work over Data API writes must be what a fresh computation gives, and must change with the data.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countTurns } from '../event-loop-turns.js';
import { DataDigests, stringifyJson, type Value } from '../../engine/index.js';
import { finish } from '../../dsl/index.js';
import type { PlainObject } from '../../engine/value.js';
import { applyWrite, type DataWrite } from '../../server/policy-store/data-writes.js';
import { PolicyStore } from '../../server/index.js';
import { sourcesFromFilesSteps } from '../../server/policy-store/sources.js';

/** A small deterministic generator (tests must be repeatable). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => { s = (s * 1664525 + 1013904223) >>> 0; return s / 2 ** 32; };
}

function scalar(r: () => number): Value {
  const x = r();
  if (x < 0.25) return Math.floor(r() * 1000);
  if (x < 0.5) return `s${Math.floor(r() * 50)}#`.slice(0, 1 + Math.floor(r() * 4));
  if (x < 0.7) return r() < 0.5;
  if (x < 0.8) return null;
  return r() * 10;
}

/** Objects and arrays from tiny to wider than a hashed chunk (64 entries), nested. */
function value(r: () => number, depth: number): Value {
  if (depth === 0 || r() < 0.3) return scalar(r);
  const width = r() < 0.2 ? 60 + Math.floor(r() * 150) : Math.floor(r() * 6);
  if (r() < 0.4) return Array.from({ length: width }, () => value(r, depth - 1));
  const o: PlainObject = {};
  for (let i = 0; i < width; i++) o[`k${Math.floor(r() * 400)}`] = value(r, depth - 1);
  return o;
}

/** A write at an existing or new path of `data` (objects only on the way, as the Data API allows). */
function randomWrite(r: () => number, data: PlainObject): DataWrite {
  const path: string[] = [];
  let v: Value = data;
  while (v !== null && typeof v === 'object' && !Array.isArray(v) && r() < 0.8) {
    const keys: string[] = Object.keys(v as PlainObject);
    if (keys.length === 0 || r() < 0.15) { path.push(`new${Math.floor(r() * 1000)}`); break; }
    const k: string = keys[Math.floor(r() * keys.length)]!;
    path.push(k);
    v = (v as PlainObject)[k]!;
  }
  if (path.length === 0) path.push(`top${Math.floor(r() * 20)}`);
  const remove = r() < 0.2 && v !== undefined;
  return { path, value: remove ? undefined : value(r, 2) };
}

test('digests reused over writes equal fresh ones, and differ whenever the data does', () => {
  for (let seed = 1; seed <= 30; seed++) {
    const r = rng(seed);
    const digests = new DataDigests();
    // Odd seeds: a writer that reports the copies only, so the digests compare the copies' keys;
    // even seeds: one that reports the keys it writes as well (as the store's writes do).
    const copies = seed % 2 ? { derived: (copy: object, original: object): void => digests.derived(copy, original) } : digests;
    let data = value(r, 4) as PlainObject;
    if (data === null || typeof data !== 'object' || Array.isArray(data)) data = { root: data };
    let token = digests.token(data);
    assert.equal(token, new DataDigests().token(data));
    for (let i = 0; i < 25; i++) {
      const before = stringifyJson(data);
      // One to three writes in a series (sharing the containers they made), as one API call makes them.
      const fresh = new Set<object>();
      let next: PlainObject = data;
      for (let w = 0, n = 1 + Math.floor(r() * 3); w < n; w++) {
        try {
          next = applyWrite(next, randomWrite(r, next), fresh, copies);
        } catch {
          // a removal of a missing document, a conflict: nothing changed
        }
      }
      const after = stringifyJson(next);
      // Every third seed: made a container (or chunk) at a time first, with what the digests know of the copies.
      if (seed % 3 === 0) finish(digests.warmSteps(next));
      const reused = digests.token(next);
      assert.equal(reused, new DataDigests().token(next), `seed ${seed}, write ${i}`);
      // Made a container (or chunk) at a time first, as a reload in the background makes it.
      const warmed = new DataDigests();
      finish(warmed.warmSteps(next));
      assert.equal(warmed.token(next), reused, `seed ${seed}, write ${i}: warmed`);
      if (after === before) assert.equal(reused, token, `seed ${seed}, write ${i}: same data, another digest`);
      else assert.notEqual(reused, token, `seed ${seed}, write ${i}: the data changed, the digest did not`);
      // The data written over is left as it was, and keeps its digest.
      assert.equal(stringifyJson(data), before);
      assert.equal(digests.token(data), token);
      data = next;
      token = reused;
    }
  }
});

test('made in steps, a digest lists the keys of each object it hashes once, for its children and its token alike', () => {
  const wide: PlainObject = {};
  for (let i = 0; i < 1000; i++) wide[`user${i}`] = { roles: [`r${i % 7}`], n: i };
  const mid: PlainObject = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${i}`, { v: i }]));
  const data: PlainObject = { users: wide, mid, list: Array.from({ length: 100 }, (_, i) => ({ i })), small: { a: { b: 1 } } };
  const listed = new Map<object, number>();
  const keysOf = Object.keys;
  Object.keys = ((o: object) => { listed.set(o, (listed.get(o) ?? 0) + 1); return keysOf(o); }) as typeof Object.keys;
  let token: string;
  try {
    const digests = new DataDigests();
    finish(digests.warmSteps(data));
    token = digests.token(data);
  } finally {
    Object.keys = keysOf;
  }
  assert.equal(token, new DataDigests().token(data));
  // Objects hashed on their own (more than 16 keys, or the root); a smaller one is listed again
  // where its parent writes it out.
  for (const o of [wide, mid, data]) assert.equal(listed.get(o), 1, `listed ${listed.get(o)} times: ${JSON.stringify(o).slice(0, 60)}`);
});

test('a digest reads the content only: key order aside, equal data have equal digests', () => {
  const wide = (order: number[]): PlainObject => {
    const o: PlainObject = {};
    for (const i of order) o[`user${i}`] = { roles: ['reader', `r${i % 7}`], n: i };
    return o;
  };
  const up = Array.from({ length: 300 }, (_, i) => i);
  const a = new DataDigests().token({ users: wide(up), z: 1 });
  const b = new DataDigests().token({ z: 1, users: wide([...up].reverse()) });
  assert.equal(a, b);
  assert.notEqual(new DataDigests().token({ users: wide(up.slice(1)), z: 1 }), a);
  // A key taken away and another added (the count unchanged) in a wide object is seen.
  const digests = new DataDigests();
  const base = { users: wide(up) };
  digests.token(base);
  // Told of the copies only (the keys are compared), and of the keys written too.
  for (const copies of [{ derived: (c: object, o: object): void => digests.derived(c, o) }, digests]) {
    let next = applyWrite(base, { path: ['users', 'user5'], value: undefined }, new Set(), copies);
    next = applyWrite(next, { path: ['users', 'user900'], value: { roles: [], n: 900 } }, new Set(), copies);
    assert.equal(digests.token(next), new DataDigests().token(next));
    assert.notEqual(digests.token(next), digests.token(base));
  }
});

/** Whether a chunk of an object's digest ends after `key` (FNV-1a of its UTF-16 code units a multiple of 64, as `DataDigests` decides). */
function endsChunk(key: string): boolean {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return (h >>> 0) % 64 === 0;
}

test('a write copies a wide object by the keys its digest already holds, without listing them again', () => {
  const users: PlainObject = {};
  for (let i = 0; i < 1000; i++) users[`user${i}`] = { roles: ['reader'], n: i };
  const digests = new DataDigests();
  const base = { users };
  digests.token(base);
  const listed: object[] = [];
  const keysOf = Object.keys;
  Object.keys = ((o: object) => { listed.push(o); return keysOf(o); }) as typeof Object.keys;
  let next: PlainObject;
  try {
    next = applyWrite(base, { path: ['users', 'user5', 'roles'], value: ['admin'] }, new Set(), digests);
  } finally {
    Object.keys = keysOf;
  }
  assert.ok(!listed.includes(users), 'the users object was listed');
  assert.deepEqual(keysOf(next.users!).sort(), keysOf(users).sort());
  assert.deepEqual((next.users as PlainObject).user5, { roles: ['admin'], n: 5 });
  assert.equal(digests.token(next), new DataDigests().token(next));
});

/** A `data.json` text wider than a parse piece: `n` users in one object. */
function usersJson(n: number, extra: Record<string, unknown> = {}): string {
  const users: Record<string, unknown> = {};
  for (let i = 0; i < n; i++) users[`user${i}`] = { roles: ['reader', `r${i % 7}`], n: i };
  return JSON.stringify({ users, ...extra });
}

test('keys the data parser listed are not listed again by the digest, and the revision is a fresh load\'s', () => {
  const files = new Map([['data.json', usersJson(5000)], ['p.pol', 'package p\nimport rego.v1\nallow if input.user in object.keys(data.users)\n']]);
  const sources = finish(sourcesFromFilesSteps(files));
  const users = sources.data.users as PlainObject;
  assert.ok(sources.knownKeys?.has(users), 'the parser listed the users');
  const listed: object[] = [];
  const keysOf = Object.keys;
  const store = new PolicyStore();
  Object.keys = ((o: object) => { listed.push(o); return keysOf(o); }) as typeof Object.keys;
  let revision: string;
  try {
    revision = store.loadBase(sources, 'test').revision;
  } finally {
    Object.keys = keysOf;
  }
  assert.ok(!listed.includes(users), 'the users object was listed');
  assert.equal(sources.knownKeys, undefined, 'the store keeps no listed keys with its sources');
  const fresh = new PolicyStore().loadBase({ modules: sources.modules, data: JSON.parse(files.get('data.json')!) as PlainObject }, 'test');
  assert.equal(revision, fresh.revision);
});

test('keys the parser listed are dropped for an object another data file adds keys to', () => {
  const files = new Map([
    ['data.json', usersJson(5000)],
    ['users/data.json', JSON.stringify({ extra: { roles: ['admin'] } })],
    ['groups/data.json', usersJson(4000)],
  ]);
  const sources = finish(sourcesFromFilesSteps(files));
  const users = sources.data.users as PlainObject;
  assert.ok(Object.prototype.hasOwnProperty.call(users, 'extra'));
  for (const [o, keys] of sources.knownKeys ?? []) assert.deepEqual([...keys].sort(), keysOf(o).sort());
  assert.equal(sources.knownKeys?.has(users), false);
  // The users under `groups` came whole from their file: still listed.
  assert.equal(sources.knownKeys?.has((sources.data.groups as PlainObject).users as object), true);
  const store = new PolicyStore();
  const fresh = new PolicyStore();
  assert.equal(store.loadBase(sources, 'test').revision, fresh.loadBase({ modules: {}, data: JSON.parse(JSON.stringify(sources.data)) as PlainObject }, 'test').revision);
});

function keysOf(o: object): string[] {
  return Object.keys(o);
}

test('a chunk that a written key is in or next to is hashed again, though it starts at the same key and is as long', () => {
  // Keys in order: 200 that end no chunk, then two that each end one, then 100 more. Removing the
  // first of the two leaves a chunk that starts where the first chunk started and is as long (the
  // second key has moved into it), but holds another key and value.
  const plain = Array.from({ length: 2000 }, (_, i) => `a${String(i).padStart(4, '0')}`).filter(k => !endsChunk(k)).slice(0, 200);
  const ends = Array.from({ length: 20000 }, (_, i) => `b${String(i).padStart(5, '0')}`).filter(endsChunk).slice(0, 2);
  const after = Array.from({ length: 2000 }, (_, i) => `c${String(i).padStart(4, '0')}`).filter(k => !endsChunk(k)).slice(0, 100);
  assert.equal(ends.length, 2);
  const users: PlainObject = {};
  for (const k of [...plain, ...ends, ...after]) users[k] = { name: k };
  for (const [write, what] of [[{ path: ['users', ends[0]!], value: undefined }, 'removed'], [{ path: ['users', ends[0]!], value: { name: 'other' } }, 'replaced']] as const) {
    const digests = new DataDigests();
    const base = { users };
    digests.token(base);
    const next = applyWrite(base, write, new Set(), digests);
    assert.equal(digests.token(next), new DataDigests().token(next), what);
  }
});

test('adding or removing a key of a wide object hashes its own chunk again, not the chunks after it', () => {
  const users: PlainObject = {};
  for (let i = 0; i < 5_000; i++) users[`user${i}`] = { roles: ['reader'], n: i };
  const base = { users };
  const digests = new DataDigests();
  digests.token(base);
  const chunksOf = (o: object): string[] => (digests as unknown as { hashed: WeakMap<object, { chunks: string[] }> }).hashed.get(o)!.chunks;
  const before = chunksOf(users);
  assert.ok(before.length > 40, `${before.length} chunks`);
  for (const w of [{ path: ['users', 'user2500x'], value: { n: -1 } }, { path: ['users', 'user17'], value: undefined }, { path: ['users', 'user42'], value: { n: 0 } }]) {
    const next = applyWrite(base, w, new Set(), digests);
    assert.equal(digests.token(next), new DataDigests().token(next), JSON.stringify(w.path));
    const after = chunksOf(next['users'] as object);
    const kept = after.filter(c => before.includes(c)).length;
    // One chunk changes (two when the key was a chunk's last, so chunks merge or split).
    assert.ok(kept >= after.length - 2, `${JSON.stringify(w.path)}: ${after.length - kept} of ${after.length} chunks hashed again`);
  }
});

test('the store\'s revisions over Data API writes to wide data are those a fresh load of the same data gets', () => {
  const users: PlainObject = {};
  for (let i = 0; i < 2_000; i++) users[`user${i}`] = { roles: ['reader'], dept: `d${i % 30}` };
  const store = new PolicyStore();
  const modules = { 'a.pol': 'package a\n\nimport rego.v1\n\ndefault allow := false\n\nallow if "admin" in data.users[input.user].roles\n' };
  store.loadBase({ modules, data: { users } }, 'directory');
  const writes: DataWrite[][] = [
    [{ path: ['users', 'user7', 'roles'], value: ['admin'] }],
    [{ path: ['users', 'user1999'], value: undefined }, { path: ['users', 'user5000'], value: { roles: ['admin'] } }],
    [{ path: ['groups'], value: { a: [1, 2, 3] } }],
    [{ path: ['users', 'user7', 'roles'], value: ['reader'] }],
  ];
  const seen = new Set([store.generation!.revision]);
  for (const batch of writes) {
    const gen = store.writeData(batch);
    assert.equal(gen.revision, new PolicyStore().loadBase({ modules, data: JSON.parse(JSON.stringify(gen.data)) as PlainObject }, 'directory').revision);
    assert.ok(!seen.has(gen.revision), 'each write gives a new revision');
    seen.add(gen.revision);
  }
  assert.equal(store.generation!.prepared.evaluate('a/allow', { user: 'user5000' }), true);
  assert.equal(store.generation!.prepared.evaluate('a/allow', { user: 'user7' }), false);
});

test('a copy forgets what it was copied from once its digest is made, so writes do not keep every earlier version of the data', () => {
  const digests = new DataDigests();
  const links = (digests as unknown as { origins: WeakMap<object, object> }).origins;
  let data: PlainObject = { list: [1, 2, 3], users: Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`u${i}`, { n: i }])) };
  digests.token(data);
  for (let i = 0; i < 5; i++) {
    const next = applyWrite(data, { path: ['list'], value: [i] }, new Set(), digests);
    const next2 = applyWrite(next, { path: ['users', `u${i}`], value: { n: -i } }, new Set(), digests);
    digests.token(next2);
    for (const c of [next2, next2['users'] as object]) assert.equal(links.has(c), false);
    data = next2;
  }
});

test('new data for the compiled policy (a data file, a bundle) is hashed in slices: the event loop turns meanwhile, and the revision is a fresh load\'s', async () => {
  const users = (v: number): PlainObject => Object.fromEntries(Array.from({ length: 30_000 }, (_, i) => [`user${i}`, { roles: ['reader', `r${(i + v) % 40}`], dept: `d${i % 300}` }]));
  const modules = { 'a.pol': 'package a\n\nimport rego.v1\n\nallow if "r1" in data.users[input.user].roles\n' };
  const store = new PolicyStore();
  store.loadBase({ modules, data: { users: users(0) } }, 'directory');
  const turns = countTurns();
  const data = { users: users(1) };
  let gen, ticks: number;
  try {
    gen = await store.loadBaseInBackground({ modules, data }, 'directory');
  } finally { ticks = turns.stop(); }
  // Hashed in one go, nothing else would have run before the load was done.
  assert.ok(ticks > 5, `only ${ticks} turns of the event loop while the data was hashed`);
  assert.equal(gen.revision, new PolicyStore().loadBase({ modules, data }, 'directory').revision);
  assert.equal(gen.prepared.evaluate('a/allow', { user: 'user0' }), true);
});
