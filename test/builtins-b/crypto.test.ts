import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertError, call } from './helpers.js';
import { randomUUIDv4 } from '../../engine/index.js';

const digests: [string, string, string][] = [
  ['crypto.md5', '', 'd41d8cd98f00b204e9800998ecf8427e'],
  ['crypto.sha1', '', 'da39a3ee5e6b4b0d3255bfef95601890afd80709'],
  ['crypto.sha256', '', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
];

test('digests hash the UTF-8 bytes and return lower-case hex', () => {
  for (const [name, input, want] of digests) assert.equal(call(name, [input]), want, name);
  const h = call('crypto.sha256', ['héllo']) as string;
  assert.match(h, /^[0-9a-f]{64}$/);
  assert.notEqual(h, call('crypto.sha256', ['hello']));
});

test('hmac over message and key', () => {
  assert.equal(call('crypto.hmac.sha256', ['foo', 'bar']), '147933218aaabc0b8b10a2b3a5c34684c8d94341bcf10a4736dc7270f7741851');
  assert.equal(call('crypto.hmac.sha256', ['foo', '']), call('crypto.hmac.sha256', ['foo', '']));
  assert.notEqual(call('crypto.hmac.sha512', ['foo', 'bar']), call('crypto.hmac.sha512', ['foo', 'baz']));
});

test('hmac.equal compares exactly, whatever the lengths', () => {
  assert.equal(call('crypto.hmac.equal', ['abc', 'abc']), true);
  assert.equal(call('crypto.hmac.equal', ['abc', 'abd']), false);
  assert.equal(call('crypto.hmac.equal', ['abc', 'abcd']), false);
  assert.equal(call('crypto.hmac.equal', ['', '']), true);
});

test('operands must be strings', () => {
  assertError(() => call('crypto.md5', [1]), 'crypto.md5: operand 1 must be string but got number', 'eval_type_error');
  assertError(() => call('crypto.hmac.sha1', ['x', null]), 'crypto.hmac.sha1: operand 2 must be string but got null', 'eval_type_error');
  assertError(() => call('crypto.hmac.equal', [[], 'x']), 'operand 1 must be string but got array', 'eval_type_error');
});

test('random UUIDs are version 4, RFC 4122 variant, and distinct across refills of their byte pool', () => {
  // 10,000 ids cross two refills of the 4,096-id pool.
  const seen = new Set<string>();
  const nibbles = new Set<string>();
  for (let i = 0; i < 10_000; i++) {
    const id = randomUUIDv4();
    assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    seen.add(id);
    nibbles.add(id[0]!);
  }
  assert.equal(seen.size, 10_000);
  assert.equal(nibbles.size, 16, 'every hex digit turns up first');
});
