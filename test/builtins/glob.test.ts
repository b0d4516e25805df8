import { test } from 'node:test';
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
