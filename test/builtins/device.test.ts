import { test } from 'node:test';
import assert from 'node:assert/strict';
import { call, check, obj, set, type Row } from './helpers.js';
import { compile, PolError } from '../../engine/index.js';
import { MAX_USER_AGENT, UNKNOWN_PATCH_AGE_DAYS } from '../../engine/builtins/device.js';
import type { PlainObject } from '../../engine/value.js';

const TE = 'eval_type_error' as const;

/** A `device.parse` answer with every field defaulted to `""`, as the builtin returns it. */
const dev = (fields: Partial<Record<'type' | 'os' | 'os_version' | 'browser' | 'browser_version' | 'engine' | 'vendor' | 'model', string>>): PlainObject => ({
  type: 'unknown', os: '', os_version: '', browser: '', browser_version: '', engine: '', vendor: '', model: '', ...fields,
});

const UA = {
  chromeWindows: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
  edgeWindows: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.2478.51',
  safariIPhone: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Mobile/15E148 Safari/604.1',
  safariIPad: 'Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 Mobile/15E148 Safari/604.1',
  chromeAndroidPhone: 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.6367.82 Mobile Safari/537.36',
  chromeAndroidTablet: 'Mozilla/5.0 (Linux; Android 13; SM-X700) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/123.0.0.0 Safari/537.36',
  cubotPhone: 'Mozilla/5.0 (Linux; Android 9; CUBOT KING KONG) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36',
  firefoxLinux: 'Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0',
  firefoxUbuntu: 'Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:109.0) Gecko/20100101 Firefox/115.0',
  firefoxFreeBSD: 'Mozilla/5.0 (X11; FreeBSD amd64; rv:120.0) Gecko/20100101 Firefox/120.0',
  chromeOS: 'Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
  safariMac: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15',
  ps5: 'Mozilla/5.0 (PlayStation; PlayStation 5/2.26) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/13.0 Safari/605.1.15',
  tizenTv: 'Mozilla/5.0 (SMART-TV; Linux; Tizen 6.0) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/2.2 Chrome/63.0.3239.84 TV Safari/537.36',
  galaxyWatch: 'Mozilla/5.0 (Linux; Android 11; SM-R860) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/94.0.4606.61 Mobile Safari/537.36',
  googlebot: 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
  googlebotSmartphone: 'Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.6367.60 Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
  headlessChrome: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/124.0.0.0 Safari/537.36',
};

test('device.parse: real browsers and devices', () => {
  check('device.parse', [
    { note: 'Chrome on Windows', args: [UA.chromeWindows], want: dev({ type: 'desktop', os: 'Windows', os_version: '10', browser: 'Chrome', browser_version: '124.0.0.0', engine: 'Blink' }) },
    { note: 'Edge on Windows', args: [UA.edgeWindows], want: dev({ type: 'desktop', os: 'Windows', os_version: '10', browser: 'Edge', browser_version: '124.0.2478.51', engine: 'Blink' }) },
    { note: 'Safari on iPhone', args: [UA.safariIPhone], want: dev({ type: 'mobile', os: 'iOS', os_version: '17.4.1', browser: 'Mobile Safari', browser_version: '17.4.1', engine: 'WebKit', vendor: 'Apple', model: 'iPhone' }) },
    { note: 'Safari on iPad', args: [UA.safariIPad], want: dev({ type: 'tablet', os: 'iOS', os_version: '16.6', browser: 'Mobile Safari', browser_version: '16.6', engine: 'WebKit', vendor: 'Apple', model: 'iPad' }) },
    { note: 'Chrome on an Android phone', args: [UA.chromeAndroidPhone], want: dev({ type: 'mobile', os: 'Android', os_version: '14', browser: 'Chrome', browser_version: '124.0.6367.82', engine: 'Blink', vendor: 'Google', model: 'Pixel 8' }) },
    { note: 'Chrome on an Android tablet', args: [UA.chromeAndroidTablet], want: dev({ type: 'tablet', os: 'Android', os_version: '13', browser: 'Chrome', browser_version: '123.0.0.0', engine: 'Blink', vendor: 'Samsung', model: 'SM-X700' }) },
    { note: 'Cubot is a phone brand, not a bot', args: [UA.cubotPhone], want: dev({ type: 'mobile', os: 'Android', os_version: '9', browser: 'Chrome', browser_version: '124.0.0.0', engine: 'Blink', model: 'CUBOT KING KONG' }) },
    { note: 'Firefox on Linux', args: [UA.firefoxLinux], want: dev({ type: 'desktop', os: 'Linux', browser: 'Firefox', browser_version: '125.0', engine: 'Gecko', }) },
    { note: 'Firefox on Ubuntu', args: [UA.firefoxUbuntu], want: dev({ type: 'desktop', os: 'Ubuntu', browser: 'Firefox', browser_version: '115.0', engine: 'Gecko' }) },
    { note: 'Firefox on FreeBSD', args: [UA.firefoxFreeBSD], want: dev({ type: 'desktop', os: 'FreeBSD', browser: 'Firefox', browser_version: '120.0', engine: 'Gecko' }) },
    { note: 'Chrome on ChromeOS', args: [UA.chromeOS], want: dev({ type: 'desktop', os: 'Chromium OS', os_version: '14541.0.0', browser: 'Chrome', browser_version: '124.0.0.0', engine: 'Blink' }) },
    { note: 'Safari on macOS', args: [UA.safariMac], want: dev({ type: 'desktop', os: 'Mac OS', os_version: '10.15.7', browser: 'Safari', browser_version: '17.4', engine: 'WebKit', vendor: 'Apple', model: 'Macintosh' }) },
    { note: 'PlayStation 5', args: [UA.ps5], want: dev({ type: 'console', os: 'PlayStation', os_version: '5', browser: 'Safari', browser_version: '13.0', engine: 'WebKit', vendor: 'Sony', model: 'PlayStation 5' }) },
    { note: 'Samsung smart TV', args: [UA.tizenTv], want: dev({ type: 'smarttv', os: 'Tizen', os_version: '6.0', browser: 'Samsung Internet', browser_version: '2.2', engine: 'Blink', vendor: 'Samsung' }) },
    { note: 'Galaxy Watch', args: [UA.galaxyWatch], want: dev({ type: 'wearable', os: 'Android', os_version: '11', browser: 'Chrome', browser_version: '94.0.4606.61', engine: 'Blink', vendor: 'Samsung', model: 'SM-R860' }) },
  ]);
});

