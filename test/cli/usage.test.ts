import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pol, tempTree } from './helpers.js';

const cwd = process.cwd();

function oneLine(text: string): void {
  assert.equal(text.trimEnd().split('\n').length, 1, `expected one line, got: ${text}`);
}

test('unknown command is a one-line usage error with exit 2', async () => {
  const r = await pol(['evl'], cwd);
  assert.equal(r.code, 2);
  oneLine(r.stderr);
  assert.match(r.stderr, /unknown command `evl`/);
});

test('no command prints usage and exits 2', async () => {
  const r = await pol([], cwd);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /Usage: pol <command>/);
});

test('unknown option is a one-line usage error', async () => {
  const r = await pol(['eval', '--bogus', 'x'], cwd);
  assert.equal(r.code, 2);
  oneLine(r.stderr);
  assert.match(r.stderr, /^pol eval: unknown option '--bogus'/);
});

test('eval without a query, or with two, is a usage error', async () => {
  for (const argv of [['eval'], ['eval', 'a', 'b']]) {
    const r = await pol(argv, cwd);
    assert.equal(r.code, 2);
    oneLine(r.stderr);
    assert.match(r.stderr, /expected exactly one query/);
  }
});

test('eval rejects an unknown format', async () => {
  const r = await pol(['eval', '--format', 'yaml', 'true'], cwd);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /unknown --format yaml/);
});

test('a missing -d path is a usage error naming it', async () => {
  const r = await pol(['eval', '-d', 'no/such/dir', 'true'], cwd);
  assert.equal(r.code, 2);
  oneLine(r.stderr);
  assert.match(r.stderr, /no such file or directory: no\/such\/dir/);
});

test('malformed input JSON is a usage error naming the file', async () => {
  const t = tempTree({ 'input.json': '{"a": ' });
  try {
    const r = await pol(['eval', '-i', 'input.json', 'input'], t.dir);
    assert.equal(r.code, 2);
    oneLine(r.stderr);
    assert.match(r.stderr, /input\.json: invalid JSON/);
  } finally { t.cleanup(); }
});

test('test --timeout must be a positive integer', async () => {
  const r = await pol(['test', '--timeout', 'soon', '.'], cwd);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--timeout must be a positive number/);
});

test('test --run with a bad regular expression is a usage error', async () => {
  const t = tempTree({ 'a_test.pol': 'package a\n' });
  try {
    const r = await pol(['test', '--run', '(', '.'], t.dir);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--run is not a valid regular expression/);
  } finally { t.cleanup(); }
});

test('fmt refuses --write with --list', async () => {
  const r = await pol(['fmt', '-w', '-l', '.'], cwd);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--write cannot be combined/);
});

test('version prints the package version', async () => {
  const r = await pol(['version'], cwd);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^pol \d+\.\d+\.\d+\nnode v\d+/);
});

test('help lists every command and help <command> shows its usage', async () => {
  const r = await pol(['help'], cwd);
  assert.equal(r.code, 0);
  for (const c of ['eval', 'check', 'fmt', 'test', 'bench', 'serve', 'version']) assert.match(r.stdout, new RegExp(`^  ${c} `, 'm'));
  const e = await pol(['help', 'eval'], cwd);
  assert.equal(e.code, 0);
  assert.match(e.stdout, /Usage: pol eval/);
  const bad = await pol(['help', 'nope'], cwd);
  assert.equal(bad.code, 2);
});
