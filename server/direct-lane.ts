/**
 * The direct lane: the decision routes answered from Node's request event, before fastify's
 * router (`POST /v1/decide`, the Data API's `POST /v1/data/{path}`, and the proxies'
 * `/v1/forward-auth` and `/v1/ext-authz/...`).
 * fastify's request lifecycle (routing, request and reply objects, the hook runner, the
 * content-type parser lookup, reply serialisation) cost about 17 µs of a 60 µs request on a
 * loaded 2-core machine, more than the decision itself; the lane reads the body with the same
 * reader and parser, answers with the routes' own functions (`decideAnswer`, `PostDataAnswer`,
 * `ProxyEndpoints`) and renders errors the way the app's error handler does, so both paths give the same answers (a test sends the same
 * requests both ways).
 *
 * The lane takes only the request shapes it serves identically: `POST /v1/decide` and
 * `POST /v1/data/{path}` with no content type or one of the plain ones clients send, and no query
 * string; a proxy endpoint's request without a body or content type (what nginx, Traefik and
 * Caddy send for a GET). Anything else (a query string, a `%` escape in the path, another content
 * type, a body for a proxy endpoint, a server that is closing) goes to fastify.
 *
 * Request hooks and error handlers would not run for the lane, so adding one to the app
 * (`onRequest`, `preHandler`, ... — an embedder's authentication, say — or `setErrorHandler`)
 * turns the lane off for good: every request then goes through fastify, its hooks and handler.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { Value } from '../engine/index.js';
import { readJsonBody } from './body.js';
import { HttpError } from './errors.js';
import { JSON_TYPE, type JsonAnswer } from './http.js';
import { decideAnswer } from './decision/decide.js';
import type { DecisionService } from './decision/service.js';
import { EXT_AUTHZ_PREFIX, type ProxyEndpoints } from './decision/proxy-auth.js';
import { NO_QUERY, type DataQuery, type PostDataAnswer } from './decision/data-api.js';

/** Content types the lane takes (fastify reads every one of them as JSON too); others go to fastify. */
const LANE_TYPES = new Set([undefined, 'application/json', 'application/json; charset=utf-8', 'application/x-www-form-urlencoded']);

/** Longest wildcard URL the lane takes (fastify's router refuses parameters past `maxParamLength`). */
const MAX_URL = 4096;

const DATA_PREFIX = '/v1/data';

/** Hooks that run for a request: adding any of them turns the lane off. */
const REQUEST_HOOKS = new Set(['onRequest', 'preParsing', 'preValidation', 'preHandler', 'preSerialization', 'onSend', 'onResponse', 'onTimeout', 'onError', 'onRequestAbort']);

export interface DirectLaneOptions {
  service: DecisionService;
  proxies: ProxyEndpoints;
  /** The Data API's `POST /v1/data/{path}`. */
  postData: PostDataAnswer;
  maxBytes: number;
  maxDepth: number;
  /** The error to answer with for what a request raised (counted and logged as the app's error handler does). */
  failed: (err: unknown) => HttpError;
}

export class DirectLane {
  private open = true;
  /** Requests the lane answered (tests check which path a request took). */
  served = 0;

  constructor(private readonly opts: DirectLaneOptions) {}

  /**
   * Answers the request and returns true, or returns false and leaves it alone (for fastify).
   */
  take(req: IncomingMessage, res: ServerResponse): boolean {
    if (!this.open) return false;
    const url = req.url!;
    if (url === '/v1/decide') {
      if (req.method !== 'POST' || !LANE_TYPES.has(req.headers['content-type'])) return false;
      const { service } = this.opts;
      return this.json(req, res, (body, text) => decideAnswer(service, body, text, req.headers));
    }
    if (url === '/v1/forward-auth') return this.proxied(req, res, this.opts.proxies.forwardAuth);
    // fastify's router decodes the path it matches (a malformed escape is its 400) and reads the
    // query string: URLs with either are left to it.
    if (url.length > MAX_URL || url.includes('%')) return false;
    if (url.startsWith(EXT_AUTHZ_PREFIX) && (url.length === EXT_AUTHZ_PREFIX.length || url.charCodeAt(EXT_AUTHZ_PREFIX.length) === 47 /* / */)) {
      return this.proxied(req, res, this.opts.proxies.extAuthz);
    }
    if (url.startsWith(DATA_PREFIX) && (url.length === DATA_PREFIX.length || url.charCodeAt(DATA_PREFIX.length) === 47 /* / */)) {
      if (req.method !== 'POST' || url.includes('?') || !LANE_TYPES.has(req.headers['content-type'])) return false;
      const query: DataQuery = { url, query: NO_QUERY, headers: req.headers, parseNs: undefined };
      return this.json(req, res, (body, text) => this.opts.postData(query, body, text));
    }
    return false;
  }

