/**
 * Keys for JWT verification and signing, read the way OPA reads them: one PEM block (a
 * certificate or an SPKI public key, nothing after it), or a JWK / JWK set as JSON. Parsed keys
 * are memoised by their text (bounded), so a policy that passes the same JWKS on every request
 * parses it once.
 */
import { createPrivateKey, createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';
import { isPlainObject, type PlainObject, type Value } from '../../value.js';
import { parseJson } from './json.js';

export type KeyMaterial = { kind: 'asymmetric'; key: KeyObject } | { kind: 'secret'; key: Buffer };
export interface VerificationKey { material: KeyMaterial; alg: string; kid: string }

export class KeyError extends Error {}

/** Algorithms OPA knows; JWKS keys declaring any other `alg` are skipped. */
export const TOKEN_ALGORITHMS: ReadonlySet<string> = new Set([
  'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'HS256', 'HS384', 'HS512', 'EdDSA',
]);

const CACHE_LIMIT = 256;
const CACHEABLE_LENGTH = 256 * 1024;
/** Certificates and key sets beyond this size are refused rather than scanned. */
export const MAX_KEY_TEXT = 1 << 20;
const verificationCache = new Map<string, VerificationKey[] | KeyError>();
const signingCache = new Map<string, KeyMaterial | KeyError>();

function memo<T>(cache: Map<string, T | KeyError>, text: string, make: () => T): T {
  const hit = cache.get(text);
  if (hit !== undefined) {
    if (hit instanceof KeyError) throw hit;
    return hit;
  }
  let result: T | KeyError;
  try { result = make(); } catch (e) {
    if (!(e instanceof KeyError)) throw e;
    result = e;
  }
  if (text.length <= CACHEABLE_LENGTH) {
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(text, result);
  }
  if (result instanceof KeyError) throw result;
  return result;
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

// ---- PEM ------------------------------------------------------------------------------------

interface PemBlock { type: string; der: Buffer; rest: string }

const PEM_BEGIN = /-----BEGIN ([^\n]*?)-----[ \t\r]*\n/g;

const PEM_SPACE = /[ \t\r\n]/g;
const PEM_BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** The first well-formed PEM block in `text` (Go's `pem.Decode`), or undefined. */
function decodePem(text: string): PemBlock | undefined {
  PEM_BEGIN.lastIndex = 0;
  for (let m = PEM_BEGIN.exec(text); m; m = PEM_BEGIN.exec(text)) {
    const type = m[1]!;
    const bodyStart = m.index + m[0].length;
    const endMarker = `-----END ${type}-----`;
    let endAt = text.startsWith(endMarker, bodyStart) ? bodyStart : text.indexOf('\n' + endMarker, bodyStart);
    if (endAt < 0) continue;
    const body = text.slice(bodyStart, endAt);
    if (endAt !== bodyStart) endAt += 1;
    // The END line may only be followed by spaces before its newline.
    let after = endAt + endMarker.length;
    const nl = text.indexOf('\n', after);
    const lineRest = text.slice(after, nl < 0 ? text.length : nl);
    if (lineRest.trim() !== '') continue;
    after = nl < 0 ? text.length : nl + 1;
    if ((body.split('\n', 1)[0] ?? '').includes(':')) continue; // encrypted-PEM headers are not supported
    const b64 = body.replace(PEM_SPACE, '');
    if (!PEM_BASE64.test(b64) || b64.length % 4 !== 0) continue;
    return { type, der: Buffer.from(b64, 'base64'), rest: text.slice(after) };
  }
  return undefined;
}

// ---- JWK ------------------------------------------------------------------------------------

function jwkEntries(text: string): PlainObject[] {
  let doc: Value;
  try { doc = parseJson(text); } catch (e) {
    throw new KeyError(`failed to parse a JWK key (set): ${message(e)}`);
  }
  if (!isPlainObject(doc)) throw new KeyError('failed to parse a JWK key (set): invalid JWK');
  if (Object.prototype.hasOwnProperty.call(doc, 'keys')) {
    const keys = doc['keys'];
    if (!Array.isArray(keys) || !keys.every(isPlainObject)) throw new KeyError('failed to parse a JWK key (set): "keys" must be an array of objects');
    return keys as PlainObject[];
  }
  return [doc];
}

const str = (o: PlainObject, k: string): string | undefined => {
  const v = Object.prototype.hasOwnProperty.call(o, k) ? o[k] : undefined;
  return typeof v === 'string' ? v : undefined;
};

/** A JWK as key material; `wantPrivate` imports private keys for signing. */
function jwkMaterial(jwk: PlainObject, wantPrivate: boolean): KeyMaterial {
  const kty = str(jwk, 'kty');
  if (kty === 'oct') {
    const k = str(jwk, 'k');
    if (k === undefined) throw new KeyError('failed to parse a JWK key (set): oct key without "k"');
    return { kind: 'secret', key: Buffer.from(k, 'base64url') };
  }
  if (kty !== 'RSA' && kty !== 'EC' && kty !== 'OKP') {
    throw new KeyError(`failed to parse a JWK key (set): invalid key type ${JSON.stringify(kty ?? '')}`);
  }
  // Node reads only the members it knows; pass plain strings.
  const plain: Record<string, string> = {};
  for (const k of Object.keys(jwk)) { const v = jwk[k]; if (typeof v === 'string') plain[k] = v; }
  try {
    const key = wantPrivate && plain['d'] !== undefined
      ? createPrivateKey({ key: plain, format: 'jwk' })
      : createPublicKey({ key: plain, format: 'jwk' });
    return { kind: 'asymmetric', key };
  } catch (e) {
    throw new KeyError(`failed to parse a JWK key (set): ${message(e)}`);
  }
}

// ---- public entry points --------------------------------------------------------------------

/** Keys from a PEM certificate / public key or a JWK / JWK set (the `cert` argument). */
export function verificationKeys(text: string): VerificationKey[] {
  return memo(verificationCache, text, () => {
    if (text.length > MAX_KEY_TEXT) throw new KeyError(`key text longer than ${MAX_KEY_TEXT} characters`);
    const block = decodePem(text);
    if (block) {
      if (block.rest.length > 0) throw new KeyError('extra data after a PEM certificate block');
      if (block.type === 'CERTIFICATE') {
        try {
          return [{ material: { kind: 'asymmetric', key: new X509Certificate(block.der).publicKey }, alg: '', kid: '' }];
        } catch (e) {
          throw new KeyError(`failed to parse a PEM certificate: ${message(e)}`);
        }
      }
      if (block.type === 'PUBLIC KEY') {
        try {
          return [{ material: { kind: 'asymmetric', key: createPublicKey({ key: block.der, format: 'der', type: 'spki' }) }, alg: '', kid: '' }];
        } catch (e) {
          throw new KeyError(`failed to parse a PEM public key: ${message(e)}`);
        }
      }
      throw new KeyError('failed to extract a Key from the PEM certificate');
    }
    const keys: VerificationKey[] = [];
    for (const jwk of jwkEntries(text)) {
      const material = jwkMaterial(jwk, false);
      const alg = str(jwk, 'alg') ?? '';
      if (alg !== '' && !TOKEN_ALGORITHMS.has(alg)) continue;
      keys.push({ material, alg, kid: str(jwk, 'kid') ?? '' });
    }
    return keys;
  });
}

/** The first key of a JWK / JWK set, private when it carries private members (`encode_sign`). */
export function signingKey(text: string): KeyMaterial {
  return memo(signingCache, text, () => {
    const entries = jwkEntries(text);
    if (entries.length === 0) throw new KeyError('no keys found in JWK set');
    return jwkMaterial(entries[0]!, true);
  });
}
