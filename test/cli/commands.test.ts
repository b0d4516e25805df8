import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pol, tempTree } from './helpers.js';

const POLICY = `package app

default allow := false

allow if input.user == data.config.admin

names contains name if some name in ["b", "a"]
`;

function withPolicy(files: Record<string, string>, fn: (dir: string) => Promise<void>): Promise<void> {
  const t = tempTree(files);
  return fn(t.dir).finally(() => t.cleanup());
}

test('eval prints opa eval --format json output', () => withPolicy({
  'p/app.pol': POLICY, 'p/config/data.json': '{"admin": "ann"}', 'in.json': '{"user": "ann"}',
}, async dir => {
  const r = await pol(['eval', '-d', 'p', '-i', 'in.json', 'data.app.allow'], dir);
  assert.equal(r.stderr, '');
  assert.equal(r.code, 0);
  assert.deepEqual(JSON.parse(r.stdout), {
    result: [{ expressions: [{ value: true, text: 'data.app.allow', location: { row: 1, col: 1 } }] }],
  });
}));

test('eval shows bindings and prints {} when undefined', () => withPolicy({ 'p/app.pol': POLICY }, async dir => {
  const r = await pol(['eval', '-d', 'p', 'data.app.names[x]'], dir);
  assert.equal(r.code, 0);
  const out = JSON.parse(r.stdout) as { result: { bindings: { x: string } }[] };
  assert.deepEqual(out.result.map(row => row.bindings.x).sort(), ['a', 'b']);
  const u = await pol(['eval', '-d', 'p', 'data.app.nothing'], dir);
  assert.equal(u.code, 0);
  assert.deepEqual(JSON.parse(u.stdout), {});
  const f = await pol(['eval', '--fail', '-d', 'p', 'data.app.nothing'], dir);
  assert.equal(f.code, 1);
}));

test('eval --format pretty prints just the value', () => withPolicy({ 'p/app.pol': POLICY }, async dir => {
  const r = await pol(['eval', '-f', 'pretty', '-d', 'p', 'data.app.names'], dir);
  assert.equal(r.code, 0);
  assert.equal(r.stdout, '[\n  "a",\n  "b"\n]\n');
  const u = await pol(['eval', '-f', 'pretty', '-d', 'p', 'data.app.nothing'], dir);
  assert.equal(u.stdout, 'undefined\n');
}));

test('eval reports policy errors as OPA error objects with exit 1', () => withPolicy({
  'p/bad.pol': 'package bad\n\nallow if x == 1\n',
}, async dir => {
  const r = await pol(['eval', '-d', 'p', 'data.bad.allow'], dir);
  assert.equal(r.code, 1);
  const out = JSON.parse(r.stdout) as { errors: { code: string; location: { file: string; row: number } }[] };
  assert.equal(out.errors[0]!.code, 'rego_unsafe_var_error');
  assert.equal(out.errors[0]!.location.file, join('p', 'bad.pol'));
  assert.equal(out.errors[0]!.location.row, 3);
}));

test('an evaluation error is an OPA error object too: the engine\'s text and where it arose', () => withPolicy({
  'p/conflict.pol': 'package c\n\nimport rego.v1\n\nv := 1\n\nv := 2 if true\n',
}, async dir => {
  const r = await pol(['eval', '-d', 'p', 'data.c.v'], dir);
  assert.equal(r.code, 1);
  assert.deepEqual(JSON.parse(r.stdout), { errors: [{ code: 'eval_conflict_error', message: 'rule data.c.v produced conflicting values', location: { file: join('p', 'conflict.pol'), row: 7, col: 1 } }] });
  const pretty = await pol(['eval', '-d', 'p', '--format', 'pretty', 'data.c.v'], dir);
  assert.equal(pretty.code, 1);
  assert.match(pretty.stderr + pretty.stdout, /conflict\.pol:7:1: eval_conflict_error: rule data\.c\.v produced conflicting values/);
}));

test('eval --strict-builtin-errors turns a builtin error into an error', () => withPolicy({}, async dir => {
  const lax = await pol(['eval', 'x := to_number("nope")'], dir);
  assert.equal(lax.code, 0);
  assert.deepEqual(JSON.parse(lax.stdout), {});
  const strict = await pol(['eval', '--strict-builtin-errors', 'x := to_number("nope")'], dir);
  assert.equal(strict.code, 1);
  assert.equal((JSON.parse(strict.stdout) as { errors: { code: string }[] }).errors[0]!.code, 'eval_builtin_error');
}));

