// Table-driven parser tests: precedence, operators, keyword refs, literals, the newline rule,
// whitespace-sensitive refs, parseQuery/parseTerm, and robustness on hostile input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseModule, parseQuery, parseTerm, MAX_NESTING } from '../../dsl/parser/index.js';
import type { Expr, Term } from '../../dsl/ast/nodes.js';
import { MAX_DIAGNOSTICS } from '../../dsl/diagnostic.js';
import { formatSource } from '../../dsl/format/index.js';
import { compile, PolError } from '../../engine/index.js';

/** A compact s-expression for a term, so expectations stay readable. */
function sx(t: Term): string {
  switch (t.kind) {
    case 'var': return t.name;
    case 'number': return t.text;
    case 'scalar': return JSON.stringify(t.value);
    case 'ref': return sx(t.head) + t.path.map(p => `[${sx(p)}]`).join('');
    case 'call': return `(${t.name.join('.')} ${t.args.map(sx).join(' ')})`.replace(/ \)$/, ')');
    case 'array': return `[${t.items.map(sx).join(' ')}]`;
    case 'set': return `#{${t.items.map(sx).join(' ')}}`;
    case 'object': return `{${t.entries.map(([k, v]) => `${sx(k)}: ${sx(v)}`).join(', ')}}`;
    case 'arraycompr': return `[${sx(t.head)} | ${t.body.map(ex).join('; ')}]`;
    case 'setcompr': return `#{${sx(t.head)} | ${t.body.map(ex).join('; ')}}`;
    case 'objectcompr': return `{${sx(t.key)}: ${sx(t.value)} | ${t.body.map(ex).join('; ')}}`;
  }
}

function ex(e: Expr): string {
  const b = e.body;
  let s: string;
  switch (b.kind) {
    case 'term': s = sx(b.term); break;
    case 'some': s = `(some ${b.vars.map(sx).join(' ')})`; break;
    case 'somein': s = `(some-in ${b.key ? sx(b.key) + ' ' : ''}${sx(b.value)} ${sx(b.collection)})`; break;
    case 'every': s = `(every ${b.key ? sx(b.key) + ' ' : ''}${sx(b.value)} ${sx(b.domain)} {${b.body.map(ex).join('; ')}})`; break;
  }
  if (e.negated) s = `(not ${s})`;
  for (const w of e.with) s += ` (with ${sx(w.target)} ${sx(w.value)})`;
  return s;
}

function q(text: string): string {
  const r = parseQuery(text);
  assert.deepEqual(r.diagnostics.map(d => d.message), [], `query ${text}`);
  return r.value!.map(ex).join('; ');
}

