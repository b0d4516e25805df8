/** The library API as a user calls it: compile, entry points, queries, errors, explanations. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compile, evalQuery, PolError } from '../../engine/index.js';
import { MAX_ENTRYPOINTS } from '../../engine/compile/program.js';

const rbac = `package rbac

default allow := false

allow if {
	some role in data.users[input.user].roles
	some grant in data.grants[role]
	grant.action == input.action
}
`;
const data = { users: { alice: { roles: ['admin'] }, bob: { roles: ['viewer'] } }, grants: { admin: [{ action: 'delete' }, { action: 'read' }], viewer: [{ action: 'read' }] } };

test('entry points accept Data API paths in both spellings', () => {
  const p = compile({ modules: { 'rbac.pol': rbac }, data });
  assert.equal(p.evaluate('rbac/allow', { user: 'alice', action: 'delete' }), true);
  assert.equal(p.evaluate('rbac.allow', { user: 'bob', action: 'delete' }), false);
  assert.equal(p.evaluate('data.rbac.allow', { user: 'bob', action: 'read' }), true);
  assert.equal(p.evaluate('rbac/missing', {}), undefined);
  assert.deepEqual(p.entrypoint('rbac/allow').inputPaths, [['action'], ['user']]);
  assert.match(p.revision, /^[0-9a-f]{16}$/);
  assert.notEqual(compile({ modules: { 'rbac.pol': rbac }, data: {} }).revision, p.revision, 'data changes the revision');
});

test('evalQuery returns opa eval shaped results', () => {
  const r = evalQuery({ modules: { 'rbac.pol': rbac }, data, query: 'data.rbac.allow = x', input: { user: 'alice', action: 'read' } });
  assert.deepEqual(r.result, [{ expressions: [{ value: true, text: 'data.rbac.allow = x', location: { row: 1, col: 1 } }], bindings: { x: true } }]);
  const s = evalQuery({ query: 'x := {3, 1, 2}; y := {[1]: "a"}' });
  assert.deepEqual(s.result[0]!.bindings, { x: [1, 2, 3], y: { '[1]': 'a' } });
  const t = evalQuery({ query: 'x := input.a', inputTerm: '{"a": {1, 2}}' });
  assert.deepEqual(t.result[0]!.bindings, { x: [1, 2] });
  assert.deepEqual(evalQuery({ query: 'x := 9007199254740993 + 2' }).result[0]!.bindings, { x: 9007199254740995n });
});

test('errors carry OPA codes and locations', () => {
  const code = (f: () => unknown) => { try { f(); } catch (e) { assert.ok(e instanceof PolError); return [e.code, e.message.split('\n')[0]]; } return undefined; };
  assert.deepEqual(code(() => compile({ modules: { 'a.pol': 'package a\nallow if { x > 1 }' } })), ['rego_unsafe_var_error', 'a.pol:2:12: rego_unsafe_var_error: var x is unsafe']);
  assert.equal(code(() => compile({ modules: { 'a.pol': 'package a\nallow { true }' } }))![0], 'rego_parse_error');
  assert.equal(code(() => compile({ modules: { 'a.pol': 'package a\np if q\nq if p' } }))![0], 'rego_recursion_error');
  const conflict = compile({ modules: { 'a.pol': 'package a\np := 1 if input.x\np := 2 if input.x' } });
  assert.deepEqual(code(() => conflict.evaluate('a/p', { x: true })), ['eval_conflict_error', 'a.pol:3: eval_conflict_error: rule data.a.p produced conflicting values']);
  const div = compile({ modules: { 'a.pol': 'package a\np := 1 / input.d' } });
  assert.equal(div.evaluate('a/p', { d: 0 }), undefined, 'a failing builtin is undefined by default');
  assert.equal(code(() => div.evaluate('a/p', { d: 0 }, { strictBuiltinErrors: true }))![0], 'eval_builtin_error');
});

test('explanations name the rule bodies and where they stopped', () => {
  const p = compile({ modules: { 'rbac.pol': rbac }, data });
  const denied = p.entrypoint('rbac/allow').explain({ user: 'bob', action: 'delete' });
  assert.equal(denied.result, false);
  const body = denied.rules.find(r => r.rule === 'data.rbac.allow' && !r.matched);
  assert.ok(body, 'the allow body is reported');
  assert.equal(body!.failedAt!.text, 'grant.action == input.action');
  const allowed = p.entrypoint('rbac/allow').explain({ user: 'alice', action: 'delete' });
  assert.ok(allowed.rules.some(r => r.matched && r.line === 5));
});

test('explanations cover partial set and object rules too', () => {
  const p = compile({ modules: { 'r.pol': `package r
deny contains "no user" if not input.user
deny contains msg if {
	input.user == "mallory"
	msg := "blocked user"
}
limits[k] := v if {
	some k, v in input.limits
	v > 0
}
` } });
  const e = p.entrypoint('r/deny').explain({});
  assert.deepEqual(e.result, ['no user']);
  assert.ok(e.rules.some(r => r.rule === 'data.r.deny' && r.line === 2 && r.matched), JSON.stringify(e.rules));
  assert.ok(e.rules.some(r => r.rule === 'data.r.deny' && r.line === 3 && !r.matched && r.failedAt!.text === 'input.user == "mallory"'), JSON.stringify(e.rules));
  const o = p.entrypoint('r/limits').explain({ limits: { a: 0 } });
  assert.ok(o.rules.some(r => r.rule === 'data.r.limits' && !r.matched && r.failedAt!.text === 'v > 0'), JSON.stringify(o.rules));
});

test('input is read with own properties only', () => {
  const p = compile({ modules: { 'a.pol': 'package a\nx := input.toString\ny := input["__proto__"].polluted\nz := object.keys(input)' } });
  const input = JSON.parse('{"__proto__": {"polluted": true}}');
  assert.equal(p.evaluate('a/x', {}), undefined);
  assert.equal(p.evaluate('a/y', input), true);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});

test('reads never see what a prototype holds: inherited names, array indexes as strings, set and object methods, pollution at run time', () => {
  const p = compile({ modules: { 'a.pol': `package a
one := input.user.admin
two := input.admin
ctor := input.user.constructor
len := input.list.length
idx := input.list["0"]
nested := input.user.list.length
set_has := s.has if s := {1, 2}
obj_get := o.get if o := {1: "a"}
plain := input.user.name
` } });
  const input = { admin: 'own', user: { name: 'ann' }, list: ['x'] };
  assert.equal(p.evaluate('a/ctor', input), undefined);
  assert.equal(p.evaluate('a/len', input), undefined);
  assert.equal(p.evaluate('a/idx', input), undefined);
  assert.equal(p.evaluate('a/nested', { user: { list: [1, 2] } }), undefined);
  assert.equal(p.evaluate('a/set_has', {}), undefined);
  assert.equal(p.evaluate('a/obj_get', {}), undefined);
  assert.equal(p.evaluate('a/plain', input), 'ann');
  const objectProto = Object.prototype as Record<string, unknown>, arrayProto = Array.prototype as unknown as Record<string, unknown>;
  try {
    // Some other code in the process pollutes the prototypes: pol keeps reading own properties only.
    objectProto.admin = true;
    arrayProto.name = 'from-array-prototype';
    assert.equal(p.evaluate('a/one', input), undefined);
    assert.equal(p.evaluate('a/two', input), 'own');
    assert.equal(p.evaluate('a/plain', { user: [] }), undefined);
    assert.equal(p.evaluate('a/plain', input), 'ann');
  } finally {
    delete objectProto.admin;
    delete arrayProto.name;
  }
  assert.equal(p.evaluate('a/one', input), undefined);
});

test('evaluation past the deadline stops with eval_cancel_error', () => {
  const p = compile({ modules: { 'a.pol': 'package a\nn := count([1 | some i in numbers.range(1, 3000); some j in numbers.range(1, 3000)])' } });
  assert.throws(() => p.evaluate('a/n', {}, { deadlineMs: Date.now() + 20 }), (e: { code?: string }) => e.code === 'eval_cancel_error');
});

test('a call written as a value shows its value, as opa eval does; false fails the query', () => {
  const value = (q: string) => evalQuery({ query: q, modules: { 'f.pol': 'package lib\nf(x) := x * 2\n' } }).result.map(r => r.expressions[0]!.value);
  assert.deepEqual(value('count([1, 2])'), [2]);
  assert.deepEqual(value('1 + 2'), [3]);
  assert.deepEqual(value('data.lib.f(4)'), [8]);
  assert.deepEqual(value('1 < 2'), [true]);
  assert.deepEqual(value('1 > 2'), []);
  assert.deepEqual(value('is_string(1)'), []);
  assert.deepEqual(value('x := 1'), [true]);
  assert.deepEqual(value('print("hi")'), [true]);
});

test('entry points carry a cost estimate: comparisons are cheap, iteration, builtins and membership are not', () => {
  const cost = (body: string, data = {}) => compile({ modules: { 'p.pol': `package p\n\ndefault allow := false\n\n${body}\n` }, data }).entrypoint('p/allow').cost;
  const twoComparisons = cost('allow if {\n\tinput.a >= input.b\n\tinput.c == input.d\n}');
  assert.ok(twoComparisons >= 2 && twoComparisons < 8, `two comparisons: ${twoComparisons}`);
  assert.ok(cost('allow if {\n\tinput.a >= input.b\n\tinput.c == input.d\n}\n\nallow if {\n\tinput.e == input.f\n}') > twoComparisons, 'more bodies cost more');
  assert.ok(cost('allow if {\n\tsome x in input.items\n\tx == 1\n}') >= 64, 'iteration');
  assert.ok(cost('allow if {\n\tinput.roles[_] == "admin"\n}') >= 64, 'iteration through a ref');
  assert.ok(cost('allow if {\n\tinput.role in input.roles\n}') >= 8, 'membership in a collection of unknown size');
  assert.ok(cost('allow if {\n\tinput.role in {"a", "b"}\n}') < 8, 'membership in a constant set is a hash lookup');
  assert.ok(cost('allow if {\n\tstartswith(input.path, "/api")\n}') >= 8, 'builtin call');
  assert.ok(cost('allow if {\n\tcheck(input.x)\n}\n\ncheck(x) if {\n\tsome y in x\n\ty > 1\n}') >= 64, 'a function brings its own cost');
  assert.ok(cost('allow if {\n\tdata.limits.max > input.n\n}\n\nallow if {\n\tcounted\n}\n\ncounted if {\n\tcount(input.items) > 2\n}') >= 8, 'a referenced rule brings its own cost');
  // Indexed rules: the index runs a few, so the estimate does not grow with the rule count.
  const rules = (n: number) => Array.from({ length: n }, (_, i) => `allow if {\n\tinput.resource == "r${i}"\n\tinput.action == "read"\n\t"admin" in data.roles[input.user]\n}`).join('\n\n');
  const small = cost(rules(10)), large = cost(rules(2000));
  assert.ok(small >= 8, `indexed rules with membership: ${small}`);
  assert.ok(large <= small * 2, `2,000 indexed rules estimated like a few: ${large} vs ${small}`);
});

test('ranges and shifts past their bounds are builtin errors, never shortened results', () => {
  const p = compile({ modules: { 'a.pol': 'package a\nn := count(numbers.range(1, input.n))\nm := count(numbers.range_step(0, input.n, 2))\ns := bits.lsh(1, input.n)\n' } });
  assert.equal(p.evaluate('a/n', { n: 10_000_000 }), 10_000_000);
  assert.equal(p.evaluate('a/n', { n: 10_000_001 }), undefined);
  assert.equal(p.evaluate('a/m', { n: 19_999_998 }), 10_000_000);
  assert.equal(p.evaluate('a/s', { n: 65_537 }), undefined);
  assert.throws(() => p.evaluate('a/n', { n: 10_000_001 }, { strictBuiltinErrors: true }),
    (e: { code?: string; message?: string }) => e.code === 'eval_builtin_error' && /numbers\.range: range longer than 10000000 elements/.test(e.message ?? ''));
  assert.throws(() => p.evaluate('a/s', { n: 65_537 }, { strictBuiltinErrors: true }), (e: { code?: string }) => e.code === 'eval_builtin_error');
});

test('withData: the same modules over other data, without compiling again; the old policy keeps its data', () => {
  const modules = {
    'rbac.pol': rbac,
    // A package document merged with base data, a partial set over data, a data-only rule and a `with` override.
    'more.pol': 'package more\n\nimport rego.v1\n\nadmins contains u if { some u, x in data.users; "admin" in x.roles }\n\nn := count(data.users)\n\nmocked := m if { m := n with data.users as {} }\n',
  };
  const before = compile({ modules, data });
  const entry = before.entrypoint('rbac/allow');
  const bobRead = { user: 'bob', action: 'read' };
  const other = { users: { bob: { roles: ['admin'] }, carol: { roles: [] } }, grants: { admin: [{ action: 'read' }, { action: 'write' }] }, rbac: { note: 'base data' } };
  const after = before.withData(other);
  // Same answers and the same revision as compiling from scratch with that data.
  const fresh = compile({ modules, data: other });
  assert.equal(after.revision, fresh.revision);
  assert.notEqual(after.revision, before.revision);
  for (const [path, input] of [['rbac/allow', bobRead], ['rbac/allow', { user: 'bob', action: 'delete' }], ['more/admins', {}], ['more/n', {}], ['more/mocked', {}], ['rbac', bobRead], ['', {}]] as const) {
    assert.deepEqual(after.evaluate(path, input), fresh.evaluate(path, input), path);
  }
  assert.deepEqual(after.evaluate('more/admins', {}), ['bob']);
  assert.equal(after.evaluate('rbac/note', {}), 'base data');
  // The policy it came from, and an entry point taken from it before, still see the old data.
  assert.deepEqual(before.evaluate('more/admins', {}), compile({ modules, data }).evaluate('more/admins', {}));
  assert.equal(entry.evaluate({ user: 'bob', action: 'write' }), compile({ modules, data }).evaluate('rbac/allow', { user: 'bob', action: 'write' }));
  assert.equal(after.entrypoint('rbac/allow').evaluate({ user: 'bob', action: 'write' }), true);
  assert.equal(before.evaluate('more/n', {}), Object.keys(data.users).length);
});

test('a policy keeps at most MAX_ENTRYPOINTS entry points: paths come from requests, the oldest goes first', () => {
  const prepared = compile({ modules: { 'p.pol': 'package p\n\nimport rego.v1\n\na := input.x + 1\n' } });
  const first = prepared.entrypoint('p/a');
  assert.equal(prepared.entrypoint('p/a'), first);
  for (let i = 0; i < MAX_ENTRYPOINTS - 1; i++) prepared.entrypoint(`p/other${i}`);
  assert.equal(prepared.entrypoint('p/a'), first, 'still within the bound');
  prepared.entrypoint('p/one_more');
  const again = prepared.entrypoint('p/a');
  assert.notEqual(again, first);
  assert.equal(again.evaluate({ x: 1 }), 2);
});
