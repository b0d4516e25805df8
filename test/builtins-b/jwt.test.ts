import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { assertError, call, context } from './helpers.js';
import { MAX_KEY_TEXT, verificationKeys } from '../../engine/builtins/jwt/keys.js';
import { decodeBase64Url } from '../../engine/builtins/jwt/base64.js';
import { parseJson, goMarshal } from '../../engine/builtins/jwt/json.js';
import { PolSet, type PlainObject, type Value } from '../../engine/value.js';

const S = 1_000_000_000;
const NOW_S = 1_700_000_000;
const b64 = (s: string) => Buffer.from(s).toString('base64url');
const jwkOf = (k: KeyObject, extra: PlainObject = {}): PlainObject => ({ ...(k.export({ format: 'jwk' }) as PlainObject), ...extra });
const pemOf = (k: KeyObject) => k.export({ format: 'pem', type: 'spki' }) as string;

const pairs = {
  RS256: generateKeyPairSync('rsa', { modulusLength: 2048 }),
  ES256: generateKeyPairSync('ec', { namedCurve: 'P-256' }),
  ES384: generateKeyPairSync('ec', { namedCurve: 'P-384' }),
  ES512: generateKeyPairSync('ec', { namedCurve: 'P-521' }),
  EdDSA: generateKeyPairSync('ed25519'),
};
const other = generateKeyPairSync('rsa', { modulusLength: 2048 });

function sign(alg: string, payload: PlainObject, key: PlainObject, header: PlainObject = {}): string {
  return call('io.jwt.encode_sign', [{ alg, typ: 'JWT', ...header }, payload, key]) as string;
}

const families: [string, string, KeyObject, KeyObject][] = [
  ['RS256', 'io.jwt.verify_rs256', pairs.RS256.privateKey, pairs.RS256.publicKey],
  ['RS384', 'io.jwt.verify_rs384', pairs.RS256.privateKey, pairs.RS256.publicKey],
  ['RS512', 'io.jwt.verify_rs512', pairs.RS256.privateKey, pairs.RS256.publicKey],
  ['PS256', 'io.jwt.verify_ps256', pairs.RS256.privateKey, pairs.RS256.publicKey],
  ['PS384', 'io.jwt.verify_ps384', pairs.RS256.privateKey, pairs.RS256.publicKey],
  ['PS512', 'io.jwt.verify_ps512', pairs.RS256.privateKey, pairs.RS256.publicKey],
  ['ES256', 'io.jwt.verify_es256', pairs.ES256.privateKey, pairs.ES256.publicKey],
  ['ES384', 'io.jwt.verify_es384', pairs.ES384.privateKey, pairs.ES384.publicKey],
  ['ES512', 'io.jwt.verify_es512', pairs.ES512.privateKey, pairs.ES512.publicKey],
  ['EdDSA', 'io.jwt.verify_eddsa', pairs.EdDSA.privateKey, pairs.EdDSA.publicKey],
];

test('encode_sign then verify, for every asymmetric algorithm and key form', () => {
  for (const [alg, verify, priv, pub] of families) {
    const token = sign(alg, { sub: 'alice' }, jwkOf(priv));
    assert.equal(call(verify, [token, pemOf(pub)]), true, `${alg} PEM`);
    assert.equal(call(verify, [token, JSON.stringify(jwkOf(pub))]), true, `${alg} JWK`);
    assert.equal(call(verify, [token, JSON.stringify({ keys: [jwkOf(pub, { alg })] })]), true, `${alg} JWKS`);
    assert.equal(call(verify, [token, pemOf(other.publicKey)]), false, `${alg} wrong key`);
    // A JWKS key declaring another algorithm is not tried.
    const otherAlg = alg === 'EdDSA' ? 'ES256' : 'EdDSA';
    assert.equal(call(verify, [token, JSON.stringify({ keys: [jwkOf(pub, { alg: otherAlg })] })]), false, `${alg} alg mismatch`);
    // Tampered payload.
    const [h, , s] = token.split('.');
    assert.equal(call(verify, [`${h}.${b64('{"sub":"mallory"}')}.${s}`, pemOf(pub)]), false, `${alg} tampered`);
    const [, claims] = call('io.jwt.decode', [token]) as Value[];
    assert.deepEqual(claims, { sub: 'alice' });
  }
});

