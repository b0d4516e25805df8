/**
 * The evaluator's fast paths must not change answers: rules sharing a template, set members
 * streamed into a search, iteration in storage order where order cannot be observed, and the
 * rule index going down to single rules.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compile, PolError } from '../../engine/index.js';

const run = (src: string, path: string, input?: unknown, opts: { strictBuiltinErrors?: boolean; prints?: string[] } = {}, data?: unknown) =>
  compile({ modules: { 't.pol': src }, data: data as never }).entrypoint(path).evaluate(input as never, opts);

/** `n` rules of one shape: `allow if { input.r == "r<i>"; input.a == "<a>"; "<role>" in data.roles[input.u] }`. */
function manyRules(n: number, value = 'true'): string {
  const rules: string[] = [];
  for (let i = 0; i < n; i++) {
    rules.push(`allow := ${value} if {\n\tinput.r == "r${i >> 2}"\n\tinput.a == "${['read', 'write', 'list', 'delete'][i & 3]}"\n\t"role${i % 5}" in data.roles[input.u]\n}`);
  }
  return `package t\n\ndefault allow := false\n\n${rules.join('\n\n')}\n`;
}

test('templated rules answer as the rules they stand for', () => {
  const src = manyRules(400);
  const data = { roles: { ann: ['role0', 'role3'], bob: ['role1'] } };
  const p = compile({ modules: { 't.pol': src }, data }).entrypoint('t/allow');
  // Rule i allows role (i % 5) to do action (i & 3) on resource r(i >> 2).
  for (let i = 0; i < 400; i += 7) {
    const r = `r${i >> 2}`, a = ['read', 'write', 'list', 'delete'][i & 3]!;
    const role = `role${i % 5}`;
    assert.equal(p.evaluate({ r, a, u: 'ann' }), role === 'role0' || role === 'role3', `rule ${i} for ann`);
    assert.equal(p.evaluate({ r, a, u: 'bob' }), role === 'role1', `rule ${i} for bob`);
    assert.equal(p.evaluate({ r, a, u: 'nobody' }), false);
  }
  assert.equal(p.evaluate({ r: 'r1', a: 'read', u: 1 }), false);
  assert.equal(p.evaluate({ r: 1, a: 'read', u: 'ann' }), false);
});

test('templated rules with different values still conflict', () => {
  const src = `package t\n${manyRules(12).split('\n').slice(2).join('\n')}\nallow := "other" if { input.r == "r0"; input.a == "read"; "role0" in data.roles[input.u] }\n`;
  const data = { roles: { ann: ['role0'] } };
  assert.throws(() => run(src, 't/allow', { r: 'r0', a: 'read', u: 'ann' }, {}, data), (e: unknown) => e instanceof PolError && e.code === 'eval_conflict_error');
  assert.equal(run(src, 't/allow', { r: 'r1', a: 'read', u: 'ann' }, {}, data), false);
});

test('numbers and booleans as template parameters compare as numbers and booleans', () => {
  const rules = Array.from({ length: 20 }, (_, i) => `p := ${i} if { input.n == ${i}.0; input.flag == ${i % 2 === 0} }`).join('\n');
  const src = `package t\n${rules}\n`;
  assert.equal(run(src, 't/p', { n: 4, flag: true }), 4);
  assert.equal(run(src, 't/p', { n: 4, flag: false }), undefined);
  assert.equal(run(src, 't/p', { n: 5, flag: false }), 5);
  assert.equal(run(src, 't/p', { n: '5', flag: false }), undefined);
});

test('a set rule searched by `some ... in` gives the answer of the materialised set', () => {
  const src = `package t
allow if {
	some g in granted
	g.action == input.action
}
granted contains g if {
	some role in data.users[input.user]
	some g in data.grants[role]
}
count_granted := count(granted)
both := [allow, count_granted]
`;
  const data = { users: { ann: ['a', 'b'] }, grants: { a: [{ action: 'read' }, { action: 'write' }], b: [{ action: 'read' }] } };
  assert.equal(run(src, 't/allow', { user: 'ann', action: 'write' }, {}, data), true);
  assert.equal(run(src, 't/allow', { user: 'ann', action: 'delete' }, {}, data), undefined);
  assert.deepEqual(run(src, 't/both', { user: 'ann', action: 'read' }, {}, data), [true, 2]);
  const withData = `${src}\nmocked if allow with data.grants as {"a": [{"action": "delete"}]}\n`;
  assert.equal(run(withData, 't/mocked', { user: 'ann', action: 'delete' }, {}, data), true);
});

test('array comprehensions and print keep canonical order over sets', () => {
  const src = `package t
s := {"c", "a", "b"}
arr := [x | some x in s]
p if {
	some x in s
	print(x)
	x == "c"
}
`;
  assert.deepEqual(run(src, 't/arr'), ['a', 'b', 'c']);
  const prints: string[] = [];
  assert.equal(run(src, 't/p', undefined, { prints }), true);
  assert.deepEqual(prints.map(l => l.split(': ').pop()), ['a', 'b', 'c']);
});

