/**
 * `io.jwt.*` with OPA's semantics, synchronously (jose's verify/sign are async, so signatures use
 * node:crypto directly). Failures to verify are `false` / `[false, {}, {}]`; malformed tokens,
 * keys and constraints are errors worded as OPA words them.
 */
import { BuiltinError, type BuiltinContext, type BuiltinImpl } from './types.js';
import { isPlainObject, objectGet, objectKeys, type PlainObject, type PolObject, type Value } from '../value.js';
import { objectOperand, stringOperand } from './time/operands.js';
import { Base64Error, encodeBase64Url } from './jwt/base64.js';
import { goMarshal, isValidJson, parseJson } from './jwt/json.js';
import { KeyError, TOKEN_ALGORITHMS, signingKey, verificationKeys, type KeyMaterial, type VerificationKey } from './jwt/keys.js';
import { SignError, algorithmSpec, signWith, verifySignature, type Family } from './jwt/algorithms.js';
import {
  TokenError, decodeHeader, decodePayloadText, decodeSignature, jsonObject, joseHeaderValid, parseJoseHeader, splitToken,
  type TokenParts,
} from './jwt/token.js';

/** Nested tokens (`cty: JWT`) deeper than this are refused. */
const MAX_NESTING = 32;

/** Runs `f`, turning the JWT helpers' own errors into builtin errors named after `name`. */
function guarded<T>(name: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof TokenError || e instanceof KeyError || e instanceof Base64Error || e instanceof SignError) {
      throw new BuiltinError(`${name}: ${e.message}`);
    }
    throw e;
  }
}

// ---- io.jwt.decode --------------------------------------------------------------------------