test('remembered signature outcomes stay per algorithm family and token', () => {
  const token = sign('RS256', { sub: 'a' }, jwkOf(pairs.RS256.privateKey));
  const pem = pemOf(pairs.RS256.publicKey);
  for (let i = 0; i < 2; i++) {
    assert.equal(call('io.jwt.verify_rs256', [token, pem]), true);
    assert.equal(call('io.jwt.verify_ps256', [token, pem]), false);
    assert.equal(call('io.jwt.verify_rs256', [token.slice(0, -2) + (token.endsWith('AA') ? 'BB' : 'AA'), pem]), false);
    assert.equal((call('io.jwt.decode_verify', [token, { cert: pem }]) as Value[])[0], true);
    assert.equal((call('io.jwt.decode_verify', [token, { cert: pemOf(other.publicKey) }]) as Value[])[0], false);
  }
});

test('kid selects the key in a JWKS', () => {
  const token = sign('RS256', { sub: 'a' }, jwkOf(pairs.RS256.privateKey), { kid: 'k2' });
  const jwks = (k1: KeyObject, k2: KeyObject) => JSON.stringify({ keys: [jwkOf(k1, { kid: 'k1' }), jwkOf(k2, { kid: 'k2' })] });
  assert.equal(call('io.jwt.verify_rs256', [token, jwks(other.publicKey, pairs.RS256.publicKey)]), true);
  // The kid match is authoritative: the right key under another kid is not tried.
  assert.equal(call('io.jwt.verify_rs256', [token, jwks(pairs.RS256.publicKey, other.publicKey)]), false);
  // Without a kid match, every key is tried.
  const noKid = JSON.stringify({ keys: [jwkOf(other.publicKey, { kid: 'x' }), jwkOf(pairs.RS256.publicKey, { kid: 'y' })] });
  assert.equal(call('io.jwt.verify_rs256', [token, noKid]), true);
});

test('HMAC verification and signing', () => {
  const key = { kty: 'oct', k: b64('secret') };
  for (const [alg, fn] of [['HS256', 'io.jwt.verify_hs256'], ['HS384', 'io.jwt.verify_hs384'], ['HS512', 'io.jwt.verify_hs512']] as const) {
    const token = sign(alg, { n: 1 }, key);
    assert.equal(call(fn, [token, 'secret']), true, alg);
    assert.equal(call(fn, [token, 'secrets']), false, alg);
  }
  assertError(() => call('io.jwt.verify_hs256', ['a.b', 'secret']), 'io.jwt.verify_hs256: encoded JWT must have 3 sections, found 2');
  assertError(() => call('io.jwt.verify_hs256', ['a.b.c!', 'secret']), 'illegal base64 data at input byte 1');
  assertError(() => call('io.jwt.verify_hs256', ['a.b.c', 1]), 'operand 2 must be string but got number', 'eval_type_error');
});

test('verification key errors', () => {
  const token = sign('RS256', {}, jwkOf(pairs.RS256.privateKey));
  const pem = pemOf(pairs.RS256.publicKey);
  // CRLF line ends and text before the block are accepted, as Go's PEM decoder accepts them.
  assert.equal(call('io.jwt.verify_rs256', [token, 'issuer key\n' + pem.replace(/\n/g, '\r\n')]), true);
  assertError(() => call('io.jwt.verify_rs256', [token, pem + 'EXTRA']), 'io.jwt.verify_rs256: extra data after a PEM certificate block');
  assertError(() => call('io.jwt.verify_rs256', [token, pem + '\n']), 'extra data after a PEM certificate block');
  assertError(() => call('io.jwt.verify_rs256', [token, pem.replace(/PUBLIC KEY/g, 'RSA THING')]), 'failed to extract a Key from the PEM certificate');
  assertError(() => call('io.jwt.verify_rs256', [token, pem.replace(/PUBLIC KEY/g, 'CERTIFICATE')]), 'failed to parse a PEM certificate');
  assertError(() => call('io.jwt.verify_rs256', [token, '{"kty":"bogus"}']), 'failed to parse a JWK key (set)');
  assertError(() => call('io.jwt.verify_rs256', [token, 'not a key']), 'failed to parse a JWK key (set)');
  assertError(() => call('io.jwt.verify_rs256', [token, ' '.repeat(MAX_KEY_TEXT + 1)]), 'key text longer than');
  // Parsed keys are memoised per text.
  const text = JSON.stringify(jwkOf(pairs.ES256.publicKey));
  assert.equal(verificationKeys(text), verificationKeys(text));
});

