/**
 * The direct lane: `POST /v1/decide` answered from Node's request event, before fastify's router.
 * fastify's request lifecycle (routing, request and reply objects, the hook runner, the
 * content-type parser lookup, reply serialisation) cost about 17 µs of a 60 µs request on a
 * loaded 2-core machine, more than the decision itself; the lane reads the body with the same
 * reader and parser, answers with the same function (`decideAnswer`) and renders errors the way
 * the app's error handler does, so both paths give the same answers (a test sends the same
 * requests both ways).
 *
 * The lane takes only the request shape it serves identically: exactly `POST /v1/decide`, with no
 * content type or one of the plain ones clients send. Anything else (a query string, another
 * content type, a server that is closing) goes to fastify. Request hooks would not run for the
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

/** Content types the lane takes (fastify reads every one of them as JSON too); others go to fastify. */
const LANE_TYPES = new Set([undefined, 'application/json', 'application/json; charset=utf-8', 'application/x-www-form-urlencoded']);

/** Hooks that run for a request: adding any of them turns the lane off. */
const REQUEST_HOOKS = new Set(['onRequest', 'preParsing', 'preValidation', 'preHandler', 'preSerialization', 'onSend', 'onResponse', 'onTimeout', 'onError', 'onRequestAbort']);

export interface DirectLaneOptions {
  service: DecisionService;
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
    if (!this.open || req.method !== 'POST' || req.url !== '/v1/decide' || !LANE_TYPES.has(req.headers['content-type'])) return false;
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
    send(res, e.status, JSON.stringify(e.body()), e.retryAfterSeconds);
  }
}

function send(res: ServerResponse, status: number, text: string, retryAfterSeconds: number | undefined): void {
  // Nothing to answer on a connection the client already closed (as fastify does).
  if (res.headersSent || res.destroyed) return;
  const headers: Record<string, string | number> = { 'content-type': JSON_TYPE, 'content-length': Buffer.byteLength(text) };
  if (retryAfterSeconds !== undefined) headers['retry-after'] = String(retryAfterSeconds);
  res.writeHead(status, headers);
  res.end(text);
}