const cases: [string, string][] = [
  // precedence, lowest first: := / =, in, relations, |, &, + -, * / %
  ['x := 1 + 2 * 3', '(assign x (plus 1 (mul 2 3)))'],
  ['x = 1 * 2 + 3', '(eq x (plus (mul 1 2) 3))'],
  ['1 + 2 == 3', '(equal (plus 1 2) 3)'],
  ['a | b & c', '(or a (and b c))'],
  ['a & b | c', '(or (and a b) c)'],
  ['a | b == c', '(equal (or a b) c)'],
  ['a + b | c', '(or (plus a b) c)'],
  ['x in xs == true', '(internal.member_2 x (equal xs true))'],
  ['x == y in zs', '(internal.member_2 (equal x y) zs)'],
  ['a in b in c', '(internal.member_2 (internal.member_2 a b) c)'],
  ['k, v in obj', '(internal.member_3 k v obj)'],
  ['k, v in obj in s', '(internal.member_2 (internal.member_3 k v obj) s)'],
  ['1 - 2 - 3', '(minus (minus 1 2) 3)'],
  ['8 / 4 / 2', '(div (div 8 4) 2)'],
  ['7 % 4 * 2', '(mul (rem 7 4) 2)'],
  ['a < b == c', '(equal (lt a b) c)'],
  ['a <= b; a >= b; a > b; a != b', '(lte a b); (gte a b); (gt a b); (neq a b)'],
  ['(1 + 2) * 3', '(mul (plus 1 2) 3)'],
  ['x := (k, v in obj)', '(assign x (internal.member_3 k v obj))'],
  // unary minus on numbers
  ['x := -1', '(assign x -1)'],
  ['x := 1 - -2.5', '(assign x (minus 1 -2.5))'],
  ['x := 1 -1', '(assign x (minus 1 1))'],
  ['[1, -2]', '[1 -2]'],
  // refs and calls
  ['input.a.b[0]["c"]', 'input["a"]["b"][0]["c"]'],
  ['split(s, ".")[0]', '(split s ".")[0]'],
  ['[1, 2][i]', '[1 2][i]'],
  ['io.jwt.decode(t)[1].sub', '(io.jwt.decode t)[1]["sub"]'],
  ['data.lib.f(x)', '(data.lib.f x)'],
  ['f()', '(f)'],
  ['set()', '#{}'],
  ['{"a": 1}.a', '{"a": 1}["a"]'],
  ['x[k, v in o]', 'x[(internal.member_3 k v o)]'],
  // composites and comprehensions
  ['{1, 2,}', '#{1 2}'],
  ['{}', '{}'],
  ['{1: "a", [1]: {2}, null: 3,}', '{1: "a", [1]: #{2}, null: 3}'],
  ['[x | x := 1]', '[x | (assign x 1)]'],
  ['[x | some x in xs; x > 1]', '[x | (some-in x xs); (gt x 1)]'],
  ['{x | x := 1}', '#{x | (assign x 1)}'],
  ['{k: v | some k, v in o}', '{k: v | (some-in k v o)}'],
  ['[a | b]', '[a | b]'],
  ['[(a | b)]', '[(or a b)]'],
  ['[1, a | b]', '[1 (or a b)]'],
  ['{[x | x := 1][0] | true}', '#{[x | (assign x 1)][0] | true}'],
  // statements
  ['some x', '(some x)'],
  ['some x, y', '(some x y)'],
  ['some x in xs', '(some-in x xs)'],
  ['some k, v in xs', '(some-in k v xs)'],
  ['some x in [1, 2]', '(some-in x [1 2])'],
  ['every x in xs { x > 0 }', '(every x xs {(gt x 0)})'],
  ['every k, v in o { k == v; v }', '(every k v o {(equal k v); v})'],
  ['not x', '(not x)'],
  ['not f(x) with input as 1 with data.a.b as {"c": 2}', '(not (f x)) (with input 1) (with data["a"]["b"] {"c": 2})'],
  ['x with f as g', 'x (with f g)'],
  ['_ = x', '(eq _ x)'],
  // keywords as names
  ['not.foo == 1', '(equal not["foo"] 1)'],
  ['foo.not == 2', '(equal foo["not"] 2)'],
  ['input.in.if.else', 'input["in"]["if"]["else"]'],
  ['some.x[0]', 'some["x"][0]'],
  ['true.a', 'true["a"]'],
  ['null[0]', 'null[0]'],
  ['contains(s, "a")', '(contains s "a")'],
  ['every.x in y', '(internal.member_2 every["x"] y)'],
  // strings and numbers
  ['"a\\"b\\\\c\\/d\\n\\t\\u00e9"', JSON.stringify('a"b\\c/d\n\té')],
  ['"\\ud83d\\ude00"', JSON.stringify('😀')],
  ['`raw \\n`', JSON.stringify('raw \\n')],
  ['123456789012345678901234567890', '123456789012345678901234567890'],
  ['1.5e300', '1.5e300'],
  ['0.1', '0.1'],
  ['1E-7', '1E-7'],
  ['.5', '0.5'],
  ['-.25e2', '-0.25e2'],
  ['true; false; null', 'true; false; null'],
];

for (const [text, want] of cases) {
  test(`parses ${text}`, () => assert.equal(q(text), want));
}