test('check passes a good policy and renders every diagnostic with a caret', () => withPolicy({
  'ok/app.pol': POLICY,
  'bad/one.pol': 'package one\n\nallow if {\n\ty == 1\n}\n',
  'bad/two.pol': 'package two\n\np if z > 0\n',
}, async dir => {
  const ok = await pol(['check', 'ok'], dir);
  assert.equal(ok.code, 0);
  assert.equal(ok.stderr, '');
  const bad = await pol(['check', 'bad'], dir);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /^bad\/one\.pol:4:2: rego_unsafe_var_error: .*\by\b/m);
  assert.match(bad.stderr, /^ 4 \| {2}y == 1$/m);
  assert.match(bad.stderr, /^bad\/two\.pol:3:6: rego_unsafe_var_error: .*\bz\b/m);
  assert.match(bad.stderr, /^ {3}\| {6}\^/m);
}));

test('check reports a parse error with its location', () => withPolicy({ 'x.pol': 'package x\n\nallow if {\n' }, async dir => {
  const r = await pol(['check', 'x.pol'], dir);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^x\.pol:\d+:\d+: rego_parse_error: /m);
}));

const TESTS = `package app_test

import data.app

test_admin_allowed if app.allow with input as {"user": "ann"} with data.config.admin as "ann"

test_other_denied if not app.allow with input as {"user": "bob"}

test_broken if app.allow with input as {"user": "bob"}

test_erroring if 1 / 0

todo_test_later if false
`;

test('test runs test_ rules, reports pass/fail/error and exits 1 on failure', () => withPolicy({
  'p/app.pol': POLICY, 'p/app_test.pol': TESTS, 'p/helper.pol': 'package helper\n\ntest_not_in_a_test_file := false\n',
}, async dir => {
  const r = await pol(['test', 'p'], dir);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stdout, /^data\.app_test\.test_broken: FAIL \(/m);
  assert.match(r.stdout, /^data\.app_test\.test_erroring: ERROR \(/m);
  assert.doesNotMatch(r.stdout, /test_admin_allowed/);
  assert.match(r.stdout, /^PASS: 2\/5$/m);
  assert.match(r.stdout, /^FAIL: 1\/5$/m);
  assert.match(r.stdout, /^ERROR: 1\/5$/m);
  assert.match(r.stdout, /^SKIPPED: 1\/5$/m);
  const v = await pol(['test', '-v', 'p'], dir);
  assert.match(v.stdout, /^data\.app_test\.test_admin_allowed: PASS \(/m);
  assert.match(v.stdout, /^data\.app_test\.todo_test_later: SKIPPED$/m);
  const only = await pol(['test', '--run', 'allowed|denied', 'p'], dir);
  assert.equal(only.code, 0);
  assert.match(only.stdout, /^PASS: 2\/2$/m);
}));

test('test reports a compile error and exits 1', () => withPolicy({ 'p/a_test.pol': 'package a\n\ntest_x if y\n' }, async dir => {
  const r = await pol(['test', 'p'], dir);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /p\/a_test\.pol:3:11: rego_unsafe_var_error/);
}));

const UGLY = 'package   ugly\nallow   if {   input.x==1 }\n';

test('fmt prints, lists, diffs and rewrites', () => withPolicy({ 'u.pol': UGLY }, async dir => {
  const printed = await pol(['fmt', 'u.pol'], dir);
  assert.equal(printed.code, 0, printed.stderr);
  assert.notEqual(printed.stdout, UGLY);
  assert.match(printed.stdout, /^package ugly\n/);
  const listed = await pol(['fmt', '-l', '--fail', '.'], dir);
  assert.equal(listed.stdout, 'u.pol\n');
  assert.equal(listed.code, 1);
  const diff = await pol(['fmt', '--diff', 'u.pol'], dir);
  assert.match(diff.stdout, /^--- u\.pol\n\+\+\+ u\.pol \(formatted\)\n@@ /);
  const written = await pol(['fmt', '-w', 'u.pol'], dir);
  assert.equal(written.code, 0);
  assert.equal(readFileSync(join(dir, 'u.pol'), 'utf8'), printed.stdout);
  const again = await pol(['fmt', '-l', '--fail', 'u.pol'], dir);
  assert.equal(again.code, 0);
  assert.equal(again.stdout, '');
}));

test('fmt reports a parse error and exits 1', () => withPolicy({ 'x.pol': 'package x\nallow if {\n' }, async dir => {
  const r = await pol(['fmt', 'x.pol'], dir);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^x\.pol:\d+:\d+: rego_parse_error/m);
}));

test('eval keeps big integers in input exact', () => withPolicy({ 'in.json': '{"n": 12345678901234567890}' }, async dir => {
  const r = await pol(['eval', '-i', 'in.json', 'x := input.n + 1'], dir);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /"x": 12345678901234567891\b/);
}));