test('device.parse: bots and automation clients', () => {
  const bot = (ua: string, note: string, fields = {}): Row => ({ note, args: [ua], want: dev({ type: 'bot', ...fields }) });
  check('device.parse', [
    bot('curl/8.4.0', 'curl'),
    bot('Wget/1.21.4', 'wget'),
    bot('python-requests/2.31.0', 'python-requests'),
    bot('Go-http-client/2.0', 'Go'),
    bot('okhttp/4.12.0', 'okhttp'),
    bot('Java/17.0.2', 'Java'),
    bot('Apache-HttpClient/4.5.14 (Java/17.0.2)', 'Apache HttpClient'),
    bot(UA.googlebot, 'Googlebot'),
    bot('Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)', 'bingbot'),
    bot('Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)', 'spider'),
    bot('Mozilla/5.0 (compatible; archive.org_crawler)', 'crawler'),
    bot(UA.googlebotSmartphone, 'a bot wins over the device it imitates',
      { os: 'Android', os_version: '6.0.1', browser: 'Chrome', browser_version: '124.0.6367.60', engine: 'Blink', vendor: 'LG', model: 'Nexus 5' }),
    bot(UA.headlessChrome, 'HeadlessChrome', { os: 'Linux', browser: 'Chrome Headless', browser_version: '124.0.0.0', engine: 'Blink' }),
  ]);
});

test('device.parse: empty, unknown and hostile input', () => {
  const long = UA.chromeWindows + ' ' + 'x'.repeat(100_000);
  check('device.parse', [
    { note: 'empty string', args: [''], want: dev({}) },
    { note: 'white space', args: ['   \t'], want: dev({}) },
    { note: 'not a User-Agent', args: ['hello world'], want: dev({}) },
    { note: 'very long: the first characters still parse', args: [long], want: call('device.parse', UA.chromeWindows)! },
    { note: 'a bot token past the cap is not seen', args: ['a'.repeat(MAX_USER_AGENT) + ' Googlebot/2.1'], want: dev({}) },
    { note: 'a bot token just inside the cap is seen', args: ['a'.repeat(MAX_USER_AGENT - 14) + ' Googlebot/2.1'], want: dev({ type: 'bot' }) },
    { note: 'a megabyte of parentheses', args: ['Mozilla/5.0 (' + '('.repeat(1 << 20)], want: dev({}) },
    { args: [1], error: TE, message: 'device.parse: operand 1 must be string but got number' },
    { args: [null], error: TE, message: 'device.parse: operand 1 must be string but got null' },
    { args: [['curl/8.4.0']], error: TE, message: 'device.parse: operand 1 must be string but got array' },
  ]);
});

