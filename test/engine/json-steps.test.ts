/** `parseJsonSteps`: the value `parseJson` gives, made a piece at a time. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seededRandom } from '../seeded-random.js';
import { finish } from '../../dsl/steps.js';
import { parseJson, JsonParseError } from '../../engine/json.js';
import { parseJsonSteps } from '../../engine/json-steps.js';

/** Runs the steps to the end, counting them. */
function stepped(text: string, pieceChars: number, maxDepth?: number): { value: unknown; steps: number } {
  const it = parseJsonSteps(text, maxDepth === undefined ? undefined : { maxDepth }, pieceChars);
  let steps = 0;
  for (;;) {
    const r = it.next();
    if (r.done) return { value: r.value, steps };
    steps++;
  }
}

/** Equal including key order (deepStrictEqual ignores it) and prototypes. */
function sameValue(a: unknown, b: unknown): void {
  assert.deepStrictEqual(a, b);
  assert.equal(JSON.stringify(a, (_k, v: unknown) => typeof v === 'bigint' ? `${v}n` : v), JSON.stringify(b, (_k, v: unknown) => typeof v === 'bigint' ? `${v}n` : v));
}

/** A pseudo-random JSON document: nested objects and arrays, escapes, numbers of every form, repeated and special keys. */
function randomDoc(seed: number, size: number): string {
  const rnd = seededRandom(seed);
  const keys = ['a', 'b', '__proto__', 'constructor', '1', '10', 'k\\"q', 'é\\u00e9', 'x y', 'toString'];
  const scalars = ['0', '-1', '1.5e3', '12345678901234567890', '-0.0001', '-2.5e300', '1E-5', 'true', 'false', 'null', '"s"', '"\\\\"', '"a\\"b"', '"\\u2028"', '"line\\nbreak"', '""', '"ü"'];
  const ws = () => [' ', '', '\n', '\t', ''][rnd(5)]!;
  const value = (budget: number, depth: number): string => {
    if (budget <= 1 || depth > 6 || rnd(4) === 0) return scalars[rnd(scalars.length)]!;
    const n = 1 + rnd(Math.min(12, budget));
    const each = Math.max(1, Math.floor(budget / n));
    const parts: string[] = [];
    if (rnd(2) === 0) {
      for (let i = 0; i < n; i++) parts.push(`${ws()}"${keys[rnd(keys.length)]!}${rnd(3) === 0 ? i : ''}"${ws()}:${ws()}${value(each, depth + 1)}${ws()}`);
      return `{${parts.join(',')}}`;
    }
    for (let i = 0; i < n; i++) parts.push(`${ws()}${value(each, depth + 1)}${ws()}`);
    return `[${parts.join(',')}]`;
  };
  return `${ws()}${value(size, 0)}${ws()}`;
}

test('parseJsonSteps gives what parseJson gives, over random documents cut into small pieces', () => {
  let cut = 0;
  for (let seed = 1; seed <= 300; seed++) {
    const text = randomDoc(seed, 40 + (seed % 7) * 60);
    let want: unknown;
    try { want = parseJson(text); } catch (e) { assert.fail(`seed ${seed}: the generator made invalid JSON: ${(e as Error).message}`); }
    for (const piece of [8, 32, 200]) {
      const got = stepped(text, piece);
      sameValue(got.value, want);
      if (got.steps > 0) cut++;
    }
  }
  // The pieces were small enough that most documents were cut.
  assert.ok(cut > 600, `only ${cut} of 900 parses were cut into pieces`);
});

