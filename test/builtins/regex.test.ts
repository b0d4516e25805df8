import { test } from 'node:test';
import assert from 'node:assert/strict';
import { check } from './helpers.js';
import { compileRe2, RegexSyntaxError, translateRe2 } from '../../engine/builtins/re2.js';

const BE = 'eval_builtin_error' as const;

test('regex.match with RE2 syntax', () => {
  check('regex.match', [
    { args: ['^[a-z]+\\[[0-9]+\\]$', 'foo[1]'], want: true },
    { args: ['', 'x'], want: true },
    { args: ['^$', 'x'], want: false },
    { args: ['(?i)^abc$', 'ABC'], want: true },
    { args: ['^a(?i)bc$', 'aBC'], want: true, note: 'inline flags apply to the rest of the group' },
    { args: ['^a(?i)bc$', 'ABC'], want: false },
    { args: ['^(?i:a)b$', 'Ab'], want: true },
    { args: ['^(?i:a)b$', 'AB'], want: false },
    { args: ['^[[:alpha:]]+$', 'abcXYZ'], want: true },
    { args: ['^[[:digit:][:upper:]]+$', 'A1'], want: true },
    { args: ['^[^[:space:]]+$', 'a b'], want: false },
    { args: ['\\Aab\\z', 'ab'], want: true },
    { args: ['ab\\z', 'ab\n'], want: false },
    { args: ['ab$', 'ab\n'], want: false, note: 'Go $ without (?m) is end of text only' },
    { args: ['(?m)^b$', 'a\nb\nc'], want: true },
    { args: ['^a.c$', 'a\nc'], want: false },
    { args: ['(?s)^a.c$', 'a\nc'], want: true },
    { args: ['^a.c$', 'a\rc'], want: true, note: 'Go . matches \\r' },
    { args: ['\\Qa.b\\E', 'a.b'], want: true },
    { args: ['\\Qa.b\\E', 'axb'], want: false },
    { args: ['^\\s$', '\u00a0'], want: false, note: '\\s is ASCII in RE2' },
    { args: ['^\\pL+$', 'héllo'], want: true },
    { args: ['^\\p{Greek}+$', 'αβγ'], want: true },
    { args: ['^(?P<year>\\d{4})$', '2024'], want: true },
    { args: ['^x{2,3}$', 'xxx'], want: true },
    { args: ['a{,2}', 'a{,2}'], want: true, note: 'an invalid repeat is literal text in RE2' },
    { args: ['^\\-\\#$', '-#'], want: true },
    { args: ['^.$', '😀'], want: true },
    { args: ['^[]a]+$', ']a'], want: true },
    { args: ['^\\x41\\x{42}$', 'AB'], want: true },
    { args: ['$^[[[', 'x'], error: BE },
    { args: ['(?=a)', 'a'], error: BE, note: 'lookahead is not RE2' },
    { args: ['(a)\\1', 'aa'], error: BE, note: 'backreferences are not RE2' },
    { args: ['a**', 'a'], error: BE },
    { args: ['x{1001}', 'x'], error: BE },
  ]);
});

test('patterns that backtrack catastrophically are rejected, safe nested repetition is not', () => {
  for (const p of ['(a+)+$', '(a*)*b', '(a|aa)*(b*)*', '(.*a){2,}', '^(\\w+)*$', '(x+x+)+y']) {
    assert.throws(() => compileRe2(p), RegexSyntaxError, p);
  }
  for (const p of ['^(\\w+\\.)*\\w+$', '^([a-z]+-)+[a-z]+$', '(ab)+', '(a|b)*c', '^(\\d{1,3}\\.){3}\\d{1,3}$']) {
    assert.doesNotThrow(() => compileRe2(p), p);
  }
  const started = Date.now();
  check('regex.match', [{ args: ['^(\\w+\\.)*\\w+$', 'a'.repeat(900) + '!'], want: false }]);
  assert.ok(Date.now() - started < 2000);
});

test('compiled patterns are cached', () => {
  assert.equal(compileRe2('^cached[0-9]+$'), compileRe2('^cached[0-9]+$'));
  assert.equal(translateRe2('a.b').source, 'a[^\\n]b');
});

test('regex.is_valid', () => {
  check('regex.is_valid', [{ args: ['.+'], want: true }, { args: ['++'], want: false }, { args: [10], want: false }]);
});

