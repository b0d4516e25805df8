import { test } from 'node:test';
import { check, set } from './helpers.js';

const BE = 'eval_builtin_error' as const;

test('base64 and base64url', () => {
  check('base64.encode', [{ args: ['subjects?_d'], want: 'c3ViamVjdHM/X2Q=' }]);
  check('base64.decode', [
    { args: ['aGVsbG8='], want: 'hello' },
    { args: ['aGVsbG8'], error: BE, note: 'standard encoding requires padding' },
    { args: ['a$=='], error: BE },
  ]);
  check('base64.is_valid', [{ args: ['aGVsbG8='], want: true }, { args: ["{'not':'base64'}"], want: false }]);
  check('base64url.encode', [{ args: ['hello'], want: 'aGVsbG8=' }, { args: ['subjects?_d'], want: 'c3ViamVjdHM_X2Q=' }]);
  check('base64url.encode_no_pad', [{ args: ['hello'], want: 'aGVsbG8' }]);
  check('base64url.decode', [{ args: ['aGVsbG8='], want: 'hello' }, { args: ['aGVsbG8'], want: 'hello' }, { args: ['c3ViamVjdHM_X2Q'], want: 'subjects?_d' }, { args: ['a+b='], error: BE }]);
});

test('hex', () => {
  check('hex.encode', [{ args: ['lorem ipsum'], want: '6c6f72656d20697073756d' }]);
  check('hex.decode', [
    { args: ['6c6f72656d'], want: 'lorem' },
    { args: ['fghijkl'], error: BE, message: "hex.decode: encoding/hex: invalid byte: U+0067 'g'" },
    { args: ['abc'], error: BE, message: 'hex.decode: encoding/hex: odd length hex string' },
  ]);
});

test('urlquery', () => {
  check('urlquery.encode', [{ args: ['a=b+1 c'], want: 'a%3Db%2B1+c' }, { args: ['é~'], want: '%C3%A9~' }]);
  check('urlquery.decode', [{ args: ['a%3Db%2B1+c'], want: 'a=b+1 c' }, { args: ['%zz'], error: BE, message: 'urlquery.decode: invalid URL escape "%zz"' }]);
  check('urlquery.encode_object', [
    { args: [{ c: 'd', a: 'b' }], want: 'a=b&c=d' },
    { args: [{ a: ['b+1', 'c+2'] }], want: 'a=b%2B1&a=c%2B2' },
    { args: [{ a: set('y', 'x') }], want: 'a=x&a=y' },
    { args: [{}], want: '' },
  ]);
  check('urlquery.decode_object', [
    { args: ['a=1&b=2&a=3'], want: { a: ['1', '3'], b: ['2'] } },
    { args: ['a=1&b'], want: { a: ['1'], b: [''] } },
    { args: [''], want: {} },
    { args: ['__proto__=x'], want: JSON.parse('{"__proto__": ["x"]}') },
    { args: ['a=1;b=2'], error: BE },
  ]);
});
