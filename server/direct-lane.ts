/**
 * The direct lane: the decision routes answered from Node's request event, before fastify's
 * router (`POST /v1/decide`, and the proxies' `/v1/forward-auth` and `/v1/ext-authz/...`).
 * fastify's request lifecycle (routing, request and reply objects, the hook runner, the
 * content-type parser lookup, reply serialisation) cost about 17 µs of a 60 µs request on a
 * loaded 2-core machine, more than the decision itself; the lane reads the body with the same
 * reader and parser, answers with the same function (`decideAnswer`) and renders errors the way
 * the app's error handler does, so both paths give the same answers (a test sends the same
 * requests both ways).
 *
 * The lane takes only the request shapes it serves identically: exactly `POST /v1/decide`, with no
 * content type or one of the plain ones clients send; a proxy endpoint's request without a body
 * or content type (what nginx, Traefik and Caddy send for a GET). Anything else (a query string on
 * `/v1/decide`, another content type, a body for a proxy endpoint, a server that is closing) goes
 * to fastify. Request hooks would not run for the
 * lane, so adding one to the app (`onRequest`, `preHandler`, ... — an embedder's authentication,
 * say) turns the lane off for good: every request then goes through fastify and its hooks.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { Value } from '../engine/index.js';
import { readJsonBody } from './body.js';
import { HttpError } from './errors.js';
import { JSON_TYPE, type JsonAnswer } from './http.js';
import { decideAnswer } from './decision/decide.js';
import type { DecisionService } from './decision/service.js';
import { EXT_AUTHZ_PREFIX, type ProxyAnswer, type ProxyEndpoints } from './decision/proxy-auth.js';

/** Content types the lane takes (fastify reads every one of them as JSON too); others go to fastify. */
const LANE_TYPES = new Set([undefined, 'application/json', 'application/json; charset=utf-8', 'application/x-www-form-urlencoded']);

/** Longest ext_authz URL the lane takes (fastify's router refuses parameters past `maxParamLength`). */
const MAX_EXT_AUTHZ_URL = 4096;

/** Hooks that run for a request: adding any of them turns the lane off. */
const REQUEST_HOOKS = new Set(['onRequest', 'preParsing', 'preValidation', 'preHandler', 'preSerialization', 'onSend', 'onResponse', 'onTimeout', 'onError', 'onRequestAbort']);

export interface DirectLaneOptions {
  service: DecisionService;
  proxies: ProxyEndpoints;
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
    if (url === '/v1/decide') return req.method === 'POST' && LANE_TYPES.has(req.headers['content-type']) && this.decide(req, res);
    if (url === '/v1/forward-auth') return this.proxied(req, res, this.opts.proxies.forwardAuth);
    // fastify's router decodes the path it matches: a malformed escape is its 400, so URLs with
    // escapes are left to it.
    if (url.startsWith(EXT_AUTHZ_PREFIX) && (url.length === EXT_AUTHZ_PREFIX.length || url.charCodeAt(EXT_AUTHZ_PREFIX.length) === 47 /* / */)
      && url.length <= MAX_EXT_AUTHZ_URL && !url.includes('%')) {
      return this.proxied(req, res, this.opts.proxies.extAuthz);
    }
    return false;
  }

  private decide(req: IncomingMessage, res: ServerResponse): true {
    this.served++;
    const { service, maxBytes, maxDepth } = this.opts;
    readJsonBody(req.headers, req, maxBytes, maxDepth, false, (err, body, text) => {
      if (err) { this.fail(res, err); return; }
      let a: JsonAnswer | Promise<JsonAnswer>;
      try {
        a = decideAnswer(service, body as Value | undefined, text, req.headers);
      } catch (e) {
        this.fail(res, e);
        return;
      }
      if (a instanceof Promise) a.then(made => send(res, made.status, made.text, undefined), (e: unknown) => this.fail(res, e));
      else send(res, a.status, a.text, undefined);
    });
    return true;
  }

  /** A proxy endpoint's request, when it has no body (fastify discards one unread; the lane leaves those to it). */
  private proxied(req: IncomingMessage, res: ServerResponse, answerTo: (req: IncomingMessage) => ProxyAnswer | Promise<ProxyAnswer>): boolean {
    const h = req.headers;
    if (h['content-type'] !== undefined || h['transfer-encoding'] !== undefined || (h['content-length'] !== undefined && h['content-length'] !== '0')) return false;
    this.served++;
    let a: ProxyAnswer | Promise<ProxyAnswer>;
    try {
      a = answerTo(req);
    } catch (e) {
      this.fail(res, e);
      return true;
    }
    if (a instanceof Promise) a.then(made => send(res, made.status, made.text, made.headers), (e: unknown) => this.fail(res, e));
    else send(res, a.status, a.text, a.headers);
    return true;
  }

  /** From now on every request goes to fastify. */
  close(): void { this.open = false; }

  get isOpen(): boolean { return this.open; }

  /**
   * Turns the lane off when a request hook is added to the app or to any plugin registered on it
   * later (they inherit the app's `addHook`).
   */
  watchHooks(app: FastifyInstance): void {
    const addHook = app.addHook;
    const lane = this;
    app.addHook = function (this: FastifyInstance, name: string, ...rest: unknown[]) {
      if (REQUEST_HOOKS.has(name)) lane.close();
      return (addHook as (...a: unknown[]) => FastifyInstance).call(this, name, ...rest);
    } as typeof app.addHook;
  }

  private fail(res: ServerResponse, err: unknown): void {
    let e: HttpError;
    try {
      e = this.opts.failed(err);
    } catch {
      e = new HttpError('internal_error', 'internal error');
    }
    send(res, e.status, JSON.stringify(e.body()), e.retryAfterSeconds !== undefined ? { 'retry-after': String(e.retryAfterSeconds) } : undefined);
  }
}

function send(res: ServerResponse, status: number, text: string, headers: Record<string, string> | undefined): void {
  // Nothing to answer on a connection the client already closed (as fastify does).
  if (res.headersSent || res.destroyed) return;
  if (headers !== undefined) for (const name in headers) res.setHeader(name, headers[name]!);
  res.setHeader('content-type', JSON_TYPE);
  res.setHeader('content-length', Buffer.byteLength(text));
  res.writeHead(status);
  res.end(text);
}
