/** A JWS in compact serialisation, split and decoded with OPA's checks and error texts. */
import { isPlainObject, objectGet, type PlainObject, type Value } from '../../value.js';
import { decodeBase64Url } from './base64.js';
import { parseJson } from './json.js';

export class TokenError extends Error {}

export interface TokenParts { header: string; payload: string; signature: string }

export function splitToken(encoded: string): TokenParts {
  if (!encoded.includes('.')) throw new TokenError('encoded JWT had no period separators');
  const parts = encoded.split('.');
  if (parts.length !== 3) throw new TokenError(`encoded JWT must have 3 sections, found ${parts.length}`);
  return { header: parts[0]!, payload: parts[1]!, signature: parts[2]! };
}

const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** JSON text to an object, worded as OPA's `extractJSONObject`. */
export function jsonObject(text: string): PlainObject {
  let v: Value;
  try { v = parseJson(text); } catch (e) {
    throw new TokenError(`invalid JSON: ${errorText(e)}`);
  }
  if (!isPlainObject(v)) throw new TokenError('decoded JSON type was not an Object');
  return v;
}

export function decodeHeader(t: TokenParts): PlainObject {
  let raw: Buffer;
  try { raw = decodeBase64Url(t.header); } catch (e) {
    throw new TokenError(`JWT header had invalid encoding: ${errorText(e)}`);
  }
  let header: PlainObject;
  try { header = jsonObject(raw.toString('utf8')); } catch (e) {
    throw new TokenError(`bad JWT header: ${errorText(e)}`);
  }
  if (objectGet(header, 'enc') !== undefined) throw new TokenError('JWT is a JWE object, which is not supported');
  return header;
}

export function decodePayloadText(t: TokenParts): string {
  try { return decodeBase64Url(t.payload).toString('utf8'); } catch (e) {
    throw new TokenError(`JWT payload had invalid encoding: ${errorText(e)}`);
  }
}

/** The signature bytes; the decoder's own error text, as OPA reports it. */
export function decodeSignature(t: TokenParts): Buffer {
  try { return decodeBase64Url(t.signature); } catch (e) {
    throw new TokenError(errorText(e));
  }
}

/** The JOSE header members OPA interprets. */
export interface JoseHeader { alg: string; kid: string; typ: string; cty: string; crit: Set<string>; unknown: string[] }

export function parseJoseHeader(header: PlainObject): JoseHeader {
  const h: JoseHeader = { alg: '', kid: '', typ: '', cty: '', crit: new Set(), unknown: [] };
  for (const k of Object.keys(header).sort()) {
    const v = header[k]!;
    switch (k) {
      case 'alg': case 'kid': case 'typ': case 'cty':
        if (typeof v !== 'string') throw new TokenError(`${k}: must be a string`);
        h[k] = v;
        break;
      case 'crit':
        if (!Array.isArray(v)) throw new TokenError('crit: must be a list');
        for (const e of v) if (typeof e === 'string') h.crit.add(e);
        if (h.crit.size === 0) throw new TokenError('crit: must be a nonempty list');
        break;
      default:
        h.unknown.push(k);
    }
  }
  return h;
}

/** RFC 7515: `alg` is required, and every critical member must be understood. */
export function joseHeaderValid(h: JoseHeader): boolean {
  if (h.alg === '') return false;
  return !h.unknown.some(u => h.crit.has(u));
}