test('newline rule: a line break ends an expression unless the next line starts with an infix operator', () => {
  assert.equal(q('x := 1\n+ 2'), '(assign x (plus 1 2))');
  assert.equal(q('x := a\n== b'), '(assign x (equal a b))');
  assert.equal(q('x := a\nin b'), '(assign x (internal.member_2 a b))');
  assert.equal(q('x := [1,\n2]'), '(assign x [1 2])');
  assert.equal(q('x := f(\n1,\n2,\n)'), '(assign x (f 1 2))');
  assert.equal(q('x := y\n[1][0]'), '(assign x y); [1][0]');
  assert.equal(q('x := y\n(1)'), '(assign x y); 1');
  assert.equal(q('x\nnot y'), 'x; (not y)');
  assert.equal(q('x\nwith input as 1'), 'x (with input 1)');
  const r = parseQuery('x := 1 y := 2');
  assert.match(r.diagnostics[0]!.message, /must be separated by `;` or a new line/);
});

test('refs need no whitespace before `.`, `[` or `(`', () => {
  assert.equal(parseQuery('x [0]').diagnostics.length, 1);
  assert.equal(parseQuery('f (1)').diagnostics.length, 1);
  assert.equal(q('x[ 0 ]'), 'x[0]');
});

test('locations are 1-based with offsets', () => {
  const r = parseModule('f.pol', 'package a\n\np := input.x + 1\n');
  const rule = r.value!.rules[0]!;
  assert.deepEqual(rule.loc, { file: 'f.pol', line: 3, col: 1, offset: 11, end: 27 });
  const v = rule.head.value!;
  assert.equal(v.kind, 'call');
  assert.deepEqual(v.loc, { file: 'f.pol', line: 3, col: 6, offset: 16, end: 27 });
  if (v.kind === 'call') assert.deepEqual(v.args[0]!.loc, { file: 'f.pol', line: 3, col: 6, offset: 16, end: 23 });
});

test('rule forms map to the right heads', () => {
  const m = parseModule('r.pol', [
    'package r',
    'p[k] if k := "a"',
    'q[k] := 1 if k := "a"',
    'a.b.c := 1',
    's contains 1',
    'f(x) if x',
    'default g(_) := 1',
    'h := 1 if false else = 2',
  ].join('\n')).value!;
  const [p, q2, abc, s, f, g, h] = m.rules;
  assert.equal(p!.head.value, undefined);
  assert.equal(p!.head.ref.length, 2);
  assert.equal(sx(q2!.head.value!), '1');
  assert.deepEqual(abc!.head.ref.map(sx), ['"a"', '"b"', '"c"']);
  assert.equal(abc!.hasBody, false);
  assert.equal(s!.head.contains, true);
  assert.equal(sx(s!.head.key!), '1');
  assert.deepEqual(f!.head.args!.map(sx), ['x']);
  assert.equal(g!.default, true);
  assert.equal(h!.else!.head.assign, false);
  assert.equal(sx(h!.else!.head.value!), '2');
  assert.equal(h!.else!.hasBody, false);
});

test('parseTerm reads OPA input_term syntax', () => {
  const r = parseTerm('{"a": {1, 2,}, 3: [null, true,], "s": set(), "n": -0.5}');
  assert.deepEqual(r.diagnostics, []);
  assert.equal(sx(r.value!), '{"a": #{1 2}, 3: [null true], "s": #{}, "n": -0.5}');
  assert.ok(parseTerm('{"a": 1').diagnostics.length > 0);
  assert.ok(parseTerm('').diagnostics.length > 0);
});

test('queries accept `;` and new lines', () => {
  assert.equal(q('x := 1; y := 2\nz := 3'), '(assign x 1); (assign y 2); (assign z 3)');
});

test('deep nesting is rejected with a diagnostic, not a stack overflow', () => {
  const deep = '['.repeat(MAX_NESTING + 10) + ']'.repeat(MAX_NESTING + 10);
  const r = parseTerm(deep);
  assert.match(r.diagnostics[0]!.message, /nesting is too deep/);
  const ok = '['.repeat(200) + ']'.repeat(200);
  assert.deepEqual(parseTerm(ok).diagnostics, []);
  const m = parseModule('d.pol', `package d\np := ${deep}\n`);
  assert.match(m.diagnostics[0]!.message, /nesting is too deep/);
});