test('with strict builtin errors, iteration keeps OPA order so the same element fails first', () => {
  const src = `package t
s := {"x", 1}
p if {
	some v in s
	v + 1 == 2
}
`;
  // Written "x" first, but sorted order visits 1 first (numbers sort before strings): the rule
  // holds before "x" + 1 can fail. Storage order would fail on "x" first.
  assert.equal(run(src, 't/p', undefined, { strictBuiltinErrors: true }), true);
  assert.equal(run(src, 't/p'), true);
});

test('the rule index narrows to single rules and keeps rules that do not care', () => {
  const rules = Array.from({ length: 64 }, (_, i) => `p contains ${i} if { input.a == "a${i >> 3}"; input.b == "b${i & 7}" }`);
  rules.push('p contains "any" if input.c == 1', 'p contains "always" if true');
  const src = `package t\n${rules.join('\n')}\n`;
  // Entry points answer JSON: sets come back as sorted arrays.
  assert.deepEqual(run(src, 't/p', { a: 'a2', b: 'b5' }), [21, 'always']);
  assert.deepEqual(run(src, 't/p', { a: 'a2', b: 'b5', c: 1 }), [21, 'always', 'any']);
  assert.deepEqual(run(src, 't/p', { a: 'a9', b: 'b5' }), ['always']);
});

test('with strict builtin errors, a searched set rule is built and visited in canonical order', () => {
  const src = `package t
s contains x if { some x in ["b", 1] }
p if {
	some v in s
	v + 1 == 2
}
`;
  // Sorted, 1 comes before "b": the search succeeds before "b" + 1 could fail.
  assert.equal(run(src, 't/p', undefined, { strictBuiltinErrors: true }), true);
  assert.equal(run(src, 't/p'), true);
});

test('tests the index proved are left out of templated rules without changing answers', () => {
  // Same shape, several values per path, plus a rule filed under two values (`in`), and rules
  // whose equality on a path is never indexed (numbers compared as numbers).
  const rules = Array.from({ length: 24 }, (_, i) => `p if { input.a == "a${i % 6}"; input.b == ${i % 4}; input.c == "c${i}" }`);
  rules.push('p if { input.a in {"a1", "a2"}; input.b == 9 }');
  const src = `package t\n${rules.join('\n')}\n`;
  for (let i = 0; i < 24; i++) {
    assert.equal(run(src, 't/p', { a: `a${i % 6}`, b: i % 4, c: `c${i}` }), true, `rule ${i}`);
    assert.equal(run(src, 't/p', { a: `a${i % 6}`, b: (i % 4) + 0.0, c: `c${i}` }), true);
    assert.equal(run(src, 't/p', { a: `a${i % 6}`, b: i % 4, c: `c${i + 1}` }), undefined, 'c of the next rule, a and b of this one');
    assert.equal(run(src, 't/p', { a: `a${(i + 1) % 6}`, b: i % 4, c: `c${i}` }), undefined);
  }
  assert.equal(run(src, 't/p', { a: 'a2', b: 9 }), true);
  assert.equal(run(src, 't/p', { a: 'a3', b: 9 }), undefined);
  assert.equal(run(src, 't/p', { b: 0, c: 'c0' }), undefined);
});

test('paths only the index tests still count as read (decision cache keys depend on them)', () => {
  const rules = Array.from({ length: 24 }, (_, i) => `p if { input.a == "a${i % 6}"; input.b == ${i % 4}; "r" in data.roles[input.u] }`);
  const entry = compile({ modules: { 't.pol': `package t\n${rules.join('\n')}\n` }, data: { roles: {} } }).entrypoint('t/p');
  assert.deepEqual(entry.inputPaths, [['a'], ['b'], ['u']]);
});

test('rules made of variable-free bodies with one constant answer as the general path does', () => {
  const src = `package t

default allow := false

allow if {
	input.user.clearance >= input.resource.level
	input.resource.owner == input.user.id
}

allow if {
	input.user.clearance >= input.resource.level
	input.resource.dept == input.user.dept
}

same := "yes" if input.a == 1
same := "yes" if input.b == 1

mixed := "one" if input.a == 1
mixed := "two" if input.b == 1

nodefault if input.a == 1
`;
  const user = { id: 'u1', dept: 'hr', clearance: 2 };
  assert.equal(run(src, 't/allow', { user, resource: { owner: 'u1', dept: 'it', level: 1 } }), true);
  assert.equal(run(src, 't/allow', { user, resource: { owner: 'u2', dept: 'hr', level: 2 } }), true);
  assert.equal(run(src, 't/allow', { user, resource: { owner: 'u2', dept: 'it', level: 1 } }), false);
  assert.equal(run(src, 't/allow', { user, resource: { owner: 'u1', dept: 'hr', level: 3 } }), false);
  assert.equal(run(src, 't/allow', {}), false, 'undefined refs fall to the default');
  assert.equal(run(src, 't/same', { a: 1, b: 1 }), 'yes');
  assert.equal(run(src, 't/same', { b: 1 }), 'yes');
  assert.equal(run(src, 't/same', {}), undefined);
  // Different constants keep the conflict check.
  assert.throws(() => run(src, 't/mixed', { a: 1, b: 1 }), (e: unknown) => e instanceof PolError && e.code === 'eval_conflict_error');
  assert.equal(run(src, 't/nodefault', { a: 2 }), undefined);
  // Base data at the path of an undefined rule shows through.
  assert.equal(run(src, 't/nodefault', { a: 2 }, {}, { t: { nodefault: 'base' } }), 'base');
});

