/**
 * Bundle signatures. A bundle carries `.signatures.json` = `{ "signatures": ["<compact JWS>"] }`;
 * the JWS payload lists every other file of the bundle with its SHA-256 digest:
 * `{ "files": [{ "name", "hash", "algorithm": "SHA-256" }], "revision"? }`.
 * Verification requires the configured algorithm, a valid signature, and an exact match between
 * the listed files and the files present — an unlisted extra file is as fatal as a wrong digest.
 */
import { CompactSign, compactVerify, importPKCS8, importSPKI, type CryptoKey, type KeyObject } from 'jose';
import { sha256 } from './bundle-files.js';

export const SIGNATURES_FILE = '.signatures.json';

export class SignatureError extends Error {
  constructor(message: string) { super(message); this.name = 'SignatureError'; }
}

type Key = CryptoKey | KeyObject | Uint8Array;

export interface VerifyKey {
  algorithm: string;
  /** PEM public key (SPKI) for asymmetric algorithms. */
  publicKeyPem?: string;
  /** Shared secret for HS* algorithms. */
  secret?: string;
}

async function importVerifyKey(k: VerifyKey): Promise<Key> {
  if (k.algorithm.startsWith('HS')) {
    if (!k.secret) throw new SignatureError('no secret configured for an HMAC algorithm');
    return new TextEncoder().encode(k.secret);
  }
  if (!k.publicKeyPem) throw new SignatureError('no public key configured');
  try {
    return await importSPKI(k.publicKeyPem, k.algorithm);
  } catch (e) {
    throw new SignatureError(`cannot read the public key: ${(e as Error).message}`);
  }
}

/**
 * Verifies `files` (which include `.signatures.json`) and returns the signed revision, if any.
 * `digests` are the files' SHA-256 digests when already made (a bundle's, a step at a time);
 * otherwise they are made here.
 */
export async function verifyBundle(files: Map<string, Buffer>, key: VerifyKey, digests?: ReadonlyMap<string, string>): Promise<{ revision?: string }> {
  const sigFile = files.get(SIGNATURES_FILE);
  if (!sigFile) throw new SignatureError(`bundle is not signed (no ${SIGNATURES_FILE})`);
  let jws: unknown;
  try {
    const doc = JSON.parse(sigFile.toString('utf8')) as { signatures?: unknown };
    jws = Array.isArray(doc.signatures) && doc.signatures.length === 1 ? doc.signatures[0] : undefined;
  } catch { /* reported below */ }
  if (typeof jws !== 'string') throw new SignatureError(`${SIGNATURES_FILE} must hold exactly one signature`);
  let payload: Uint8Array;
  try {
    ({ payload } = await compactVerify(jws, await importVerifyKey(key), { algorithms: [key.algorithm] }));
  } catch (e) {
    if (e instanceof SignatureError) throw e;
    throw new SignatureError(`bad bundle signature: ${(e as Error).message}`);
  }
  let claims: { files?: unknown; revision?: unknown };
  try {
    claims = JSON.parse(new TextDecoder().decode(payload)) as typeof claims;
  } catch {
    throw new SignatureError('signature payload is not JSON');
  }
  if (!Array.isArray(claims.files)) throw new SignatureError('signature payload lists no files');
  const listed = new Map<string, string>();
  for (const f of claims.files as { name?: unknown; hash?: unknown; algorithm?: unknown }[]) {
    if (typeof f?.name !== 'string' || typeof f.hash !== 'string' || (f.algorithm ?? 'SHA-256') !== 'SHA-256') {
      throw new SignatureError('signature payload has a malformed file entry');
    }
    listed.set(f.name, f.hash);
  }
  for (const [name, content] of files) {
    if (name === SIGNATURES_FILE) continue;
    const want = listed.get(name);
    if (want === undefined) throw new SignatureError(`file \`${name}\` is not covered by the signature`);
    if (want !== (digests?.get(name) ?? sha256(content))) throw new SignatureError(`file \`${name}\` does not match its signed digest`);
    listed.delete(name);
  }
  if (listed.size) throw new SignatureError(`signed file \`${[...listed.keys()][0]}\` is missing from the bundle`);
  return typeof claims.revision === 'string' ? { revision: claims.revision } : {};
}

export interface SignKey {
  algorithm: string;
  /** PEM private key (PKCS#8) for asymmetric algorithms. */
  privateKeyPem?: string;
  secret?: string;
}

/** Signs `files` (without `.signatures.json`) and returns them with the signature file added. */
export async function signBundle(files: Map<string, Buffer | string>, key: SignKey, revision?: string): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  for (const [name, c] of files) out.set(name, typeof c === 'string' ? Buffer.from(c, 'utf8') : c);
  const payload = {
    files: [...out].map(([name, c]) => ({ name, hash: sha256(c), algorithm: 'SHA-256' })),
    ...(revision !== undefined ? { revision } : {}),
  };
  const k: Key = key.algorithm.startsWith('HS')
    ? new TextEncoder().encode(key.secret ?? '')
    : await importPKCS8(key.privateKeyPem ?? '', key.algorithm);
  const jws = await new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
    .setProtectedHeader({ alg: key.algorithm })
    .sign(k);
  out.set(SIGNATURES_FILE, Buffer.from(JSON.stringify({ signatures: [jws] })));
  return out;
}
