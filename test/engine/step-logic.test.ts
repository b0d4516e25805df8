/**
 * A rule's variable-free bodies are combined by `anyOf`/`bothOf` (engine/compile/step-logic.ts)
 * instead of a loop: every operand count must try the tests in order, stop at the first that
 * holds, and pass exceptions through, exactly as the loop did.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { anyOf, bothOf } from '../../engine/compile/step-logic.js';
import type { Step, Slots } from '../../engine/compile/compiler.js';
import { Ctx } from '../../engine/eval/context.js';
import { compile } from '../../engine/index.js';

const ctx = new Ctx(undefined, {}, {} as never, false, undefined, undefined, undefined);
const slots: Slots = [];

/** Tests that answer from `answers` and record which of them ran. */
function recorded(answers: (boolean | 'throw')[], ran: number[]): Step[] {
  return answers.map((a, i) => () => {
    ran.push(i);
    if (a === 'throw') throw new Error(`test ${i}`);
    return a;
  });
}

test('anyOf tries tests in order and stops at the first that holds, for every count', () => {
  for (let n = 0; n <= 7; n++) {
    for (let bits = 0; bits < 1 << n; bits++) {
      const answers = Array.from({ length: n }, (_, i) => (bits & (1 << i)) !== 0);
      const ran: number[] = [];
      const got = anyOf(recorded(answers, ran))(slots, ctx);
      const first = answers.indexOf(true);
      assert.equal(got, first >= 0, `n=${n} answers=${answers}`);
      const expected = Array.from({ length: first >= 0 ? first + 1 : n }, (_, i) => i);
      assert.deepEqual(ran, expected, `n=${n} answers=${answers}`);
    }
  }
});

test('anyOf passes an exception through and runs nothing after it', () => {
  for (let n = 1; n <= 6; n++) {
    for (let at = 0; at < n; at++) {
      const answers: (boolean | 'throw')[] = Array.from({ length: n }, (_, i) => (i === at ? 'throw' : false));
      const ran: number[] = [];
      assert.throws(() => anyOf(recorded(answers, ran))(slots, ctx), new RegExp(`test ${at}`));
      assert.deepEqual(ran, Array.from({ length: at + 1 }, (_, i) => i));
    }
  }
});

test('anyOf keeps its own copy of the tests', () => {
  const tests: Step[] = [() => false, () => false, () => false, () => false, () => false];
  const any = anyOf(tests);
  tests[4] = () => true;
  assert.equal(any(slots, ctx), false);
});

test('bothOf runs the second test only when the first holds', () => {
  for (const [a, b] of [[false, false], [false, true], [true, false], [true, true]] as const) {
    const ran: number[] = [];
    const [first, then] = recorded([a, b], ran);
    assert.equal(bothOf(first!, then!)(slots, ctx), a && b);
    assert.deepEqual(ran, a ? [0, 1] : [0]);
  }
});

test('rules of many variable-free bodies, with and without shared first tests, answer as written', () => {
  // Five bodies: two groups sharing a first test, one alone, and more than four groups in all
  // with the extra rules, so both the unrolled and the looping combinations are used.
  const policy = `package many
default allow := false
allow if { input.a > 1; input.b == "x" }
allow if { input.a > 1; input.c == "y" }
allow if { input.d == true }
allow if { input.e == 1; input.f == 2 }
allow if { input.e == 1; input.g == 3 }
allow if { input.h == "z" }
allow if { input.i == "w" }
`;
  const entry = compile({ modules: { 'many.pol': policy } }).entrypoint('many/allow');
  const reference = (i: Record<string, unknown>) =>
    ((i.a as number) > 1 && (i.b === 'x' || i.c === 'y')) || i.d === true ||
    (i.e === 1 && (i.f === 2 || i.g === 3)) || i.h === 'z' || i.i === 'w';
  const values: Record<string, unknown[]> = {
    a: [0, 2], b: ['x', 'q'], c: ['y', 'q'], d: [true, false], e: [1, 0], f: [2, 0], g: [3, 0], h: ['z', 'q'], i: ['w', 'q'],
  };
  const keys = Object.keys(values);
  let checked = 0;
  for (let bits = 0; bits < 1 << keys.length; bits++) {
    const input: Record<string, unknown> = {};
    keys.forEach((k, j) => { input[k] = values[k]![(bits >> j) & 1]; });
    assert.equal(entry.evaluate(input as never), reference(input), JSON.stringify(input));
    checked++;
  }
  assert.equal(checked, 512);
});
