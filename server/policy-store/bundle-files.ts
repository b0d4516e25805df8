/**
 * A bundle's bytes hashed and decoded a megabyte at a time (`Steps`), so a bundle of megabytes of
 * data does not hold the request thread for its SHA-256 digests and its UTF-8 decoding (about
 * 1.5 ms a megabyte here, in one go). `crypto.subtle.digest` would hash on the thread pool, but it
 * copies its input on the calling thread first, which costs as much as hashing it here.
 */
import { createHash } from 'node:crypto';
import { finish, type Steps } from '../../engine/index.js';

/** Bytes hashed or decoded in one step (about a millisecond). */
export const STEP_BYTES = 1 << 20;

/** The SHA-256 of `bytes` as lowercase hex, `stepBytes` at a time. */
export function* sha256Steps(bytes: Uint8Array, stepBytes = STEP_BYTES): Steps<string> {
  const h = createHash('sha256');
  for (let i = 0; i < bytes.length; i += stepBytes) {
    if (i > 0) yield;
    h.update(bytes.subarray(i, i + stepBytes));
  }
  return h.digest('hex');
}

/** The SHA-256 of `bytes` in one go. */
export function sha256(bytes: Uint8Array): string {
  return finish(sha256Steps(bytes, Infinity));
}

/**
 * `bytes` decoded as UTF-8, `stepBytes` at a time: the text `Buffer.toString('utf8')` gives, a
 * leading byte-order mark and replacement characters for malformed sequences included (a
 * streaming decoder carries a sequence cut by a step over to the next).
 */
export function* decodeUtf8Steps(bytes: Uint8Array, stepBytes = STEP_BYTES): Steps<string> {
  if (bytes.length <= stepBytes) return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8');
  const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  const parts: string[] = [];
  for (let i = 0; i < bytes.length; i += stepBytes) {
    if (i > 0) yield;
    parts.push(decoder.decode(bytes.subarray(i, i + stepBytes), { stream: true }));
  }
  parts.push(decoder.decode());
  return parts.join('');
}

/** The SHA-256 of each file of a bundle, by name. */
export function* fileDigestsSteps(files: ReadonlyMap<string, Uint8Array>, stepBytes = STEP_BYTES): Steps<Map<string, string>> {
  const out = new Map<string, string>();
  for (const [name, content] of files) {
    out.set(name, yield* sha256Steps(content, stepBytes));
    yield;
  }
  return out;
}

/** The text of each file of a bundle but those named in `skip`, by name. */
export function* fileTextsSteps(files: ReadonlyMap<string, Uint8Array>, skip: ReadonlySet<string>, stepBytes = STEP_BYTES): Steps<Map<string, string>> {
  const out = new Map<string, string>();
  for (const [name, content] of files) {
    if (skip.has(name)) continue;
    out.set(name, yield* decodeUtf8Steps(content, stepBytes));
    yield;
  }
  return out;
}