test('bodies sharing a first test answer as bodies evaluated one by one (differential)', () => {
  // The same rules twice: as written (the shared first tests are run once per group), and with a
  // variable in every body, which keeps them on the general path.
  const bodies = [
    ['input.a >= input.b', 'input.c == "x"'],
    ['input.a >= input.b', 'input.d == input.c'],
    ['input.a >= input.b', 'not input.e == 1'],
    ['input.c == "x"', 'input.a < 2'],
    ['input.c == "x"', 'input.e == "1"'],
    ['input.e == 1', 'input.d == "y"'],
    ['input.e == "1"', 'input.d == "z"'],
    ['input.a >= input.b', 'input.e in {1, 2}'],
  ];
  const rules = (extra: string) => bodies.map(b => `allow if {\n${[...b, ...(extra ? [extra] : [])].map(e => `\t${e}`).join('\n')}\n}`).join('\n\n');
  const fast = compile({ modules: { 't.pol': `package t\n\ndefault allow := false\n\n${rules('')}\n` } }).entrypoint('t/allow');
  const general = compile({ modules: { 't.pol': `package t\n\ndefault allow := false\n\n${rules('v := 1')}\n` } }).entrypoint('t/allow');
  const pick = <T>(xs: T[], i: number) => xs[i % xs.length]!;
  let allowed = 0;
  for (let i = 0; i < 2000; i++) {
    const input: Record<string, unknown> = {};
    const r = (n: number) => Math.floor(Math.abs(Math.sin(i * 7919 + n * 104729)) * 1000);
    if (r(1) % 5) input.a = pick([0, 1, 2, 3, '1'], r(2));
    if (r(3) % 5) input.b = pick([0, 1, 2, 3], r(4));
    if (r(5) % 4) input.c = pick(['x', 'y', 'z'], r(6));
    if (r(7) % 4) input.d = pick(['x', 'y', 'z'], r(8));
    if (r(9) % 3) input.e = pick([1, '1', 2, 3], r(10));
    const want = general.evaluate(input as never);
    assert.equal(fast.evaluate(input as never), want, JSON.stringify(input));
    if (want === true) allowed++;
  }
  assert.ok(allowed > 200 && allowed < 1800, `both answers occur (${allowed} allowed)`);
});

test('comparisons of input paths read inline answer as the general comparison (differential)', () => {
  // Each test is written as a rule twice: read inline (as written) and through the general
  // builtin call (any `with` that replaces a function turns every inline test off).
  const tests = [
    'input.a.b == input.c.d', 'input.a == input.c.d', 'input.a.b == input.c', 'input.a.b == "x"', 'input.a == "x"',
    'input.a.b >= input.c.d', 'input.a.b < input.c', 'input.a > input.c.d', 'input.a.b <= input.c.d',
    'x := input.c.d; input.a.b == x', 'o := {"k": input.c.d}; o.k == input.a.b', 'o := {"k": input.c.d}; input.a.b == o.k',
    // Not the last expression of the body: the test goes on to the next one.
    'input.a.b == input.c.d; input.a.b != 2', 'input.a.b > input.c.d; input.c.d != 0',
  ];
  const src = `package t\n\n${tests.map((t, i) => `r${i} if {\n\t${t.replace('; ', '\n\t')}\n}\n\ng${i} if {\n\tr${i} with time.now_ns as 1\n}`).join('\n\n')}\n`;
  const p = compile({ modules: { 't.pol': src } });
  const values: unknown[] = [undefined, null, true, false, 0, 1, 1.0, 2, '1', 'x', 'y', '', [1], [1, 2], { k: 1 }, { k: 2 }];
  // Each side gets its own copy: equal composites are never the same object.
  const holder = (v: unknown): unknown => (v === undefined ? {} : { b: structuredClone(v), d: structuredClone(v) });
  const containers = (v: unknown): unknown[] => [structuredClone(v), holder(v), 'text', [v]];
  let both = 0;
  tests.forEach((t, i) => {
    const fast = p.entrypoint(`t/r${i}`), general = p.entrypoint(`t/g${i}`);
    for (const u of values) for (const w of values) for (const [ai, a] of containers(u).entries()) for (const [ci, cv] of containers(w).entries()) {
      if ((ai > 1 || ci > 1) && (u !== 1 || w !== 1)) continue; // non-object containers: one pair is enough
      const input: Record<string, unknown> = {};
      if (a !== undefined) input.a = a;
      if (cv !== undefined) input.c = cv;
      const want = general.evaluate(input as never);
      assert.equal(fast.evaluate(input as never), want, `${t} on ${JSON.stringify(input)}`);
      if (want === true) both++;
    }
  });
  assert.ok(both > 100, `tests hold for some inputs (${both})`);
});
