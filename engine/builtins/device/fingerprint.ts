/**
 * SHA-256 certificate fingerprints as gateways, MDMs and `openssl x509 -fingerprint -sha256` write
 * them, reduced to one canonical form: 64 lower-case hex digits.
 */
import { timingSafeEqual } from 'node:crypto';

/** Longer text cannot be a fingerprint in any accepted spelling; rejected before any regex runs. */
const MAX_TEXT = 160;
/** `sha256:`, `SHA256=`, `sha-256:`, `sha256 Fingerprint=` (openssl), any case. */
const PREFIX = /^sha-?256(?:\s+fingerprint)?\s*[:=]\s*/i;
const SHA256_HEX = /^[0-9a-f]{64}$/;

/**
 * The canonical form of a SHA-256 fingerprint, or `undefined` when `text` is not one: surrounding
 * white space, an optional algorithm prefix and `:` separators are dropped and hex is lower-cased;
 * what remains must be exactly 64 hex digits (other digests and base64 are rejected).
 */
export function normalizeFingerprint(text: string): string | undefined {
  if (text.length > MAX_TEXT) return undefined;
  const hex = text.trim().replace(PREFIX, '').replaceAll(':', '').toLowerCase();
  return SHA256_HEX.test(hex) ? hex : undefined;
}

/**
 * Whether `fingerprint` equals any of `trusted`, all normalised. Each comparison is constant-time
 * over the 32 digest bytes and every valid trusted entry is compared (no early exit), so timing
 * tells neither how much of an entry matched nor which one. Invalid trusted entries never match.
 */
export function fingerprintMatches(fingerprint: string, trusted: Iterable<string>): boolean {
  const fp = normalizeFingerprint(fingerprint);
  if (fp === undefined) return false;
  const want = Buffer.from(fp, 'hex');
  let found = false;
  for (const t of trusted) {
    const n = normalizeFingerprint(t);
    if (n === undefined) continue;
    if (timingSafeEqual(want, Buffer.from(n, 'hex'))) found = true;
  }
  return found;
}