test('regex.split, find_n, find_all_string_submatch_n', () => {
  check('regex.split', [
    { args: ['a', 'banana'], want: ['b', 'n', 'n', ''] },
    { args: ['z+', 'pizza'], want: ['pi', 'a'] },
    { args: ['^[a-z]+', 'foobar baz'], want: ['', ' baz'] },
    { args: ['[a-z]+$', 'foobar baz'], want: ['foobar ', ''] },
    { args: ['^[a-z ]+$', 'foobar baz'], want: ['', ''] },
    { args: ['x', ''], want: [''] },
  ]);
  check('regex.find_n', [
    { args: ['a.', 'paranormal', -1], want: ['ar', 'an', 'al'] },
    { args: ['a.', 'paranormal', 2], want: ['ar', 'an'] },
    { args: ['a.', 'paranormal', 0], want: [] },
    { args: ['^a.', 'abacad', -1], want: ['ab'] },
    { args: ['a*', 'baaab', -1], want: ['', 'aaa', ''], note: 'empty match right after a match is skipped, as Go' },
  ]);
  check('regex.find_all_string_submatch_n', [
    { args: ['a(x*)b', '-ab-axb-', -1], want: [['ab', ''], ['axb', 'x']] },
    { args: ['[^aouiye]([aouiye])([^aouiye])?', 'somestri', -1], want: [['som', 'o', 'm'], ['ri', 'i', '']] },
    { args: ['a(x*)b', '-', -1], want: [] },
  ]);
});

test('regex.replace expands Go templates', () => {
  check('regex.replace', [
    { args: ['-wy-wxxy-', 'w(x*)y', '0'], want: '-0-0-' },
    { args: ['foo', '(foo)', '$1$1'], want: 'foofoo' },
    { args: ['foo', '(foo)', '${1}x'], want: 'foox' },
    { args: ['foo', '(foo)', '$1x'], want: '', note: '$1x names group "1x", which does not exist' },
    { args: ['foo', '(?P<w>foo)', '<$w>'], want: '<foo>' },
    { args: ['foo', 'o', '$$'], want: 'f$$' },
    { args: ['foo bar', '[a-z]', '_'], want: '___ ___' },
    { args: ['foo', '[', '$1'], error: BE },
  ]);
});

test('regex.template_match and regex.globs_match', () => {
  check('regex.template_match', [
    { args: ['urn:foo:{.*}', 'urn:foo:bar:baz', '{', '}'], want: true },
    { args: ['urn:foo.<[a-z]+>', 'urn:fooXbar', '<', '>'], want: false, note: 'literal text is quoted' },
  ]);
  check('regex.globs_match', [
    { args: ['a.a.[0-9]+z', '.b.b2359825792*594823z'], want: true },
    { args: ['[a-z]+', '[0-9]*'], want: false },
    { args: ['b.*', 'bar'], want: true },
    { args: ['pqrs]', '[a-b]+'], error: BE, message: "regex.globs_match: input:pqrs], pos:5, set-close ']' with no preceding '[': the input provided is invalid" },
  ]);
});

test('patterns whose backtracking is polynomial refuse inputs long enough to hang', () => {
  const long = 'a'.repeat(100_000);
  check('regex.match', [
    { args: ['^[a-z]+$', long], want: true, note: 'one repetition, anchored: no limit' },
    { args: ['a.*b', long], error: 'eval_builtin_error', note: 'unanchored search with a repetition' },
    { args: ['^.*a.*b$', 'a'.repeat(1000) + 'b'], want: true, note: 'short inputs still match' },
  ]);
  const started = Date.now();
  check('regex.match', [{ args: ['a.*b', 'a'.repeat(30_000)], want: false }]);
  assert.ok(Date.now() - started < 5000);
});

test('flag groups', () => {
  check('regex.match', [
    { args: ['^(?:ab)+$', 'abab'], want: true },
    { args: ['^(?i:ab)(?-i:c)$', 'ABc'], want: true },
    { args: ['^(?i:ab)(?-i:c)$', 'ABC'], want: false },
    { args: ['(?-)a', 'a'], error: 'eval_builtin_error' },
    { args: ['(?U)a+', 'aaa'], want: true },
  ]);
  check('regex.find_n', [{ args: ['(?U)a+', 'aaa', 1], want: ['a'] }, { args: ['a+?', 'aaa', 1], want: ['a'] }]);
});