const SURROUNDING_QUOTES = /^["']+|["']+$/g;

function decodeToken(encoded: string, depth: number): Value[] {
  if (depth > MAX_NESTING) throw new TokenError('nested JWT too deep');
  const t = splitToken(encoded);
  const header = decodeHeader(t);
  let payloadText = decodePayloadText(t);
  if (objectGet(header, 'cty') === 'JWT') {
    // A nested token arrives quoted (as jwt.io produces it); strip quotes and decode it instead.
    payloadText = payloadText.replace(SURROUNDING_QUOTES, '');
    return decodeToken(payloadText, depth + 1);
  }
  const payload = jsonObject(payloadText);
  let signature: Buffer;
  try { signature = decodeSignature(t); } catch (e) {
    throw new TokenError(`JWT signature had invalid encoding: ${(e as Error).message}`);
  }
  return [header, payload, signature.toString('hex')];
}

const decode: BuiltinImpl = args => {
  const name = 'io.jwt.decode';
  const token = stringOperand(name, args, 0);
  return guarded(name, () => decodeToken(token, 0));
};

// ---- io.jwt.verify_* ------------------------------------------------------------------------

function signingInput(t: TokenParts): Buffer {
  return Buffer.from(`${t.header}.${t.payload}`, 'utf8');
}

/** Picks keys as OPA does: the `kid` match alone if there is one, else every key whose `alg` allows. */
function verifyWithKeys(keys: VerificationKey[], kid: string, alg: string, check: (m: KeyMaterial) => boolean): boolean {
  if (kid !== '') {
    const byKid = keys.find(k => k.kid === kid);
    if (byKid) return check(byKid.material);
  }
  for (const k of keys) {
    if (k.alg !== '' && k.alg !== alg) continue;
    if (check(k.material)) return true;
  }
  return false;
}

/**
 * Signature outcomes per parsed key set (the memoised key array is the identity) and token, so a
 * gateway that sees the same bearer token again skips the public-key operation. Only complete,
 * error-free verifications are remembered.
 */
const SIGNATURE_MEMO_LIMIT = 1024;
/** Per key set, per mode (`decode_verify`, or the verify builtin's family and hash), per token. */
const signatureMemo = new WeakMap<VerificationKey[], Map<string, Map<string, boolean>>>();

function memoisedSignature(keys: VerificationKey[], mode: string, token: string, verify: () => boolean): boolean {
  let modes = signatureMemo.get(keys);
  if (!modes) signatureMemo.set(keys, (modes = new Map()));
  let memo = modes.get(mode);
  if (!memo) modes.set(mode, (memo = new Map()));
  const hit = memo.get(token);
  if (hit !== undefined) return hit;
  const valid = verify();
  if (memo.size >= SIGNATURE_MEMO_LIMIT) memo.clear();
  memo.set(token, valid);
  return valid;
}

function verifyAsymmetric(name: string, family: Family, hash: string | null): BuiltinImpl {
  return args => {
    const token = stringOperand(name, args, 0);
    return guarded(name, () => {
      const t = splitToken(token);
      const keys = verificationKeys(stringOperand(name, args, 1));
      const signature = decodeSignature(t);
      const header = parseJoseHeader(decodeHeader(t));
      const input = signingInput(t);
      return memoisedSignature(keys, `${family}/${hash}`, token,
        () => verifyWithKeys(keys, header.kid, header.alg, m => verifySignature(family, hash, m, input, signature)));
    });
  };
}

function verifyHmac(name: string, hash: string): BuiltinImpl {
  return args => {
    const token = stringOperand(name, args, 0);
    const secret = stringOperand(name, args, 1);
    return guarded(name, () => {
      const t = splitToken(token);
      const signature = decodeSignature(t);
      return verifySignature('HS', hash, { kind: 'secret', key: Buffer.from(secret, 'utf8') }, signingInput(t), signature);
    });
  };
}

// ---- io.jwt.decode_verify -------------------------------------------------------------------

interface Constraints { keys?: VerificationKey[]; secret: string; alg: string; iss: string; aud: string; time: number }

function constraintString(name: string, v: Value): string {
  if (typeof v !== 'string') throw new TokenError(`${name} constraint: must be a string`);
  return v;
}

function timeConstraint(v: Value): number {
  if (typeof v !== 'number' && typeof v !== 'bigint') throw new TokenError('token time constraint: must be a number');
  const t = Number(v);
  if (t < 0) throw new TokenError('token time constraint: must not be negative');
  return t;
}

function parseConstraints(o: PlainObject | PolObject, ctx: BuiltinContext): Constraints {
  const c: Constraints = { secret: '', alg: '', iss: '', aud: '', time: -1 };
  const keys = objectKeys(o).sort((a, b) => String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0);
  for (const k of keys) {
    const v = objectGet(o, k)!;
    switch (k) {
      case 'cert': c.keys = verificationKeys(constraintString('cert', v)); break;
      case 'secret': c.secret = constraintString('secret', v); break;
      case 'alg': c.alg = constraintString('alg', v); break;
      case 'iss': c.iss = constraintString('iss', v); break;
      case 'aud': c.aud = constraintString('aud', v); break;
      case 'time': c.time = timeConstraint(v); break;
      default: throw new TokenError(`unknown token validation constraint: ${typeof k === 'string' ? k : JSON.stringify(k)}`);
    }
  }
  if (c.time === -1) c.time = Number(ctx.nowNs());
  const keyConstraints = (c.keys ? 1 : 0) + (c.secret !== '' ? 1 : 0);
  if (keyConstraints > 1) throw new TokenError('duplicate key constraints');
  if (keyConstraints < 1) throw new TokenError('no key constraint');
  return c;
}

/** `encoded` is the compact token, which determines header, input and signature (the memo key). */
function signatureVerifies(c: Constraints, encoded: string, kid: string, alg: string, input: Buffer, signature: Buffer): boolean {
  const spec = algorithmSpec(alg);
  if (!spec) return false;
  const check = (m: KeyMaterial) => verifySignature(spec.family, spec.hash, m, input, signature);
  const keys = c.keys;
  if (keys) return memoisedSignature(keys, 'decode_verify', encoded, () => verifyWithKeys(keys, kid, alg, check));
  return check({ kind: 'secret', key: Buffer.from(c.secret, 'utf8') });
}

function audienceMatches(aud: Value, wanted: string): boolean {
  if (typeof aud === 'string') return aud === wanted;
  return Array.isArray(aud) && aud.some(a => typeof a === 'string' && a === wanted);
}

const UNVERIFIED = (): Value => [false, {}, {}];

const decodeVerify: BuiltinImpl = (args, ctx) => {
  const name = 'io.jwt.decode_verify';
  const token = stringOperand(name, args, 0);
  const constraintsArg = objectOperand(name, args, 1);
  return guarded(name, () => {
    const c = parseConstraints(constraintsArg, ctx);
    let encoded = token;
    let header: PlainObject;
    let payloadText: string;
    for (let depth = 0; ; depth++) {
      if (depth > MAX_NESTING) throw new TokenError('nested JWT too deep');
      const t = splitToken(encoded);
      header = decodeHeader(t);
      const jose = parseJoseHeader(header);
      if (!joseHeaderValid(jose)) return UNVERIFIED();
      if (c.alg !== '' && c.alg !== jose.alg) return UNVERIFIED();
      const signature = decodeSignature(t);
      if (!signatureVerifies(c, encoded, jose.kid, jose.alg, signingInput(t), signature)) return UNVERIFIED();
      payloadText = decodePayloadText(t);
      if (jose.cty.toLowerCase() !== 'jwt') break;
      encoded = payloadText;
    }
    const payload = jsonObject(payloadText);
    if (c.iss !== '') {
      const iss = objectGet(payload, 'iss');
      if (typeof iss !== 'string' || iss !== c.iss) return UNVERIFIED();
    }
    const aud = objectGet(payload, 'aud');
    if (aud !== undefined ? !audienceMatches(aud, c.aud) : c.aud !== '') return UNVERIFIED();
    const nowSeconds = c.time / 1e9;
    const exp = objectGet(payload, 'exp');
    if (exp !== undefined) {
      if (typeof exp !== 'number' && typeof exp !== 'bigint') throw new TokenError('exp value must be a number');
      if (!(nowSeconds < exp)) return UNVERIFIED();
    }
    const nbf = objectGet(payload, 'nbf');
    if (nbf !== undefined) {
      if (typeof nbf !== 'number' && typeof nbf !== 'bigint') throw new TokenError('nbf value must be a number');
      if (nowSeconds < nbf) return UNVERIFIED();
    }
    return [true, header, payload];
  });
};

// ---- io.jwt.encode_sign / encode_sign_raw ---------------------------------------------------

/** The `alg` header member, with the error texts OPA's JWS library produces. */
function headerAlgorithm(headerText: string): string {
  const prefix = "missing or invalid 'alg' header: ";
  const trimmed = headerText.trim();
  if (trimmed === '') throw new TokenError(`${prefix}cannot parse JSON: cannot parse empty string`);
  let header: Value;
  try { header = parseJson(headerText); } catch (e) {
    if (trimmed.startsWith('{')) throw new TokenError(`${prefix}cannot parse JSON: ${(e as Error).message}`);
    throw new TokenError(`${prefix}jwsbb: header "alg" not found`);
  }
  const alg = isPlainObject(header) ? objectGet(header, 'alg') : undefined;
  if (alg === undefined) throw new TokenError(`${prefix}jwsbb: header "alg" not found`);
  if (typeof alg !== 'string') throw new TokenError(`${prefix}jwsbb: header "alg" is not a string`);
  return alg;
}

function encodeSign(headerText: string, payloadText: string, keyText: string): string {
  const key = signingKey(keyText);
  const alg = headerAlgorithm(headerText);
  if (!TOKEN_ALGORITHMS.has(alg)) throw new TokenError(`unknown JWS algorithm: ${alg}`);
  const header = parseJsonOrUndefined(headerText);
  const typ = header !== undefined && isPlainObject(header) ? objectGet(header, 'typ') : undefined;
  if ((typeof typ !== 'string' || typ === 'JWT') && !isValidJson(payloadText)) {
    throw new TokenError('type is JWT but payload is not JSON');
  }
  const input = `${encodeBase64Url(headerText)}.${encodeBase64Url(payloadText)}`;
  const signature = signWith(alg, key, Buffer.from(input, 'utf8'));
  return `${input}.${encodeBase64Url(signature)}`;
}

function parseJsonOrUndefined(text: string): Value | undefined {
  try { return parseJson(text); } catch { return undefined; }
}

const encodeSignRaw: BuiltinImpl = args => {
  const name = 'io.jwt.encode_sign_raw';
  const keyText = stringOperand(name, args, 2);
  const headerText = stringOperand(name, args, 0);
  const payloadText = stringOperand(name, args, 1);
  return guarded(name, () => encodeSign(headerText, payloadText, keyText));
};

const encodeSignObjects: BuiltinImpl = args => {
  const name = 'io.jwt.encode_sign';
  const header = objectOperand(name, args, 0);
  const payload = objectOperand(name, args, 1);
  const key = objectOperand(name, args, 2);
  return guarded(name, () => encodeSign(goMarshal(header), goMarshal(payload), goMarshal(key)));
};

export const impls: Record<string, BuiltinImpl> = {
  'io.jwt.decode': decode,
  'io.jwt.decode_verify': decodeVerify,
  'io.jwt.verify_hs256': verifyHmac('io.jwt.verify_hs256', 'sha256'),
  'io.jwt.verify_hs384': verifyHmac('io.jwt.verify_hs384', 'sha384'),
  'io.jwt.verify_hs512': verifyHmac('io.jwt.verify_hs512', 'sha512'),
  'io.jwt.verify_rs256': verifyAsymmetric('io.jwt.verify_rs256', 'RS', 'sha256'),
  'io.jwt.verify_rs384': verifyAsymmetric('io.jwt.verify_rs384', 'RS', 'sha384'),
  'io.jwt.verify_rs512': verifyAsymmetric('io.jwt.verify_rs512', 'RS', 'sha512'),
  'io.jwt.verify_ps256': verifyAsymmetric('io.jwt.verify_ps256', 'PS', 'sha256'),
  'io.jwt.verify_ps384': verifyAsymmetric('io.jwt.verify_ps384', 'PS', 'sha384'),
  'io.jwt.verify_ps512': verifyAsymmetric('io.jwt.verify_ps512', 'PS', 'sha512'),
  'io.jwt.verify_es256': verifyAsymmetric('io.jwt.verify_es256', 'ES', 'sha256'),
  'io.jwt.verify_es384': verifyAsymmetric('io.jwt.verify_es384', 'ES', 'sha384'),
  'io.jwt.verify_es512': verifyAsymmetric('io.jwt.verify_es512', 'ES', 'sha512'),
  'io.jwt.verify_eddsa': verifyAsymmetric('io.jwt.verify_eddsa', 'EdDSA', null),
  'io.jwt.encode_sign': encodeSignObjects,
  'io.jwt.encode_sign_raw': encodeSignRaw,
};