test('long operator chains and unary minus runs are bounded', () => {
  const long = parseModule('l.pol', `package l\np := ${Array(1500).fill('1').join(' + ')}\nq := 1\n`);
  assert.match(long.diagnostics[0]!.message, /more than 1000 operators/);
  assert.equal(long.value, undefined);
  const ok = parseModule('l.pol', `package l\np := ${Array(900).fill('1').join(' + ')}\n`);
  assert.deepEqual(ok.diagnostics, []);
  const minus = parseModule('m.pol', `package m\np := ${'-'.repeat(50000)}1\n`);
  assert.ok(minus.diagnostics.length > 0);
  assert.equal(minus.value, undefined);
});

test('never throws on garbage, and caps diagnostics', () => {
  const pieces = ['package', 'p', 'if', '{', '}', '[', ']', '(', ')', ':=', '=', '==', '"s"', '`r`', '1', '.', ',', ';', '\n', 'not', 'some', 'every', 'in', 'with', 'as', 'else', 'default', 'contains', '|', '&', '+', '-', '#c\n', '$', '^', '"', '`'];
  let seed = 42;
  const rand = () => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed; };
  for (let i = 0; i < 300; i++) {
    let text = i % 2 ? 'package fuzz\n' : '';
    const n = rand() % 60;
    for (let k = 0; k < n; k++) text += pieces[rand() % pieces.length] + (rand() % 3 ? ' ' : '');
    const m = parseModule('fuzz.pol', text);
    assert.ok(m.value !== undefined || m.diagnostics.length > 0, text);
    parseQuery(text);
    parseTerm(text);
  }
  const many = 'package x\n' + 'p := ^\n'.repeat(500);
  assert.equal(parseModule('m.pol', many).diagnostics.length, MAX_DIAGNOSTICS);
});

test('template strings: garbage never throws, and what parses formats back to the same AST', () => {
  const pieces = ['$"', '$`', '"', '`', '{', '}', '\\{', '\\', 'x', 'input.a', ' + ', '1', '[', ']', '\n', '#', ' with input as 1', ' ', 'a b', '$'];
  let seed = 7;
  const rand = () => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed; };
  let parsed = 0;
  for (let i = 0; i < 400; i++) {
    let text = 'package t\n\np := ';
    const n = 1 + rand() % 14;
    for (let k = 0; k < n; k++) text += pieces[rand() % pieces.length];
    const m = parseModule('t.pol', text + '\n');
    assert.ok(m.value !== undefined || m.diagnostics.length > 0, text);
    for (const d of m.diagnostics) assert.ok(d.line > 0 && d.col > 0, `position for ${JSON.stringify(text)}`);
    if (!m.value) continue;
    parsed++;
    const formatted = formatSource('t.pol', text + '\n');
    assert.ok(formatted.value !== undefined, `formats ${JSON.stringify(text)}`);
    const again = parseModule('t.pol', formatted.value!);
    assert.equal(JSON.stringify(stripLocs(again.value)), JSON.stringify(stripLocs(m.value)), text);
    // Compiling and evaluating either works or fails with a policy error, never a crash.
    try {
      compile({ modules: { 't.pol': text + '\n' } }).evaluate('t/p', { a: [1] });
    } catch (e) {
      assert.ok(e instanceof PolError, `${JSON.stringify(text)}: ${String(e)}`);
    }
  }
  assert.ok(parsed > 10, `some of the generated templates parse (${parsed})`);
});

/** An AST without its locations. */
function stripLocs(v: unknown): unknown {
  return JSON.parse(JSON.stringify(v, (k, x: unknown) => (k === 'loc' ? undefined : x)));
}

test('__proto__ and constructor are ordinary names and keys', () => {
  assert.equal(q('input.__proto__.constructor'), 'input["__proto__"]["constructor"]');
  assert.equal(q('{"__proto__": 1}'), '{"__proto__": 1}');
});

test('a generated module of 10,000 rules parses', () => {
  let src = 'package big\n\n';
  for (let i = 0; i < 10000; i++) src += `allow if { input.role == "r${i}"; input.action == "read" }\n\n`;
  const r = parseModule('big.pol', src);
  assert.deepEqual(r.diagnostics, []);
  assert.equal(r.value!.rules.length, 10000);
});