test('device.parse: answers are fresh objects, so callers cannot corrupt the cache', () => {
  const a = call('device.parse', UA.safariIPhone) as PlainObject;
  const b = call('device.parse', UA.safariIPhone) as PlainObject;
  assert.notEqual(a, b, 'a fresh object per call');
  assert.deepEqual(a, b);
  assert.ok(!Object.isFrozen(a), 'the engine may treat the answer as an ordinary value');
  a.type = 'desktop';
  a.os = 'Windows';
  delete a.model;
  assert.deepEqual(call('device.parse', UA.safariIPhone), b, 'the cached entry is untouched');
  assert.deepEqual(Object.keys(b).sort(), ['browser', 'browser_version', 'engine', 'model', 'os', 'os_version', 'type', 'vendor']);
});

test('device.parse: many distinct User-Agents (cache eviction) keep answering correctly', () => {
  for (let i = 0; i < 1200; i++) {
    const got = call('device.parse', `Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${i}.0.0.0 Safari/537.36`) as PlainObject;
    assert.equal(got.browser_version, `${i}.0.0.0`);
    assert.equal(got.type, 'desktop');
  }
  assert.equal((call('device.parse', UA.chromeWindows) as PlainObject).browser_version, '124.0.0.0');
});

const FP = 'ab'.repeat(32);
const FP_COLONS = Array.from({ length: 32 }, () => 'AB').join(':');
const OTHER = '0123456789abcdef'.repeat(4);

test('device.posture: defaults fail closed', () => {
  const none = { managed: false, compliant: false, disk_encrypted: false, os_patch_age_days: UNKNOWN_PATCH_AGE_DAYS, client_cert_fingerprint: '', device_id: '' };
  check('device.posture', [
    { note: 'empty report', args: [{}], want: none },
    { note: 'unknown keys are dropped', args: [{ jailbroken: false, extra: 1 }], want: none },
    {
      note: 'a full, healthy report',
      args: [{ managed: true, compliant: true, disk_encrypted: true, os_patch_age_days: 3, client_cert_fingerprint: 'SHA256=' + FP_COLONS, device_id: 'dev-42' }],
      want: { managed: true, compliant: true, disk_encrypted: true, os_patch_age_days: 3, client_cert_fingerprint: FP, device_id: 'dev-42' },
    },
    {
      note: 'wrong types are the insecure answer',
      args: [{ managed: 'true', compliant: 1, disk_encrypted: null, os_patch_age_days: '3', client_cert_fingerprint: 42, device_id: 7 }],
      want: none,
    },
    { note: 'explicit false', args: [{ managed: false, compliant: false }], want: none },
    { note: 'fractional ages round up', args: [{ os_patch_age_days: 30.2 }], want: { ...none, os_patch_age_days: 31 } },
    { note: 'zero days is fine', args: [{ os_patch_age_days: 0 }], want: { ...none, os_patch_age_days: 0 } },
    { note: 'negative age is unknown', args: [{ os_patch_age_days: -1 }], want: none },
    { note: 'huge ages are capped', args: [{ os_patch_age_days: 1e300 }], want: none },
    { note: 'huge integer ages are capped', args: [{ os_patch_age_days: 2n ** 70n }], want: none },
    { note: 'a SHA-1 fingerprint is not accepted', args: [{ client_cert_fingerprint: 'ab'.repeat(20) }], want: none },
    { note: 'non-string keys are ignored', args: [obj([1, true], ['managed', true])], want: { ...none, managed: true } },
    { args: ['managed'], error: TE, message: 'device.posture: operand 1 must be object but got string' },
    { args: [null], error: TE, message: 'device.posture: operand 1 must be object but got null' },
    { args: [[{ managed: true }]], error: TE, message: 'device.posture: operand 1 must be object but got array' },
  ]);
});

