/**
 * Request bodies. One content-type parser for every type: OPA parses any body as JSON (curl's
 * `-d` sends `application/x-www-form-urlencoded`), so pol does the same; routes that take raw text
 * (policy uploads) say so with `config.rawBody`. JSON is parsed with the engine's lossless parser:
 * a depth limit (deep nesting is a 400, never a stack overflow), exact big integers, and
 * `__proto__` / `constructor` as ordinary own keys that never touch a prototype.
 */
import { gunzip } from 'node:zlib';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { parseJson } from '../engine/json.js';
import type { Value } from '../engine/index.js';
import { HttpError } from './errors.js';

declare module 'fastify' {
  interface FastifyContextConfig { rawBody?: boolean }
  interface FastifyRequest {
    parseNs?: bigint;
    /** The JSON text the body was parsed from (the decision log passes it on instead of serialising the input). */
    bodyText: string | undefined;
  }
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

/**
 * The body's text. `Content-Encoding: gzip` bodies are inflated here, in the thread pool, and
 * never past `maxBytes` (a small compressed body can inflate to gigabytes): fastify's body limit
 * and `Content-Length` check apply to the bytes received, the limit again to the inflated bytes.
 * Done in the parser rather than in a hook on every request: only requests with a body pay.
 */
function bodyText(req: FastifyRequest, body: Buffer, maxBytes: number, done: (err: Error | null, text?: string) => void): void {
  const header = req.headers['content-encoding'];
  // An empty body has nothing to decode, however it was framed.
  if (body.length === 0) { done(null, ''); return; }
  const enc = header === undefined ? '' : String(header).trim().toLowerCase();
  if (enc === '' || enc === 'identity') { done(null, body.toString('utf8')); return; }
  if (enc !== 'gzip') {
    done(new HttpError('unsupported_media_type', `unsupported content encoding \`${enc.slice(0, 40)}\` (use gzip or none)`));
    return;
  }
  gunzip(body, { maxOutputLength: maxBytes }, (err, inflated) => {
    if (!err) done(null, inflated.toString('utf8'));
    else if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') done(new HttpError('request_too_large', 'decompressed request body is larger than the configured limit'));
    else done(new HttpError('invalid_parameter', `request body is not valid gzip (${err.message})`));
  });
}

export function installBodyParser(app: FastifyInstance, maxDepth: number, maxBytes: number): void {
  app.removeAllContentTypeParsers();
  app.decorateRequest('bodyText', undefined);
  const parse = (req: FastifyRequest, body: Buffer, done: (err: Error | null, value?: unknown) => void): void => {
    bodyText(req, body, maxBytes, (err, text) => {
      if (err) { done(err, undefined); return; }
      if (req.routeOptions.config.rawBody) { done(null, text); return; }
      if (/^\s*$/.test(text!)) { done(null, undefined); return; }
      // Timed only when a Data API query asks for `?metrics` (two clock reads per request otherwise).
      const timed = req.url.includes('metrics');
      const t0 = timed ? process.hrtime.bigint() : 0n;
      try {
        const v = parseJsonText(text!, maxDepth, 'request body');
        if (timed) req.parseNs = process.hrtime.bigint() - t0;
        req.bodyText = text;
        done(null, v);
      } catch (e) {
        done(e as Error, undefined);
      }
    });
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
