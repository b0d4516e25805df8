/**
 * Base64url as OPA decodes JWT segments: missing padding is restored (RFC 7515 appendix C), then
 * Go's padded, non-strict decoder runs, so error texts (`illegal base64 data at input byte N`)
 * match OPA's.
 */

export class Base64Error extends Error {}

const DECODE = new Int16Array(128).fill(-1);
'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'.split('').forEach((c, i) => { DECODE[c.charCodeAt(0)] = i; });

const corrupt = (at: number) => new Base64Error(`illegal base64 data at input byte ${at}`);
const isNewline = (c: number) => c === 10 || c === 13;

/** Only alphabet characters: Go's decoder cannot fail (given a valid length), so decode natively. */
const PLAIN_BASE64URL = /^[A-Za-z0-9_-]*$/;

export function decodeBase64Url(input: string): Buffer {
  if (input.length % 4 !== 1 && PLAIN_BASE64URL.test(input)) return Buffer.from(input, 'base64url');
  return decodeLikeGo(input);
}

/** The padded, non-strict decoder of Go's `encoding/base64`, for its error positions. */
function decodeLikeGo(input: string): Buffer {
  let s = input;
  if (!s.endsWith('=')) {
    switch (s.length % 4) {
      case 0: break;
      case 2: s += '=='; break;
      case 3: s += '='; break;
      default: throw new Base64Error(`illegal base64url string: ${input}`);
    }
  }
  const out = Buffer.allocUnsafe(Math.ceil(s.length / 4) * 3);
  let o = 0, si = 0;
  const n = s.length;
  for (;;) {
    const q = [0, 0, 0, 0];
    let j = 0, done = false;
    for (; j < 4; j++) {
      while (si < n && isNewline(s.charCodeAt(si))) si++;
      if (si === n) {
        if (j === 0) return out.subarray(0, o);
        throw corrupt(si - j);
      }
      const c = s.charCodeAt(si++);
      if (c === 61) { // '='
        if (j < 2) throw corrupt(si - 1);
        if (j === 2) {
          while (si < n && isNewline(s.charCodeAt(si))) si++;
          if (si === n) throw corrupt(n);
          if (s.charCodeAt(si) !== 61) throw corrupt(si - 1);
          si++;
        }
        while (si < n && isNewline(s.charCodeAt(si))) si++;
        if (si < n) throw corrupt(si);
        done = true;
        break;
      }
      const d = c < 128 ? DECODE[c]! : -1;
      if (d < 0) throw corrupt(si - 1);
      q[j] = d;
    }
    const bits = (q[0]! << 18) | (q[1]! << 12) | (q[2]! << 6) | q[3]!;
    if (j >= 2) out[o++] = (bits >> 16) & 255;
    if (j >= 3) out[o++] = (bits >> 8) & 255;
    if (j >= 4) out[o++] = bits & 255;
    if (done) return out.subarray(0, o);
  }
}

/** Unpadded base64url (JWS compact serialisation). */
export function encodeBase64Url(data: Buffer | string): string {
  return (typeof data === 'string' ? Buffer.from(data, 'utf8') : data).toString('base64url');
}
