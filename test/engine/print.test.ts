/** `print` renders its arguments as OPA does (strings bare, other values in Rego syntax). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compile } from '../../engine/index.js';

const printed = (body: string, input?: unknown): string[] => {
  const prints: string[] = [];
  compile({ modules: { 'p.pol': `package p\n\nx if {\n\t${body}\n}\n` } }).evaluate('p/x', input as never, { prints });
  return prints.map(l => l.replace(/^p\.pol:\d+: /, ''));
};

test('values other than strings print in Rego syntax', () => {
  assert.deepEqual(printed('print("s", 1, 1.5, true, null, [1, "a"], {2, 1}, set(), {"k": [true]}, {1: "one"})'),
    ['s 1 1.5 true null [1, "a"] {1, 2} set() {"k": [true]} {1: "one"}']);
});

test('an undefined argument prints <undefined>; an iterated one prints a line per value, in order', () => {
  assert.deepEqual(printed('print("missing", input.nothing)', {}), ['missing <undefined>']);
  assert.deepEqual(printed('print("v", input.xs[_], input.ys[_])', { xs: ['b', 'a'], ys: [2, 1] }),
    ['v a 1', 'v a 2', 'v b 1', 'v b 2']);
  assert.deepEqual(printed('print("none", input.xs[_])', { xs: [] }), ['none <undefined>']);
});

test('a print whose operands multiply stops at 1,000 lines and says how many it left out', () => {
  const xs = Array.from({ length: 2000 }, (_, i) => i);
  const lines = printed('print(input.xs[_], input.xs[_])', { xs });
  assert.equal(lines.length, 1001);
  assert.equal(lines[0], '0 0');
  assert.equal(lines[999], '0 999');
  assert.equal(lines[1000], '... 3999000 more lines not printed (at most 1000 per print call)');
});