  /** A request whose JSON body `answerTo` answers. */
  private json(req: IncomingMessage, res: ServerResponse, answerTo: (body: Value | undefined, text: string | undefined) => JsonAnswer | Promise<JsonAnswer>): true {
    this.served++;
    const { maxBytes, maxDepth } = this.opts;
    readJsonBody(req.headers, req, maxBytes, maxDepth, false, (err, body, text) => {
      // As fastify does: the client may still be sending the body, so the connection is not reused.
      if (err) { this.fail(res, err, CLOSE); return; }
      this.answer(res, () => answerTo(body, text));
    });
    return true;
  }

  /** A proxy endpoint's request, when it has no body (fastify discards one unread; the lane leaves those to it). */
  private proxied(req: IncomingMessage, res: ServerResponse, answerTo: (req: IncomingMessage) => JsonAnswer | Promise<JsonAnswer>): boolean {
    const h = req.headers;
    if (h['content-type'] !== undefined || h['transfer-encoding'] !== undefined || (h['content-length'] !== undefined && h['content-length'] !== '0')) return false;
    this.served++;
    this.answer(res, () => answerTo(req));
    return true;
  }

  /** Sends what `answerTo` answers (now or when its promise settles), or the error it raised. */
  private answer(res: ServerResponse, answerTo: () => JsonAnswer | Promise<JsonAnswer>): void {
    let a: JsonAnswer | Promise<JsonAnswer>;
    try {
      a = answerTo();
    } catch (e) {
      this.fail(res, e);
      return;
    }
    if (a instanceof Promise) a.then(made => send(res, made.status, made.text, made.headers, this.opts.failed), (e: unknown) => this.fail(res, e));
    else send(res, a.status, a.text, a.headers, this.opts.failed);
  }

  /** From now on every request goes to fastify. */
  close(): void { this.open = false; }

  get isOpen(): boolean { return this.open; }

  /**
   * Turns the lane off when a request hook or an error handler is added to the app or to any
   * plugin registered on it later (they inherit the app's methods): the lane would bypass both.
   */
  watchApp(app: FastifyInstance): void {
    const addHook = app.addHook;
    const setErrorHandler = app.setErrorHandler;
    const lane = this;
    app.addHook = function (this: FastifyInstance, name: string, ...rest: unknown[]) {
      if (REQUEST_HOOKS.has(name)) lane.close();
      return (addHook as (...a: unknown[]) => FastifyInstance).call(this, name, ...rest);
    } as typeof app.addHook;
    app.setErrorHandler = function (this: FastifyInstance, ...args: unknown[]) {
      lane.close();
      return (setErrorHandler as (...a: unknown[]) => FastifyInstance).apply(this, args);
    } as typeof app.setErrorHandler;
  }

  private fail(res: ServerResponse, err: unknown, headers?: Record<string, string>): void {
    let e: HttpError;
    try {
      e = this.opts.failed(err);
    } catch {
      e = new HttpError('internal_error', 'internal error');
    }
    if (e.retryAfterSeconds !== undefined) headers = { ...headers, 'retry-after': String(e.retryAfterSeconds) };
    send(res, e.status, JSON.stringify(e.body()), headers);
  }
}

const CLOSE = { connection: 'close' };

const INTERNAL_ERROR = JSON.stringify(new HttpError('internal_error', 'internal error').body());

/**
 * Writes the answer. Never throws: it runs in stream and promise callbacks, where a throw would
 * end the process. A header Node refuses (identity header values are vetted before they get here)
 * turns the answer into a 500, as fastify's error handler would.
 */
function send(res: ServerResponse, status: number, text: string, headers: Readonly<Record<string, string>> | undefined, failed?: (err: unknown) => unknown): void {
  // Nothing to answer on a connection the client already closed (as fastify does).
  if (res.headersSent || res.destroyed) return;
  try {
    if (headers === undefined) {
      // Headers given to `writeHead` alone skip the per-header bookkeeping `setHeader` does.
      res.writeHead(status, { 'content-type': JSON_TYPE, 'content-length': Buffer.byteLength(text) });
    } else {
      for (const name in headers) res.setHeader(name, headers[name]!);
      res.setHeader('content-type', JSON_TYPE);
      res.setHeader('content-length', Buffer.byteLength(text));
      res.writeHead(status);
    }
  } catch (err) {
    try { failed?.(err); } catch { /* counted and logged where it can be */ }
    if (res.headersSent) { res.destroy(); return; }
    for (const name of res.getHeaderNames()) res.removeHeader(name);
    res.writeHead(500, { 'content-type': JSON_TYPE, 'content-length': Buffer.byteLength(INTERNAL_ERROR) });
    res.end(INTERNAL_ERROR);
    return;
  }
  res.end(text);
}