test('parseJsonSteps lists the own keys of each object it puts together from pieces, each once', () => {
  let listedObjects = 0;
  for (let seed = 1; seed <= 300; seed++) {
    const text = randomDoc(seed, 40 + (seed % 7) * 60);
    for (const piece of [8, 32]) {
      const listed = new Map<object, string[]>();
      const value = finish(parseJsonSteps(text, undefined, piece, listed));
      sameValue(value, parseJson(text));
      for (const [o, keys] of listed) {
        assert.equal(new Set(keys).size, keys.length, `seed ${seed}: a key listed twice`);
        assert.deepEqual([...keys].sort(), Object.keys(o).sort(), `seed ${seed}, piece ${piece}`);
        listedObjects++;
      }
    }
  }
  assert.ok(listedObjects > 100, `only ${listedObjects} objects listed`);
  // A malformed text lists nothing (it is parsed whole, to report where).
  const listed = new Map<object, string[]>();
  assert.throws(() => finish(parseJsonSteps(`{"a": [${'1,'.repeat(50)}], "b": {"c": 1}, "d": }`, undefined, 8, listed)));
  assert.equal(listed.size, 0);
});

test('parseJsonSteps keeps __proto__ an own key, the last of repeated keys, and exact big integers', () => {
  const members = Array.from({ length: 50 }, (_, i) => `"k${i}":${i}`).join(',');
  const text = `{"__proto__":{"polluted":true},${members},"a":1,"big":123456789012345678901,"a":2,"nested":{"__proto__":[1],${members}}}`;
  const { value, steps } = stepped(text, 40);
  assert.ok(steps > 2);
  sameValue(value, parseJson(text));
  const o = value as Record<string, unknown>;
  assert.equal(Object.getPrototypeOf(o), Object.prototype);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.deepEqual(Object.getOwnPropertyDescriptor(o, '__proto__')?.value, { polluted: true });
  assert.equal(o.a, 2);
  assert.equal(Object.keys(o).indexOf('a'), 51, 'a repeated key stays where it first stood');
  assert.equal(o.big, 123456789012345678901n);
});

test('parseJsonSteps: the depth limit holds across pieces, with parseJson\'s error', () => {
  const deep = (n: number): string => `{"pad":"${'x'.repeat(100)}","v":${'['.repeat(n)}1${']'.repeat(n)}}`;
  sameValue(stepped(deep(8), 16, 10).value, parseJson(deep(8), { maxDepth: 10 }));
  assert.throws(() => stepped(deep(10), 16, 10), (e: unknown) => e instanceof JsonParseError && /nested deeper than 10/.test(e.message));
  // Nesting deep enough to overflow a recursive walk is refused the same way.
  assert.throws(() => stepped(deep(100_000), 16), (e: unknown) => e instanceof JsonParseError && /nested deeper than 512/.test(e.message));
});

test('parseJsonSteps reports malformed text as parseJson does', () => {
  const body = Array.from({ length: 40 }, (_, i) => `"k${i}":[${i},"v${i}"]`).join(',');
  const bad = [
    `{${body},"x":}`, `{${body},"x" 1}`, `{${body}`, `[${body}]`, `{${body}} x`, `{${body},"x":[1,2}`, `{${body},"x":"\\q"}`,
    `{${body},"x":tru}`, `{${body},"x":01}`, `{${body},}`, `{${body},"x":"unterminated}`,
  ];
  for (const text of bad) {
    let want: Error | undefined;
    try { parseJson(text); } catch (e) { want = e as Error; }
    assert.ok(want, `parseJson accepted ${text.slice(-20)}`);
    assert.throws(() => stepped(text, 32), (e: unknown) => e instanceof JsonParseError && e.message === want!.message && e.offset === (want as JsonParseError).offset);
  }
});

test('parseJsonSteps: a 2 MB data document takes a step per piece; a small text none', () => {
  const users: Record<string, unknown> = {};
  for (let i = 0; i < 20_000; i++) users[`user${i}`] = { name: `User ${i}`, roles: [`r${i % 20}`], level: i % 7 };
  const text = JSON.stringify({ users, list: Object.values(users), flag: true });
  const { value, steps } = stepped(text, 64 * 1024);
  sameValue(value, parseJson(text));
  assert.ok(steps >= Math.floor(text.length / (64 * 1024)), `${steps} steps for ${text.length} characters`);
  assert.equal(stepped('{"small":1}', 64 * 1024).steps, 0);
  assert.deepEqual(finish(parseJsonSteps('{"small":1}')), { small: 1 });
});
