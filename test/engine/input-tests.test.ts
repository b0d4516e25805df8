/**
 * Tests between two input attributes compiled to pooled functions of their own
 * (engine/compile/input-tests.ts). The pools are per process and first come, first served, so
 * these tests live in their own file: every test here that expects a pooled function gets one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compile } from '../../engine/index.js';

test('pooled tests answer as the general test, whether or not they end the body', () => {
  // `g` rules run the same body under a `with` that replaces a function: every inline and
  // pooled test then takes the general path.
  const bodies = [
    'input.a.b == input.c.d', 'input.a.b >= input.c.d', 'input.a.b > input.c.d', 'input.a.b <= input.c.d', 'input.a.b < input.c.d',
    'input.a.b == input.c.d\n\tinput.a.b != "x"', 'input.a.b > input.c.d\n\tinput.c.d != 0',
  ];
  const src = `package t\n\n${bodies.map((b, i) => `r${i} if {\n\t${b}\n}\n\ng${i} if {\n\tr${i} with time.now_ns as 1\n}`).join('\n\n')}\n`;
  const p = compile({ modules: { 't.pol': src } });
  const values: unknown[] = [undefined, null, true, false, 0, 1, 2, 2.5, -1, 2n ** 60n, '', '1', 'x', 'y', 'Y', [1], { k: 1 }];
  let held = 0;
  bodies.forEach((b, i) => {
    const fast = p.entrypoint(`t/r${i}`), general = p.entrypoint(`t/g${i}`);
    for (const u of values) for (const w of values) {
      const input = { a: u === undefined ? {} : { b: u }, c: w === undefined ? {} : { d: w } };
      const want = general.evaluate(input as never);
      assert.equal(fast.evaluate(input as never), want, `${b} on ${String(u)}, ${String(w)}`);
      if (want === true) held++;
    }
    // Containers that are not objects on the way.
    for (const input of [{ a: 'text', c: { d: 1 } }, { a: [1], c: { d: 1 } }, { a: null, c: null }, {}]) {
      assert.equal(fast.evaluate(input as never), general.evaluate(input as never), `${b} on ${JSON.stringify(input)}`);
    }
  });
  assert.ok(held > 50, `tests hold for some inputs (${held})`);
});

test('pooled tests never read a polluted prototype', () => {
  const p = compile({ modules: { 'q.pol': 'package q\nsame if input.user.team == input.doc.team\nabove if input.user.level >= input.doc.level\n' } });
  const same = p.entrypoint('q/same'), above = p.entrypoint('q/above');
  assert.equal(same.evaluate({ user: { team: 'x' }, doc: { team: 'x' } }), true);
  assert.equal(above.evaluate({ user: { level: 2 }, doc: { level: 1 } }), true);
  const proto = Object.prototype as Record<string, unknown>;
  try {
    proto.team = 'x';
    proto.level = 5;
    assert.equal(same.evaluate({ user: {}, doc: { team: 'x' } }), undefined);
    assert.equal(same.evaluate({ user: { team: 'x' }, doc: {} }), undefined);
    assert.equal(above.evaluate({ user: {}, doc: { level: 1 } }), undefined);
    assert.equal(same.evaluate({ user: { team: 'x' }, doc: { team: 'x' } }), true);
  } finally {
    delete proto.team;
    delete proto.level;
  }
  assert.equal(same.evaluate({ user: {}, doc: { team: 'x' } }), undefined);
});

test('past the pools, and across recompiles, tests answer as the general test', () => {
  // More distinct tests than input-tests.ts has sites (32 of each kind), compiled twice.
  const n = 40;
  const rules = Array.from({ length: n }, (_, i) => `eq${i} if input.u.f${i} == input.r.f${i}\nge${i} if input.u.f${i} >= input.r.g${i}`).join('\n');
  const mocked = Array.from({ length: n }, (_, i) => `meq${i} if { eq${i} with time.now_ns as 1 }\nmge${i} if { ge${i} with time.now_ns as 1 }`).join('\n');
  const src = `package q\n${rules}\n${mocked}\n`;
  const first = compile({ modules: { 'q.pol': src } }), second = compile({ modules: { 'q.pol': src } });
  const u: Record<string, unknown> = {}, r: Record<string, unknown> = {};
  const sample = ['a', 'b', 1, 2, 2.5, true, null, [1], { k: 1 }, undefined];
  for (let i = 0; i < n; i++) {
    u[`f${i}`] = sample[i % sample.length];
    r[`f${i}`] = sample[(i * 7) % sample.length];
    r[`g${i}`] = sample[(i * 3) % sample.length];
  }
  for (const p of [first, second, first]) {
    for (let i = 0; i < n; i++) {
      for (const [fast, general] of [[`eq${i}`, `meq${i}`], [`ge${i}`, `mge${i}`]] as const) {
        assert.equal(p.evaluate(`q/${fast}`, { u, r } as never), p.evaluate(`q/${general}`, { u, r } as never), `${fast} on ${JSON.stringify([u[`f${i}`], r[`f${i}`], r[`g${i}`]])}`);
      }
    }
  }
  assert.equal(second.evaluate('q/eq0', { u: { f0: 'same' }, r: { f0: 'same' } }), true);
  assert.equal(second.evaluate('q/eq39', { u: { f39: 'same' }, r: { f39: 'same' } }), true);
  assert.equal(second.evaluate('q/ge39', { u: { f39: 3 }, r: { g39: 2 } }), true);
  assert.equal(second.evaluate('q/ge39', { u: { f39: 1 }, r: { g39: 2 } }), undefined);
});
