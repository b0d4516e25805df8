/**
 * Request bodies. One content-type parser for every type: OPA parses any body as JSON (curl's
 * `-d` sends `application/x-www-form-urlencoded`), so pol does the same; routes that take raw text
 * (policy uploads) say so with `config.rawBody`. JSON is parsed with the engine's lossless parser:
 * a depth limit (deep nesting is a 400, never a stack overflow), exact big integers, and
 * `__proto__` / `constructor` as ordinary own keys that never touch a prototype.
 */
import { gunzipSync } from 'node:zlib';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { parseJson } from '../engine/json.js';
import type { Value } from '../engine/index.js';
import { HttpError } from './errors.js';

declare module 'fastify' {
  interface FastifyContextConfig { rawBody?: boolean }
  interface FastifyRequest { parseNs?: bigint }
}

/** Parses JSON text from a request (body or query parameter) into a value, or throws a 400. */
export function parseJsonText(text: string, maxDepth: number, what: string): Value {
  try {
    return parseJson(text, { maxDepth });
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    throw new HttpError('invalid_parameter', `${what} is not valid JSON: ${msg}`);
  }
}

/** The body as text, gunzipped when `Content-Encoding: gzip` (bounded by the same body limit). */
function bodyText(req: FastifyRequest, body: Buffer, maxBytes: number): string {
  const enc = String(req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (enc === 'identity' || enc === '') return body.toString('utf8');
  if (enc !== 'gzip') throw new HttpError('unsupported_media_type', `unsupported content encoding \`${enc.slice(0, 40)}\` (use gzip or none)`);
  try {
    return gunzipSync(body, { maxOutputLength: maxBytes }).toString('utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw new HttpError('request_too_large', 'decompressed request body is larger than the configured limit');
    throw new HttpError('invalid_parameter', 'request body is not valid gzip');
  }
}

export function installBodyParser(app: FastifyInstance, maxDepth: number, maxBytes: number): void {
  app.removeAllContentTypeParsers();
  const parse = (req: FastifyRequest, body: string | Buffer, done: (err: Error | null, value?: unknown) => void): void => {
    let text: string;
    try {
      text = typeof body === 'string' ? body : bodyText(req, body, maxBytes);
    } catch (e) {
      done(e as Error, undefined);
      return;
    }
    if (req.routeOptions.config.rawBody) { done(null, text); return; }
    if (/^\s*$/.test(text)) { done(null, undefined); return; }
    const t0 = process.hrtime.bigint();
    try {
      const v = parseJsonText(text, maxDepth, 'request body');
      req.parseNs = process.hrtime.bigint() - t0;
      done(null, v);
    } catch (e) {
      done(e as Error, undefined);
    }
  };
  // The common type by name (fastify finds it without parsing the header), everything else by the catch-all.
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, parse);
  app.addContentTypeParser('*', { parseAs: 'buffer' }, parse);
}

/** True when `v` is a plain JSON object (not an array, not null). */
export function isJsonObject(v: unknown): v is Record<string, Value> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** An own property of a parsed JSON object (never an inherited one such as `constructor`). */
export function own(o: Record<string, Value>, key: string): Value | undefined {
  return Object.prototype.hasOwnProperty.call(o, key) ? o[key] : undefined;
}
