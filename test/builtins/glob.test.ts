import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GlobAutomaton, globToRegex } from '../../engine/builtins/glob.js';
import { check } from './helpers.js';

test('glob.match', () => {
  check('glob.match', [
    { args: ['*.github.com', ['.'], 'api.github.com'], want: true },
    { args: ['*.github.com', ['.'], 'api.cdn.github.com'], want: false },
    { args: ['api.**.com', ['.'], 'api.cdn.github.com'], want: true },
    { args: ['*', [], 'foo.bar'], want: false, note: '[] means the default delimiter "."' },
    { args: ['*', null, 'foo.bar'], want: true, note: 'null means no delimiters' },
    { args: ['[!a-c]at', [], 'fat'], want: true },
    { args: ['?at', ['f'], 'fat'], want: false },
    { args: ['{cat,bat,[fr]at}', [], 'rat'], want: true },
    { args: ['{**/,}x', null, 'x'], want: true },
    { args: ['a/**/b', null, 'a/b'], want: false },
    { args: ['***', ['.'], ''], want: true },
    { args: ['\\*', null, '*'], want: true },
    { args: ['\\*', null, 'a'], want: false },
    { args: ['*?*', ['.', '/'], 'api.github.com'], want: false },
    { args: ['[abc', null, 'a'], error: 'eval_builtin_error' },
    { args: ['*', 'x', 'a'], error: 'eval_type_error' },
  ]);
});

test('glob.quote_meta', () => {
  check('glob.quote_meta', [{ args: ['*.github.com'], want: '\\*.github.com' }, { args: ['[a]{b}?'], want: '\\[a\\]\\{b\\}\\?' }]);
});

test('many-star globs run on the automaton, with the same answers as the regular expression and no blow-up', () => {
  const patterns = ['*a*b', '*.*.com', '**.x.*', '{a*,b*}*c', '*[!x]*?', 'a\\**b*', '{*.a,b.{c,*d}}*', '*'];
  const inputs = ['', 'ab', 'xaxb', 'a.b.com', 'x.y.z.com', 'q.x.r', 'ac', 'bzc', 'xyz', 'a*zb', 'b.zd', 'c.a', 'a.b.c'];
  for (const delims of [[], ['.'], ['.', 'z']]) {
    for (const p of patterns) {
      const re = new RegExp(globToRegex(p, delims), 'u');
      const nfa = new GlobAutomaton(p, delims);
      for (const s of inputs) assert.equal(nfa.test(s), re.test(s), `${p} ${JSON.stringify(delims)} ${s}`);
    }
  }
  const started = Date.now();
  check('glob.match', [{ args: ['*a*b*c*d', null, 'ab'.repeat(50000)], want: false }]);
  assert.ok(Date.now() - started < 3000);
});
