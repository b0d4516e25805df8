import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertError, assertResult, call } from './helpers.js';
import { PolSet, type Value } from '../../engine/value.js';
import { parseCIDR, parseIP, formatIP } from '../../engine/builtins/net/ip.js';
import { cachedCIDR } from '../../engine/builtins/net/cache.js';
import { MAX_EXPANDED_ADDRESSES } from '../../engine/builtins/net.js';

const ok = (name: string, args: Value[], want: Value) => assertResult(call(name, args), want, `${name}(${JSON.stringify(args)})`);

test('addresses parse as Go parses them', () => {
  const valid = ['0.0.0.0', '255.255.255.255', '10.1.2.3', '::', '::1', '1::', '2001:db8::8a2e:370:7334', '::ffff:1.2.3.4',
    '1:2:3:4:5:6:7:8', '1:2:3:4:5:6:1.2.3.4', '::1.2.3.4', 'ABCD::ef'];
  const invalid = ['', '1.2.3', '1.2.3.4.5', '256.1.1.1', '01.1.1.1', '1.2.3.04', '1..2.3', ' 1.2.3.4', '1.2.3.4 ',
    '1:2:3:4:5:6:7:8:9', '1::2::3', ':1::', '1:::2', '12345::', 'fe80::1%eth0', '1:2:3:4:5:6:7:1.2.3.4', 'g::1', '1:'];
  for (const s of valid) assert.ok(parseIP(s), `valid ${s}`);
  for (const s of invalid) assert.equal(parseIP(s), undefined, `invalid ${JSON.stringify(s)}`);
});

test('CIDRs parse as Go parses them', () => {
  for (const s of ['10.0.0.0/8', '10.1.2.3/0', '10.1.2.3/32', '::/0', '::1/128', '2001:db8::/032', '::ffff:10.0.0.0/104']) {
    assert.ok(parseCIDR(s), `valid ${s}`);
  }
  for (const s of ['10.0.0.0', '10.0.0.0/33', '::/129', '10.0.0.0/-1', '10.0.0.0/+8', '10.0.0.0/ 8', '10.0.0.0/8 ', '/8', 'x/8', '10.0.0.0//8']) {
    assert.equal(parseCIDR(s), undefined, `invalid ${s}`);
  }
  // The network keeps only the prefix bits; mapped IPv6 networks are IPv4 networks.
  const n = parseCIDR('192.168.1.77/24')!;
  assert.equal(formatIP(n.v6, n.start), '192.168.1.0');
  assert.equal(formatIP(n.v6, n.end), '192.168.1.255');
  const m = parseCIDR('::ffff:10.0.0.0/104')!;
  assert.deepEqual([m.v6, m.prefix, formatIP(false, m.start)], [false, 8, '10.0.0.0']);
});

test('IPv6 text is canonical (RFC 5952)', () => {
  const cases: [string, string][] = [['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1'], ['0:0:0:0:0:0:0:0', '::'],
    ['1:0:0:2:0:0:0:3', '1:0:0:2::3'], ['1:0:2:0:3:0:4:0', '1:0:2:0:3:0:4:0'], ['1:0:0:2:0:0:3:4', '1::2:0:0:3:4'], ['fe80::', 'fe80::']];
  for (const [input, want] of cases) {
    const ip = parseIP(input)!;
    assert.equal(formatIP(ip.v6, ip.n), want);
  }
});

test('cidr_contains: networks and addresses, v4 and v6', () => {
  ok('net.cidr_contains', ['10.0.0.0/8', '10.1.0.0/24'], true);
  ok('net.cidr_contains', ['10.0.0.0/8', '10.255.255.255'], true);
  ok('net.cidr_contains', ['10.0.0.0/8', '11.0.0.0'], false);
  ok('net.cidr_contains', ['172.17.0.0/24', '172.17.0.0/16'], false);
  ok('net.cidr_contains', ['0.0.0.0/0', '::1'], false);
  ok('net.cidr_contains', ['::/0', '10.0.0.1'], false);
  ok('net.cidr_contains', ['10.0.0.0/8', '::ffff:10.2.3.4'], true);
  ok('net.cidr_contains', ['2001:4860::/32', '2001:4860:4860::8888'], true);
  ok('net.cidr_contains', ['2001:4860::/32', '2001:4861::'], false);
  assertError(() => call('net.cidr_contains', ['not-a-cidr', '10.0.0.1']), 'net.cidr_contains: invalid CIDR address: not-a-cidr');
  assertError(() => call('net.cidr_contains', ['10.0.0.0/8', 'not-a-cidr']), 'invalid CIDR address: not-a-cidr');
  assertError(() => call('net.cidr_contains', ['10.0.0.1', '10.0.0.1']), 'invalid CIDR address: 10.0.0.1');
  assertError(() => call('net.cidr_contains', [1, '10.0.0.1']), 'operand 1 must be string but got number', 'eval_type_error');
});

