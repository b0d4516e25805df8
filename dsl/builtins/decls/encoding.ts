import { T, type BuiltinDecl, type Type } from '../types.js';

const fn = (name: string, args: [string, Type, string][], result: Type, description: string, example: string): BuiltinDecl => ({
  name, category: 'encoding', result, description, example,
  args: args.map(([n, type, d]) => ({ name: n, type, description: d })),
});
const s = T.str;

export const decls: BuiltinDecl[] = [
  fn('base64.encode', [['x', s, 'string to encode']], s, 'Serializes the input string into base64 encoding.', 'base64.encode("hello")'),
  fn('base64.decode', [['x', s, 'string to decode']], s, 'Deserializes the base64 encoded input string.', 'base64.decode("aGVsbG8=")'),
  fn('base64.is_valid', [['x', s, 'string to check']], T.bool, 'Verifies the input string is base64 encoded.', 'base64.is_valid(input.token)'),
  fn('base64url.encode', [['x', s, 'string to encode']], s, 'Serializes the input string into base64url encoding.', 'base64url.encode("hello")'),
  fn('base64url.encode_no_pad', [['x', s, 'string to encode']], s, 'Serializes the input string into base64url encoding without padding.', 'base64url.encode_no_pad("hello")'),
  fn('base64url.decode', [['x', s, 'string to decode']], s, 'Deserializes the base64url encoded input string (padded or not).', 'base64url.decode("aGVsbG8")'),
  fn('hex.encode', [['x', s, 'string to encode']], s, 'Serializes the input string using hex-encoding.', 'hex.encode("hi")'),
  fn('hex.decode', [['x', s, 'a hex-encoded string']], s, 'Deserializes the hex-encoded input string.', 'hex.decode("6869")'),
  fn('urlquery.encode', [['x', s, 'the string to encode']], s, 'Encodes the input string into a URL-encoded query component.', 'urlquery.encode("a b&c")'),
  fn('urlquery.decode', [['x', s, 'the query string to decode']], s, 'Decodes a URL-encoded input string.', 'urlquery.decode("a+b%26c")'),
  fn('urlquery.encode_object', [['object', T.obj(s, T.or(s, T.arr(s), T.set(s))), 'the object to encode']], s,
    'Encodes the given object into a URL encoded query string (keys sorted).', 'urlquery.encode_object({"q": "x", "tag": ["a", "b"]})'),
  fn('urlquery.decode_object', [['x', s, 'the query string']], T.obj(s, T.arr(s)),
    'Decodes the given URL query string into an object of arrays of values.', 'urlquery.decode_object("a=1&a=2&b=3")'),
];
