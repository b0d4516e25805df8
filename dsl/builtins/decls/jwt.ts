import { T, type BuiltinDecl } from '../types.js';

const tokenArg = { name: 'jwt', type: T.str, description: 'JWT token whose signature is to be verified' };
const certArg = { name: 'certificate', type: T.str, description: 'PEM encoded certificate, PEM encoded public key, or the JWK key (set) used to verify the signature' };
const secretArg = { name: 'secret', type: T.str, description: 'plain text secret used to verify the signature' };

const verify = (alg: string, key: 'cert' | 'secret'): BuiltinDecl => ({
  name: `io.jwt.verify_${alg.toLowerCase()}`, category: 'tokens',
  args: [tokenArg, key === 'cert' ? certArg : secretArg],
  result: T.bool,
  description: `Verifies if a ${alg} JWT signature is valid.`,
  example: key === 'cert'
    ? `io.jwt.verify_${alg.toLowerCase()}(input.token, data.jwks)`
    : `io.jwt.verify_${alg.toLowerCase()}(input.token, data.secret)`,
});

export const decls: BuiltinDecl[] = [
  {
    name: 'io.jwt.decode', category: 'tokens',
    args: [{ name: 'jwt', type: T.str, description: 'JWT token to decode' }],
    result: T.arr(T.any),
    description: 'Decodes a JSON Web Token and outputs it as an object: `[header, payload, sig]` where `sig` is the hex-encoded signature. The signature is not verified.',
    example: '[header, payload, _] := io.jwt.decode(input.token)',
  },
  {
    name: 'io.jwt.decode_verify', category: 'tokens',
    args: [
      { name: 'jwt', type: T.str, description: 'JWT token whose signature is to be verified and whose claims are to be checked' },
      { name: 'constraints', type: T.obj(T.str, T.any), description: 'claim verification constraints: `cert` (PEM or JWK/JWKS) or `secret`, and optionally `alg`, `iss`, `aud`, `time` (ns; defaults to the evaluation clock)' },
    ],
    result: T.arr(T.any),
    description: 'Verifies a JWT signature under parameterized constraints and decodes the claims if it is valid: `[true, header, payload]`, or `[false, {}, {}]` when the signature or a claim check fails. Supports RS*, PS*, ES*, HS* and EdDSA.',
    example: '[valid, _, claims] := io.jwt.decode_verify(input.token, {"cert": data.jwks, "iss": "https://issuer.example", "aud": "api"})',
  },
  verify('HS256', 'secret'), verify('HS384', 'secret'), verify('HS512', 'secret'),
  verify('RS256', 'cert'), verify('RS384', 'cert'), verify('RS512', 'cert'),
  verify('PS256', 'cert'), verify('PS384', 'cert'), verify('PS512', 'cert'),
  verify('ES256', 'cert'), verify('ES384', 'cert'), verify('ES512', 'cert'),
  { ...verify('EdDSA', 'cert'), description: 'Verifies if an EdDSA (Ed25519) JWT signature is valid.' },
  {
    name: 'io.jwt.encode_sign', category: 'tokensign',
    args: [
      { name: 'headers', type: T.obj(T.str, T.any), description: 'JWS Protected Header' },
      { name: 'payload', type: T.obj(T.str, T.any), description: 'JWS Payload' },
      { name: 'key', type: T.obj(T.str, T.any), description: 'JSON Web Key (RFC7517)' },
    ],
    result: T.str,
    description: 'Encodes and optionally signs a JSON Web Token. Inputs are taken as objects, not encoded strings (see `io.jwt.encode_sign_raw`).',
    example: 'io.jwt.encode_sign({"alg": "HS256", "typ": "JWT"}, {"sub": "alice"}, {"kty": "oct", "k": data.key})',
  },
  {
    name: 'io.jwt.encode_sign_raw', category: 'tokensign',
    args: [
      { name: 'headers', type: T.str, description: 'JWS Protected Header' },
      { name: 'payload', type: T.str, description: 'JWS Payload' },
      { name: 'key', type: T.str, description: 'JSON Web Key (RFC7517)' },
    ],
    result: T.str,
    description: 'Encodes and optionally signs a JSON Web Token; the header, payload and key are JSON texts signed byte for byte as given.',
    example: 'io.jwt.encode_sign_raw(`{"alg":"HS256","typ":"JWT"}`, `{"sub":"alice"}`, data.jwk)',
  },
];
