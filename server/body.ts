/**
 * Request bodies. One content-type parser for every type: OPA parses any body as JSON (curl's
 * `-d` sends `application/x-www-form-urlencoded`), so pol does the same; routes that take raw text
 * (policy uploads) say so with `config.rawBody`. JSON is parsed with the engine's lossless parser:
 * a depth limit (deep nesting is a 400, never a stack overflow), exact big integers, and
 * `__proto__` / `constructor` as ordinary own keys that never touch a prototype.
 */
import { createGunzip } from 'node:zlib';
import { pipeline, Transform, type TransformCallback } from 'node:stream';
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
 * `Content-Encoding: gzip` bodies are inflated as they arrive: the content-type parser then reads
 * text whatever the encoding (fastify decodes a one-chunk body without copying it), the body limit
 * applies to the inflated bytes and fastify's `Content-Length` check to the bytes received. The
 * inflation stops at the limit (a small compressed body can inflate to gigabytes).
 */
function inflateBodies(app: FastifyInstance, maxBytes: number): void {
  app.addHook('preParsing', (req, _reply, payload, done) => {
    const header = req.headers['content-encoding'];
    if (header === undefined) { done(null, payload); return; }
    const enc = String(header).trim().toLowerCase();
    if (enc === 'identity' || enc === '') { done(null, payload); return; }
    if (enc !== 'gzip') {
      done(new HttpError('unsupported_media_type', `unsupported content encoding \`${enc.slice(0, 40)}\` (use gzip or none)`));
      return;
    }
    const inflated = new InflatedBody(maxBytes);
    const gunzip = createGunzip();
    // Registered before `pipeline` passes the error on to `inflated`, where the parser sees it.
    gunzip.once('error', e => { e.message = 'request body is not valid gzip'; (e as { statusCode?: number }).statusCode = 400; });
    payload.on('data', (chunk: Buffer) => { inflated.receivedEncodedLength += chunk.length; });
    pipeline(payload, gunzip, inflated, () => { /* errors reach the parser through `inflated` */ });
    done(null, inflated);
  });
}

/**
 * The inflated body, failing with a 413 once it passes `maxBytes`: `pipeline` then stops the
 * inflation. `receivedEncodedLength` is what fastify compares with `Content-Length`.
 */
class InflatedBody extends Transform {
  receivedEncodedLength = 0;
  private length = 0;
  constructor(private readonly maxBytes: number) { super(); }
  override _transform(chunk: Buffer, _enc: BufferEncoding, callback: TransformCallback): void {
    this.length += chunk.length;
    if (this.length > this.maxBytes) { callback(new HttpError('request_too_large', 'decompressed request body is larger than the configured limit')); return; }
    callback(null, chunk);
  }
}

export function installBodyParser(app: FastifyInstance, maxDepth: number, maxBytes: number): void {
  app.removeAllContentTypeParsers();
  app.decorateRequest('bodyText', undefined);
  inflateBodies(app, maxBytes);
  const parse = (req: FastifyRequest, text: string | Buffer, done: (err: Error | null, value?: unknown) => void): void => {
    if (typeof text !== 'string') text = text.toString('utf8');
    if (req.routeOptions.config.rawBody) { done(null, text); return; }
    if (/^\s*$/.test(text)) { done(null, undefined); return; }
    // Timed only when a Data API query asks for `?metrics` (two clock reads per request otherwise).
    const timed = req.url.includes('metrics');
    const t0 = timed ? process.hrtime.bigint() : 0n;
    try {
      const v = parseJsonText(text, maxDepth, 'request body');
      if (timed) req.parseNs = process.hrtime.bigint() - t0;
      req.bodyText = text;
      done(null, v);
    } catch (e) {
      done(e as Error, undefined);
    }
  };
  // The common type by name (fastify finds it without parsing the header), everything else by the catch-all.
  app.addContentTypeParser('application/json', { parseAs: 'string' }, parse);
  app.addContentTypeParser('*', { parseAs: 'string' }, parse);
}

/** True when `v` is a plain JSON object (not an array, not null). */
export function isJsonObject(v: unknown): v is Record<string, Value> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** An own property of a parsed JSON object (never an inherited one such as `constructor`). */
export function own(o: Record<string, Value>, key: string): Value | undefined {
  return Object.prototype.hasOwnProperty.call(o, key) ? o[key] : undefined;
}