test('cidr_intersects and cidr_is_valid', () => {
  ok('net.cidr_intersects', ['192.168.1.0/25', '192.168.1.64/25'], true);
  ok('net.cidr_intersects', ['192.168.1.0/25', '192.168.1.128/25'], false);
  ok('net.cidr_intersects', ['0.0.0.0/0', '::/0'], false);
  ok('net.cidr_is_valid', ['fd00::/8'], true);
  ok('net.cidr_is_valid', ['192.168.1.2'], false);
  ok('net.cidr_is_valid', ['300.1.1.1/8'], false);
  assertError(() => call('net.cidr_intersects', ['10.0.0.0/8', 'x']), 'net.cidr_intersects: invalid CIDR address: x');
  assertError(() => call('net.cidr_is_valid', [null]), 'operand 1 must be string but got null', 'eval_type_error');
});

test('cidr_expand returns a set and refuses huge networks', () => {
  const set = call('net.cidr_expand', ['10.0.0.6/31']);
  assert.ok(set instanceof PolSet);
  ok('net.cidr_expand', ['10.0.0.6/31'], new PolSet(['10.0.0.6', '10.0.0.7']));
  ok('net.cidr_expand', ['2001:db8::/127'], new PolSet(['2001:db8::', '2001:db8::1']));
  assert.equal((call('net.cidr_expand', ['10.0.0.0/20']) as PolSet).size, 4096);
  assertError(() => call('net.cidr_expand', ['10.0.0.0/8']), `has more than ${MAX_EXPANDED_ADDRESSES} addresses`);
  assertError(() => call('net.cidr_expand', ['10.0.0.0/33']), 'net.cidr_expand: invalid CIDR address: 10.0.0.0/33');
});

test('cidr_merge: classful defaults, adjacency, type errors', () => {
  ok('net.cidr_merge', [['10.1.2.3']], new PolSet(['10.0.0.0/8']));
  ok('net.cidr_merge', [['172.16.5.4', '224.0.0.1']], new PolSet(['172.16.0.0/16', '224.0.0.0/24']));
  ok('net.cidr_merge', [['10.0.0.0/25', '10.0.0.128/25', '10.0.1.0/24']], new PolSet(['10.0.0.0/23']));
  ok('net.cidr_merge', [['10.0.0.1/32', '10.0.0.2/32']], new PolSet(['10.0.0.1/32', '10.0.0.2/32']));
  ok('net.cidr_merge', [['255.255.255.255/32', '255.255.255.254/32']], new PolSet(['255.255.255.254/31']));
  ok('net.cidr_merge', [new PolSet(['::/1', '8000::/1'])], new PolSet(['::/0']));
  assertError(() => call('net.cidr_merge', [['::1']]), 'net.cidr_merge: IPv6 invalid: needs prefix length');
  assertError(() => call('net.cidr_merge', [[1]]), 'net.cidr_merge: element must be string');
  assertError(() => call('net.cidr_merge', ['10.0.0.0/8']), 'operand 1 must be one of {set, array} but got string', 'eval_type_error');
});

test('cidr_contains_matches keys by string, index, set element or object key', () => {
  ok('net.cidr_contains_matches', ['1.1.1.0/24', '1.1.1.1'], new PolSet([['1.1.1.0/24', '1.1.1.1']]));
  ok('net.cidr_contains_matches', [['1.1.2.0/24', '1.1.1.0/24'], ['1.1.1.1', '1.1.2.1']], new PolSet([[0, 1], [1, 0]]));
  ok('net.cidr_contains_matches', [{ k1: '1.1.1.1/24', k2: ['1.1.1.2/24', 1] }, '1.1.1.128'], new PolSet([['k1', '1.1.1.128'], ['k2', '1.1.1.128']]));
  ok('net.cidr_contains_matches', [new PolSet([['1.1.1.0/24', 'bar']]), new PolSet([['1.1.1.1', 'baz'], ['9.9.9.9', 'x']])],
    new PolSet([[['1.1.1.0/24', 'bar'], ['1.1.1.1', 'baz']]]));
  ok('net.cidr_contains_matches', ['10.0.0.0/8', []], new PolSet());
  assertError(() => call('net.cidr_contains_matches', [['1.1.2.0/24'], ['1.1.1.1', 1]]),
    'net.cidr_contains_matches: operand 2: element must be string or non-empty array');
  assertError(() => call('net.cidr_contains_matches', [[[]], '1.1.1.1']), 'operand 1: element must be string or non-empty array');
  assertError(() => call('net.cidr_contains_matches', [1, '1.1.1.1']), 'operand 1 must be one of {string, array, set, object} but got number', 'eval_type_error');
});

test('constant CIDRs are parsed once', () => {
  assert.equal(cachedCIDR('10.20.0.0/16'), cachedCIDR('10.20.0.0/16'));
  assert.equal(cachedCIDR('bogus'), undefined);
});

test('IPv6 text round-trips through format and parse', () => {
  let seed = 0x9e3779b97f4a7c15n;
  const next = () => { seed = (seed * 6364136223846793005n + 1442695040888963407n) & ((1n << 128n) - 1n); return seed; };
  for (let i = 0; i < 2000; i++) {
    let n = next();
    // Zero runs exercise `::` compression.
    if (i % 3 === 0) n &= ~(0xffffffffn << BigInt(16 * (i % 6)));
    if ((n >> 32n) === 0xffffn) continue; // IPv4-mapped: parses as IPv4 by design
    const text = formatIP(true, n);
    const back = parseIP(text);
    assert.ok(back && back.v6 && back.n === n, `${text}`);
  }
});
