/**
 * Request bodies. One content-type parser for every type: OPA parses any body as JSON (curl's
 * `-d` sends `application/x-www-form-urlencoded`), so pol does the same; routes that take raw text
 * (policy uploads) say so with `config.rawBody`. JSON is parsed with the engine's lossless parser:
 * a depth limit (deep nesting is a 400, never a stack overflow), exact big integers, and
 * `__proto__` / `constructor` as ordinary own keys that never touch a prototype. Bodies are read
 * (and gzip inflated) by `readBodyText`.
 */
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { parseJson } from '../engine/json.js';
import type { Value } from '../engine/index.js';
import { HttpError } from './errors.js';
import { discardBody, readBodyText } from './body-reader.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    rawBody?: boolean;
    /** The route never reads the body: it is discarded unread (no limit, no decoding). */
    ignoreBody?: boolean;
  }
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
 * Reads a request's body and parses it as JSON: `done` gets the value (undefined for an empty or
 * all-space body) and the text it was parsed from, or the error to answer with (a 400, 413 or
 * 415 `HttpError`). `timed` also reports how long parsing took. Raw bodies (`rawBody` routes) are
 * read with `readBodyText` alone.
 */
export function readJsonBody(headers: IncomingHttpHeaders, payload: IncomingMessage, maxBytes: number, maxDepth: number, timed: boolean,
  done: (err: Error | null, value?: Value, text?: string, parseNs?: bigint) => void): void {
  readBodyText(headers, payload, maxBytes, (err, text) => {
    if (err) { done(err); return; }
    if (/^\s*$/.test(text!)) { done(null, undefined, undefined); return; }
    const t0 = timed ? process.hrtime.bigint() : 0n;
    let v: Value;
    try {
      v = parseJsonText(text!, maxDepth, 'request body');
    } catch (e) {
      done(e as Error);
      return;
    }
    done(null, v, text, timed ? process.hrtime.bigint() - t0 : undefined);
  });
}

export function installBodyParser(app: FastifyInstance, maxDepth: number, maxBytes: number): void {
  app.removeAllContentTypeParsers();
  app.decorateRequest('bodyText', undefined);
  const parse = (req: FastifyRequest, payload: IncomingMessage, done: (err: Error | null, value?: unknown) => void): void => {
    // Read once: fastify builds `routeOptions` afresh on every access.
    const config = req.routeOptions.config;
    // A request no route answers (a 404, or a 405 for a known path) is refused whatever its body.
    if (config.ignoreBody || req.is404) { discardBody(payload, done); return; }
    if (config.rawBody) { readBodyText(req.headers, payload, maxBytes, done); return; }
    // Timed only when a Data API query asks for `?metrics` (two clock reads per request otherwise).
    readJsonBody(req.headers, payload, maxBytes, maxDepth, req.url.includes('metrics'), (err, value, text, parseNs) => {
      if (err) { done(err); return; }
      if (parseNs !== undefined) req.parseNs = parseNs;
      req.bodyText = text;
      done(null, value);
    });
  };
  // The common type by name (fastify finds it without parsing the header), everything else by the
  // catch-all. Both read the body themselves (see `readBodyText`).
  app.addContentTypeParser('application/json', parse);
  app.addContentTypeParser('*', parse);
}

/** True when `v` is a plain JSON object (not an array, not null). */
export function isJsonObject(v: unknown): v is Record<string, Value> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** An own property of a parsed JSON object (never an inherited one such as `constructor`). */
export function own(o: Record<string, Value>, key: string): Value | undefined {
  return Object.prototype.hasOwnProperty.call(o, key) ? o[key] : undefined;
}