test('decode: structure and encoding errors', () => {
  assertError(() => call('io.jwt.decode', ['abc']), 'io.jwt.decode: encoded JWT had no period separators');
  assertError(() => call('io.jwt.decode', ['a.b.c.d']), 'encoded JWT must have 3 sections, found 4');
  assertError(() => call('io.jwt.decode', [`${b64('[1]')}.${b64('{}')}.`]), 'bad JWT header: decoded JSON type was not an Object');
  assertError(() => call('io.jwt.decode', [`${b64('{"alg":')}.${b64('{}')}.`]), 'bad JWT header: invalid JSON');
  assertError(() => call('io.jwt.decode', [`${b64('{"alg":"HS256"}')}.${b64('"x"')}.`]), 'decoded JSON type was not an Object');
  assertError(() => call('io.jwt.decode', [`${b64('{"alg":"HS256"}')}.a.`]), 'JWT payload had invalid encoding: illegal base64url string: a');
  const d = call('io.jwt.decode', [`${b64('{"alg":"none"}')}.${b64('{"big":12345678901234567890,"__proto__":1}')}.`]) as Value[];
  assert.equal((d[1] as PlainObject)['big'], 12345678901234567890n);
  assert.ok(Object.prototype.hasOwnProperty.call(d[1], '__proto__'));
  assert.equal(d[2], '');
});

test('decode_verify: claims against constraints', () => {
  const key = { kty: 'oct', k: b64('s3cret') };
  const tok = (claims: PlainObject) => sign('HS256', claims, key);
  const dv = (token: string, c: PlainObject) => call('io.jwt.decode_verify', [token, { secret: 's3cret', ...c }], context(BigInt(NOW_S) * 1_000_000_000n)) as Value[];
  assert.deepEqual(dv(tok({ iss: 'x' }), {}), [true, { alg: 'HS256', typ: 'JWT' }, { iss: 'x' }]);
  assert.equal(dv(tok({ iss: 'x' }), { iss: 'x' })[0], true);
  assert.equal(dv(tok({ iss: 'x' }), { iss: 'y' })[0], false);
  assert.equal(dv(tok({}), { iss: 'x' })[0], false);
  assert.equal(dv(tok({ aud: 'api' }), {})[0], false, 'an audience claim needs an aud constraint');
  assert.equal(dv(tok({ aud: ['web', 'api'] }), { aud: 'api' })[0], true);
  assert.equal(dv(tok({}), { aud: 'api' })[0], false);
  assert.equal(dv(tok({ exp: NOW_S + 10 }), {})[0], true);
  assert.equal(dv(tok({ exp: NOW_S }), {})[0], false, 'exp is exclusive');
  assert.equal(dv(tok({ nbf: NOW_S }), {})[0], true, 'nbf is inclusive');
  assert.equal(dv(tok({ nbf: NOW_S + 1 }), {})[0], false);
  assert.equal(dv(tok({ nbf: NOW_S + 1 }), { time: (NOW_S + 1) * S })[0], true);
  assert.equal(dv(tok({}), { alg: 'HS512' })[0], false);
  assert.deepEqual(dv(tok({}), { secret: 'wrong' }), [false, {}, {}]);
  assertError(() => dv(tok({ exp: null }), {}), 'io.jwt.decode_verify: exp value must be a number');
  assertError(() => dv(tok({ nbf: 'soon' }), {}), 'nbf value must be a number');
});

test('decode_verify: constraint errors', () => {
  const token = sign('HS256', {}, { kty: 'oct', k: b64('k') });
  const dv = (c: Value) => call('io.jwt.decode_verify', [token, c]);
  assertError(() => dv({}), 'io.jwt.decode_verify: no key constraint');
  assertError(() => dv({ secret: 'k', cert: pemOf(other.publicKey) }), 'duplicate key constraints');
  assertError(() => dv({ secret: 'k', foo: 1 }), 'unknown token validation constraint: foo');
  assertError(() => dv({ secret: 1 }), 'secret constraint: must be a string');
  assertError(() => dv({ cert: 1 }), 'cert constraint: must be a string');
  assertError(() => dv({ secret: 'k', time: -1 }), 'token time constraint: must not be negative');
  assertError(() => dv({ secret: 'k', time: 'now' }), 'token time constraint: must be a number');
  assertError(() => dv('x'), 'operand 2 must be object but got string', 'eval_type_error');
});

