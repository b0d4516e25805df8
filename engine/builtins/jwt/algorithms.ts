/**
 * JWS signature algorithms over node:crypto's synchronous primitives. ECDSA signatures are the
 * JWS `r || s` concatenation; verification splits them in halves (as OPA does) and checks the
 * DER form, so odd lengths fail instead of throwing.
 */
import { constants, createHmac, sign as nodeSign, timingSafeEqual, verify as nodeVerify, type KeyObject } from 'node:crypto';
import type { KeyMaterial } from './keys.js';

type Family = 'HS' | 'RS' | 'PS' | 'ES' | 'EdDSA';
interface AlgorithmSpec { family: Family; hash: string | null }

const SPECS: Readonly<Record<string, AlgorithmSpec>> = {
  HS256: { family: 'HS', hash: 'sha256' }, HS384: { family: 'HS', hash: 'sha384' }, HS512: { family: 'HS', hash: 'sha512' },
  RS256: { family: 'RS', hash: 'sha256' }, RS384: { family: 'RS', hash: 'sha384' }, RS512: { family: 'RS', hash: 'sha512' },
  PS256: { family: 'PS', hash: 'sha256' }, PS384: { family: 'PS', hash: 'sha384' }, PS512: { family: 'PS', hash: 'sha512' },
  ES256: { family: 'ES', hash: 'sha256' }, ES384: { family: 'ES', hash: 'sha384' }, ES512: { family: 'ES', hash: 'sha512' },
  EdDSA: { family: 'EdDSA', hash: null },
};

export function algorithmSpec(alg: string): AlgorithmSpec | undefined {
  return Object.prototype.hasOwnProperty.call(SPECS, alg) ? SPECS[alg] : undefined;
}

/** Whether the key can serve the algorithm family at all. */
function keyFits(family: Family, m: KeyMaterial): m is { kind: 'asymmetric'; key: KeyObject } {
  if (m.kind !== 'asymmetric') return false;
  const t = m.key.asymmetricKeyType;
  switch (family) {
    case 'RS': case 'PS': return t === 'rsa';
    case 'ES': return t === 'ec';
    case 'EdDSA': return t === 'ed25519';
    default: return false;
  }
}

/** DER `SEQUENCE { INTEGER r, INTEGER s }` from big-endian halves. */
function derSignature(sig: Buffer): Buffer {
  const half = sig.length >> 1;
  const int = (b: Buffer): Buffer => {
    let i = 0;
    while (i < b.length - 1 && b[i] === 0) i++;
    let v = b.subarray(i);
    if (v.length === 0) v = Buffer.from([0]);
    if (v[0]! & 0x80) v = Buffer.concat([Buffer.from([0]), v]);
    return Buffer.concat([Buffer.from([0x02]), derLength(v.length), v]);
  };
  const body = Buffer.concat([int(sig.subarray(0, half)), int(sig.subarray(half))]);
  return Buffer.concat([Buffer.from([0x30]), derLength(body.length), body]);
}
function derLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  if (n < 0x100) return Buffer.from([0x81, n]);
  return Buffer.from([0x82, n >> 8, n & 255]);
}

/**
 * Verifies `signature` over `input` with the algorithm's family and the given hash (the
 * `verify_*` builtins fix the hash; `decode_verify` takes it from the header's `alg`).
 */
export function verifySignature(family: Family, hash: string | null, material: KeyMaterial, input: Buffer, signature: Buffer): boolean {
  try {
    if (family === 'HS') {
      if (material.kind !== 'secret' || !hash) return false;
      const mac = createHmac(hash, material.key).update(input).digest();
      return mac.length === signature.length && timingSafeEqual(mac, signature);
    }
    if (!keyFits(family, material)) return false;
    const key = material.key;
    switch (family) {
      case 'RS': return nodeVerify(hash, input, key, signature);
      case 'PS': return nodeVerify(hash, input, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_AUTO }, signature);
      case 'ES':
        if (signature.length === 0 || signature.length > 264) return false;
        return nodeVerify(hash, input, { key, dsaEncoding: 'der' }, derSignature(signature));
      case 'EdDSA': return nodeVerify(null, input, key, signature);
    }
  } catch {
    // Malformed signatures and key/algorithm mismatches are failed verifications, not errors.
    return false;
  }
}

export class SignError extends Error {}

/** Signs `input` with a JWS algorithm; the key must suit it. */
export function signWith(alg: string, material: KeyMaterial, input: Buffer): Buffer {
  const spec = algorithmSpec(alg);
  if (!spec) throw new SignError(`unknown JWS algorithm: ${alg}`);
  if (spec.family === 'HS') {
    if (material.kind !== 'secret') throw new SignError(`invalid key type for ${alg}: expected a symmetric (oct) key`);
    return createHmac(spec.hash!, material.key).update(input).digest();
  }
  if (!keyFits(spec.family, material) || material.key.type !== 'private') {
    throw new SignError(`invalid key type for ${alg}: expected a matching private key`);
  }
  const key = material.key;
  try {
    switch (spec.family) {
      case 'RS': return nodeSign(spec.hash, input, key);
      case 'PS': return nodeSign(spec.hash, input, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST });
      case 'ES': return nodeSign(spec.hash, input, { key, dsaEncoding: 'ieee-p1363' });
      default: return nodeSign(null, input, key);
    }
  } catch (e) {
    throw new SignError(`failed to sign with ${alg}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

export type { Family };