test('device.fingerprint_matches: normalisation', () => {
  check('device.fingerprint_matches', [
    { note: 'identical', args: [FP, [FP]], want: true },
    { note: 'openssl colons and upper case', args: [FP_COLONS, [FP]], want: true },
    { note: 'trusted side normalised too', args: [FP, set(FP_COLONS)], want: true },
    { note: 'sha256: prefix', args: ['sha256:' + FP, [FP]], want: true },
    { note: 'SHA256= prefix', args: ['SHA256=' + FP_COLONS, [FP]], want: true },
    { note: 'sha-256: prefix', args: ['SHA-256:' + FP, [FP]], want: true },
    { note: 'openssl 3 output', args: ['sha256 Fingerprint=' + FP_COLONS, [FP]], want: true },
    { note: 'surrounding white space', args: ['  ' + FP + '\n', [FP]], want: true },
    { note: 'one of several (set)', args: [FP, set(OTHER, FP)], want: true },
    { note: 'one of several (array)', args: [FP_COLONS, [OTHER, 'sha256:' + FP]], want: true },
    { note: 'different fingerprint', args: [FP, [OTHER]], want: false },
    { note: 'empty trust list', args: [FP, []], want: false },
    { note: 'empty set', args: [FP, set()], want: false },
    { note: 'empty fingerprint (posture default)', args: ['', [FP, '']], want: false },
    { note: 'one digit short', args: [FP.slice(1), [FP]], want: false },
    { note: 'one digit short on both sides', args: [FP.slice(1), [FP.slice(1)]], want: false },
    { note: 'one digit long', args: [FP + 'a', [FP + 'a']], want: false },
    { note: 'prefix of a trusted one', args: [FP.slice(0, 32), [FP]], want: false },
    { note: 'SHA-1 length', args: ['ab'.repeat(20), ['ab'.repeat(20)]], want: false },
    { note: 'SHA-512 length', args: ['ab'.repeat(64), ['ab'.repeat(64)]], want: false },
    { note: 'non-hex', args: ['zz'.repeat(32), ['zz'.repeat(32)]], want: false },
    { note: 'base64 is not accepted', args: ['q6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s=', ['q6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s=']], want: false },
    { note: 'other digest prefix', args: ['sha1:' + FP, [FP]], want: false },
    { note: 'inner white space is not a separator', args: [FP.slice(0, 32) + ' ' + FP.slice(32), [FP]], want: false },
    { note: 'invalid trusted entries are skipped', args: [FP, ['nope', FP.slice(2), FP]], want: true },
    { note: 'very long text', args: ['a'.repeat(100_000), ['a'.repeat(100_000)]], want: false },
    { args: [1, [FP]], error: TE, message: 'device.fingerprint_matches: operand 1 must be string but got number' },
    { args: [FP, FP], error: TE, message: 'device.fingerprint_matches: operand 2 must be one of {set, array} but got string' },
    { args: [FP, [FP, 1]], error: TE, message: 'device.fingerprint_matches: operand 2 must be array of strings but got array containing number' },
    { args: [FP, set(null)], error: TE, message: 'device.fingerprint_matches: operand 2 must be set of strings but got set containing null' },
  ]);
});

test('through the engine: type errors are undefined, or raised with strict builtin errors', () => {
  const policy = compile({
    modules: {
      'device.pol': [
        'package gw',
        'kind := device.parse(input.ua).type',
        'managed := device.posture(input.device).managed',
        'trusted if device.fingerprint_matches(input.fp, ["' + FP + '"])',
      ].join('\n'),
    },
  });
  const code = (f: () => unknown): string | undefined => { try { f(); } catch (e) { assert.ok(e instanceof PolError); return e.code; } return undefined; };
  assert.equal(policy.evaluate('gw/kind', { ua: UA.safariIPad }), 'tablet');
  assert.equal(policy.evaluate('gw/kind', { ua: 42 }), undefined);
  assert.equal(code(() => policy.evaluate('gw/kind', { ua: 42 }, { strictBuiltinErrors: true })), 'eval_type_error');
  assert.equal(policy.evaluate('gw/managed', { device: { managed: true } }), true);
  assert.equal(policy.evaluate('gw/managed', { device: null }), undefined);
  assert.equal(code(() => policy.evaluate('gw/managed', { device: null }, { strictBuiltinErrors: true })), 'eval_type_error');
  assert.equal(policy.evaluate('gw/trusted', { fp: FP_COLONS }), true);
  assert.equal(policy.evaluate('gw/trusted', { fp: 7 }), undefined);
  assert.equal(code(() => policy.evaluate('gw/trusted', { fp: 7 }, { strictBuiltinErrors: true })), 'eval_type_error');
});

test('through the engine: a literal of the wrong type is a compile-time type error', () => {
  const code = (f: () => unknown): string | undefined => { try { f(); } catch (e) { assert.ok(e instanceof PolError); return e.code; } return undefined; };
  assert.equal(code(() => compile({ modules: { 'a.pol': 'package a\np := device.parse(1)' } })), 'rego_type_error');
  assert.equal(code(() => compile({ modules: { 'a.pol': 'package a\np := device.fingerprint_matches("x", "y")' } })), 'rego_type_error');
});