test('decode_verify: JWKS with an oct key, crit headers, nested tokens', () => {
  const jwks = JSON.stringify({ keys: [{ kty: 'oct', k: b64('k'), alg: 'HS256', kid: 'h' }] });
  const token = sign('HS256', { a: 1 }, { kty: 'oct', k: b64('k') }, { kid: 'h' });
  assert.equal((call('io.jwt.decode_verify', [token, { cert: jwks }]) as Value[])[0], true);
  const critical = call('io.jwt.encode_sign', [{ alg: 'HS256', crit: ['exp2'], exp2: 1 }, {}, { kty: 'oct', k: b64('k') }]) as string;
  assert.equal((call('io.jwt.decode_verify', [critical, { secret: 'k' }]) as Value[])[0], false);
  const inner = sign('HS256', { deep: true }, { kty: 'oct', k: b64('k') });
  const outer = call('io.jwt.encode_sign_raw', ['{"alg":"HS256","cty":"JWT","typ":"JOSE"}', inner, JSON.stringify({ kty: 'oct', k: b64('k') })]) as string;
  assert.deepEqual(call('io.jwt.decode_verify', [outer, { secret: 'k' }]), [true, { alg: 'HS256', typ: 'JWT' }, { deep: true }]);
});

test('encode_sign: Go JSON encoding and header errors', () => {
  const key = { kty: 'oct', k: b64('k') };
  const token = call('io.jwt.encode_sign', [{ alg: 'HS256' }, { b: '<&>', a: new PolSet(['y', 'x']), n: 12345678901234567890n }, key]) as string;
  assert.equal(decodeBase64Url(token.split('.')[1]!).toString(), '{"a":["x","y"],"b":"\\u003c\\u0026\\u003e","n":12345678901234567890}');
  const raw = (h: string, p: string) => call('io.jwt.encode_sign_raw', [h, p, JSON.stringify(key)]);
  assertError(() => raw('{}', '{}'), `io.jwt.encode_sign_raw: missing or invalid 'alg' header: jwsbb: header "alg" not found`);
  assertError(() => raw('', '{}'), "missing or invalid 'alg' header: cannot parse JSON: cannot parse empty string");
  assertError(() => raw('{"alg":"none"}', '{}'), 'unknown JWS algorithm: none');
  assertError(() => raw('{"alg":"HS256"}', 'not json'), 'type is JWT but payload is not JSON');
  assert.equal(typeof raw('{"alg":"HS256","typ":"text/plain"}', 'not json'), 'string');
  assertError(() => call('io.jwt.encode_sign_raw', ['{"alg":"RS256"}', '{}', JSON.stringify(key)]), 'invalid key type for RS256');
  assertError(() => call('io.jwt.encode_sign_raw', ['{"alg":"ES256"}', '{}', JSON.stringify(jwkOf(pairs.ES256.publicKey))]), 'invalid key type for ES256');
  assertError(() => call('io.jwt.encode_sign_raw', ['{"alg":"HS256"}', '{}', '{"keys":[]}']), 'no keys found in JWK set');
});

test('base64url segments decode as OPA decodes them, with Go error positions', () => {
  assert.equal(decodeBase64Url('YQ').toString(), 'a');
  assert.equal(decodeBase64Url('YWI').toString(), 'ab');
  assert.equal(decodeBase64Url('YWJj').toString(), 'abc');
  assert.equal(decodeBase64Url('YQ==').toString(), 'a');
  assert.equal(decodeBase64Url('Y\nQ==').toString(), 'a', 'newlines are skipped');
  assert.equal(decodeBase64Url('_-8').toString('hex'), 'ffef');
  const bad: [string, string][] = [
    ['Y', 'illegal base64url string: Y'], ['YQ=', 'illegal base64 data at input byte 3'],
    ['YQ==YQ', 'illegal base64 data at input byte 4'], ['Y===', 'illegal base64 data at input byte 1'],
    ['YQ+/', 'illegal base64 data at input byte 2'], ['YWJj!A', 'illegal base64 data at input byte 4'],
  ];
  for (const [input, message] of bad) assert.throws(() => decodeBase64Url(input), { message }, input);
});

test('lossless JSON and Go marshalling helpers', () => {
  assert.deepEqual(parseJson('{"a":1,"a":2}'), { a: 2 });
  assert.equal(parseJson('-9007199254740993'), -9007199254740993n);
  assert.equal(parseJson('1.5e3'), 1500);
  assert.throws(() => parseJson('{"a":1,}'));
  assert.throws(() => parseJson('[1] x'));
  assert.throws(() => parseJson('['.repeat(1000) + ']'.repeat(1000)));
  assert.equal(goMarshal({ z: 1, a: ['\u2028'] }), '{"a":["\\u2028"],"z":1}');
});
