import { test } from 'node:test';
import { check, obj, set } from './helpers.js';

const TE = 'eval_type_error' as const, BE = 'eval_builtin_error' as const;

test('concat, contains, startswith, endswith, lower, upper', () => {
  check('concat', [
    { args: ['/', ['', 'foo', 'bar']], want: '/foo/bar' },
    { args: [',', set('b', 'a')], want: 'a,b' },
    { args: [',', [1]], error: TE, message: 'concat: operand 2 must be array of strings but got array containing number' },
    { args: [1, []], error: TE, message: 'concat: operand 1 must be string but got number' },
  ]);
  check('contains', [{ args: ['abcdefgh', 'defg'], want: true }, { args: ['abc', 'ac'], want: false }]);
  check('startswith', [{ args: ['abcd', 'ab'], want: true }, { args: ['abcd', 'b'], want: false }]);
  check('endswith', [{ args: ['abcd', 'cd'], want: true }]);
  check('lower', [{ args: ['AbC'], want: 'abc' }, { args: ['ÅÄÖ'], want: 'åäö' }]);
  check('upper', [{ args: ['AbC'], want: 'ABC' }, { args: ['straße'], want: 'STRAßE', note: 'Go maps one character to one character' }]);
});

test('split, strings.split_n, replace, strings.replace_n', () => {
  check('split', [
    { args: ['a.b.c', '.'], want: ['a', 'b', 'c'] },
    { args: ['', '.'], want: [''] },
    { args: ['te😀', ''], want: ['t', 'e', '😀'] },
    { args: ['', ''], want: [] },
  ]);
  check('strings.split_n', [
    { args: ['a.b.c.d', '.', 2], want: ['a', 'b'] },
    { args: ['a.b.c.d', '.', -2], want: ['c', 'd'] },
    { args: ['a.b.c.d', '.', 0], want: [] },
    { args: ['a.b.c.d', '.', 10], want: ['a', 'b', 'c', 'd'] },
    { args: ['abc', '', -2], want: ['b', 'c'] },
    { args: ['a.b', '.', 1.5], error: TE, message: 'strings.split_n: operand 3 must be integer number but got floating-point number' },
  ]);
  check('replace', [
    { args: ['foo...bar', '..', ',,'], want: 'foo,,.bar' },
    { args: ['ab', '', '-'], want: '-a-b-' },
    { args: ['', 'x', 'y'], want: '' },
  ]);
  check('strings.replace_n', [
    { args: [{ '<': '&lt;', '>': '&gt;' }, '<b>'], want: '&lt;b&gt;' },
    { args: [{ f: 'x', foo: 'xxx' }, 'foobar'], want: 'xoobar' },
    { args: [{ ab: 'b', b: 'Y' }, 'baaabbbba'], want: 'YaabYYYa' },
    { args: [{ a: 'b', b: 'a' }, 'abba'], want: 'baab' },
    { args: [{ '': 'X', a: 'Y' }, 'ab'], want: 'XYXbX' },
    { args: [{ '': '-', 'é': 'e' }, 'aéb'], want: '-a-e-b-' },
    { args: [{ '': 'X' }, ''], want: 'X' },
    { args: [obj([2, 'x']), 'foo'], error: TE, message: 'strings.replace_n: operand 1 non-string key found in pattern object' },
    { args: [{ f: 100 }, 'foo'], error: TE, message: 'strings.replace_n: operand 1 non-string value found in pattern object' },
  ]);
});

test('trim family', () => {
  check('trim', [{ args: ['...foo.bar...', '.fr'], want: 'oo.ba' }, { args: ['¡¡¡foo, bar!!!', '!¡'], want: 'foo, bar' }, { args: ['', '.'], want: '' }]);
  check('trim_left', [{ args: ['¡¡¡foo!!!', '!¡'], want: 'foo!!!' }]);
  check('trim_right', [{ args: ['¡¡¡foo!!!', '!¡'], want: '¡¡¡foo' }, { args: ['a😀😀', '😀'], want: 'a' }]);
  check('trim_prefix', [{ args: ['¡¡¡foo', '¡¡¡'], want: 'foo' }, { args: ['foo', 'x'], want: 'foo' }]);
  check('trim_suffix', [{ args: ['foo, bar', ', bar'], want: 'foo' }, { args: ['foo', ''], want: 'foo' }]);
  check('trim_space', [{ args: [' \t\n foo, bar \n\t\r\n'], want: 'foo, bar' }, { args: ['\ufeffx'], want: '\ufeffx', note: 'BOM is not Go white space' }]);
});

test('substring, indexof, indexof_n, strings.count, strings.reverse', () => {
  check('substring', [
    { args: ['abcdefgh', 2, 3], want: 'cde' },
    { args: ['aåäö', 2, -1], want: 'äö' },
    { args: ['abc', 2, 10000], want: 'c' },
    { args: ['aaa', 3, -1], want: '' },
    { args: ['😀😁😂', 1, 1], want: '😁' },
    { args: ['aaa', -1, -1], error: BE, message: 'substring: negative offset' },
    { args: ['aaa', 0.5, 1], error: TE },
  ]);
  check('indexof', [{ args: ['abcabc', 'cab'], want: 2 }, { args: ['μx', 'x'], want: 1 }, { args: ['🍧🍨🧁🍰🍮', '🍮'], want: 4 }, { args: ['abc', 'z'], want: -1 }]);
  check('indexof_n', [{ args: ['dogcatdogcat', 'cat'], want: [3, 9] }, { args: ['😇😀😇😀', '😀'], want: [1, 3] }, { args: ['abc', 'z'], want: [] }]);
  check('strings.count', [
    { args: ['cheese', 'e'], want: 3 }, { args: ['11111', '11'], want: 2 }, { args: ['dummy', ''], want: 6 }, { args: ['', ''], want: 1 },
  ]);
  check('strings.reverse', [
    { args: ['bar'], want: 'rab' }, { args: ['1😀𝛾'], want: '𝛾😀1' },
    { args: [123], error: TE, message: 'strings.reverse: operand 1 must be string but got number' },
  ]);
});

test('strings.any_prefix_match and strings.any_suffix_match', () => {
  check('strings.any_prefix_match', [
    { args: [['a/b/c', 'e/f'], ['x/', 'e/']], want: true },
    { args: ['a/b/c', set('b/')], want: false },
    { args: [[], ['a']], want: false },
    { args: [[1], ['a']], error: TE, message: 'strings.any_prefix_match: operand 1 must be array of strings but got array containing number' },
    { args: [1, ['a']], error: TE, message: 'strings.any_prefix_match: operand 1 must be one of {string, set, array} but got number' },
  ]);
  check('strings.any_suffix_match', [{ args: [['a/b/c'], '/c'], want: true }, { args: ['a/b', ['/c']], want: false }]);
});

test('format_int', () => {
  check('format_int', [
    { args: [15.5, 16], want: 'f' },
    { args: [-15.5, 16], want: '-f' },
    { args: [5, 2], want: '101' },
    { args: [18446744073709551616n, 16], want: '10000000000000000' },
    { args: [4.1, 199], error: TE, message: 'format_int: operand 2 must be one of {2, 8, 10, 16}' },
  ]);
});
