/**
 * OpenID AuthZEN Authorization API 1.0: `POST /access/v1/evaluation` and
 * `POST /access/v1/evaluations` (batches, with `evaluations_semantic`), plus the discovery
 * document. The request (`subject`, `action`, `resource`, `context`) is the policy's input; the
 * policy at the configured path answers `true`/`false` or `{ decision | allow, context?, reasons? }`.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { toJSON, type Value } from '../../engine/index.js';
import { HttpError } from '../errors.js';
import { isJsonObject, own } from '../body.js';
import { answering, sendJsonText, wantsNoCache, whenSettled } from '../http.js';
import { DecisionError, type DecisionService } from './service.js';

type Json = Record<string, Value>;
const SEMANTICS = new Set(['execute_all', 'deny_on_first_deny', 'permit_on_first_permit']);

function checkEntity(v: Value | undefined, name: 'subject' | 'resource', where: string): void {
  if (!isJsonObject(v) || typeof own(v, 'type') !== 'string' || typeof own(v, 'id') !== 'string') {
    throw new HttpError('invalid_parameter', `${where}\`${name}\` must be an object with string \`type\` and \`id\``);
  }
}

function checkRequest(r: Json, where: string): void {
  checkEntity(own(r, 'subject'), 'subject', where);
  checkEntity(own(r, 'resource'), 'resource', where);
  const action = own(r, 'action');
  if (!isJsonObject(action) || typeof own(action, 'name') !== 'string') throw new HttpError('invalid_parameter', `${where}\`action\` must be an object with a string \`name\``);
  const context = own(r, 'context');
  if (context !== undefined && !isJsonObject(context)) throw new HttpError('invalid_parameter', `${where}\`context\` must be an object`);
}

/** The evaluation's input: exactly the four AuthZEN fields. */
function inputOf(r: Json): Json {
  const input: Json = {};
  for (const k of ['subject', 'action', 'resource', 'context']) {
    const v = own(r, k);
    if (v !== undefined) input[k] = v;
  }
  return input;
}

/** An item's place in a batch, and the batch's deadline (shared by all items). */
interface BatchItem { index: number; count: number; deadlineMs: number }

type Answer = { decision: boolean; context?: unknown };

/**
 * A failed evaluation as the API answers it: a failure fails the whole request, so a batch never
 * answers for an item that was not decided.
 */
function evaluationFailed(e: unknown, item: BatchItem | undefined): never {
  if (!(e instanceof DecisionError)) throw e;
  let message = e.message;
  if (item) {
    message = `evaluations[${item.index}]: ${message}`;
    if (e.code === 'eval_cancel_error') message += ` (limits.eval_timeout_ms covers the whole batch); ${item.count - item.index} of ${item.count} evaluations not made`;
  }
  throw new HttpError(e.notReady ? 'not_ready' : 'eval_error', message);
}

function rethrow(e: unknown): never { throw e; }

function sendAnswer(reply: FastifyReply, a: Answer | Promise<Answer>): FastifyReply | undefined {
  if (!(a instanceof Promise)) return sendJsonText(reply, 200, JSON.stringify(a));
  whenSettled(reply, a, made => sendJsonText(reply, 200, JSON.stringify(made)), rethrow);
  return undefined;
}

function answer(result: Value | undefined): Answer {
  if (typeof result === 'boolean') return { decision: result };
  const doc = result === undefined ? undefined : toJSON(result);
  if (!isJsonObject(doc as Value)) return { decision: false };
  const o = doc as Record<string, unknown>;
  const decision = (Object.prototype.hasOwnProperty.call(o, 'decision') ? o.decision : o.allow) === true;
  const out: { decision: boolean; context?: unknown } = { decision };
  const ctx = Object.prototype.hasOwnProperty.call(o, 'context') ? o.context : undefined;
  const reasons = Object.prototype.hasOwnProperty.call(o, 'reasons') ? o.reasons : undefined;
  if (isJsonObject(ctx as Value)) out.context = ctx;
  else if (reasons !== undefined) out.context = { reasons };
  return out;
}

/** A Host header that is a host name, IPv4 or bracketed IPv6 address, with an optional port. */
const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]{0,252})|\[[0-9A-Fa-f:.]{2,45}\])(?::\d{1,5})?$/;

export function registerAuthzen(app: FastifyInstance, service: DecisionService, path: string, maxBatch: number, baseUrl?: string): void {
  /**
   * One evaluation; a failure fails the whole request, so a batch never answers for an item that
   * was not decided. `item`: its place in a batch, and the batch's deadline (shared by all items).
   */
  const evaluate = (req: FastifyRequest, r: Json, item?: BatchItem): Answer | Promise<Answer> => {
    let d;
    try {
      d = service.decide(path, inputOf(r), { api: 'authzen', bypassCache: wantsNoCache(req.headers), deadlineMs: item?.deadlineMs });
    } catch (e) {
      return evaluationFailed(e, item);
    }
    return d instanceof Promise ? d.then(made => answer(made.result), e => evaluationFailed(e, item)) : answer(d.result);
  };
  const echoRequestId = (req: FastifyRequest): Record<string, string> => {
    const id = req.headers['x-request-id'];
    return typeof id === 'string' && /^[\x21-\x7e]{1,128}$/.test(id) ? { 'x-request-id': id } : {};
  };

  app.post('/access/v1/evaluation', answering((req, reply) => {
    // Echoed on errors too: the caller matches answers to requests by it.
    reply.headers(echoRequestId(req));
    const body = req.body as Value | undefined;
    if (!isJsonObject(body)) throw new HttpError('invalid_parameter', 'request body must be a JSON object');
    checkRequest(body, '');
    return sendAnswer(reply, evaluate(req, body));
  }));

  app.post('/access/v1/evaluations', answering((req, reply) => {
    const body = req.body as Value | undefined;
    if (!isJsonObject(body)) throw new HttpError('invalid_parameter', 'request body must be a JSON object');
    reply.headers(echoRequestId(req));
    const list = own(body, 'evaluations');
    // Absent or empty, the request is one evaluation of the top-level fields (AuthZEN 1.0, 7.1).
    if (list === undefined || (Array.isArray(list) && list.length === 0)) {
      checkRequest(body, '');
      return sendAnswer(reply, evaluate(req, body));
    }
    if (!Array.isArray(list)) throw new HttpError('invalid_parameter', '`evaluations` must be an array');
    if (list.length > maxBatch) throw new HttpError('invalid_parameter', `at most ${maxBatch} evaluations per request`);
    const options = own(body, 'options');
    if (options !== undefined && !isJsonObject(options)) throw new HttpError('invalid_parameter', '`options` must be an object');
    const semantic = isJsonObject(options) ? own(options, 'evaluations_semantic') ?? 'execute_all' : 'execute_all';
    if (typeof semantic !== 'string' || !SEMANTICS.has(semantic)) throw new HttpError('invalid_parameter', '`options.evaluations_semantic` must be execute_all, deny_on_first_deny or permit_on_first_permit');
    // Each evaluation inherits the top-level fields it does not set itself.
    const requests = list.map((item, i) => {
      if (!isJsonObject(item)) throw new HttpError('invalid_parameter', `evaluations[${i}] must be an object`);
      const merged: Json = {};
      for (const k of ['subject', 'action', 'resource', 'context']) {
        const v = own(item, k) ?? own(body, k);
        if (v !== undefined) merged[k] = v;
      }
      checkRequest(merged, `evaluations[${i}]: `);
      return merged;
    });
    // `limits.eval_timeout_ms` covers the whole batch: once it has passed, the remaining items are
    // not evaluated and the request fails as a failing item does (500 `eval_error`).
    const deadlineMs = service.deadline();
    const results: Answer[] = [];
    /** Keeps an item's answer; false when the semantic ends the batch with it. */
    const keep = (a: Answer): boolean => {
      results.push(a);
      return !(semantic === 'deny_on_first_deny' && !a.decision) && !(semantic === 'permit_on_first_permit' && a.decision);
    };
    // In order, one at a time: an item a worker decides resumes the batch when it is done.
    const runFrom = (first: number): FastifyReply | undefined => {
      for (let i = first; i < requests.length; i++) {
        const a = evaluate(req, requests[i]!, { index: i, count: requests.length, deadlineMs });
        if (a instanceof Promise) {
          whenSettled(reply, a, made => (keep(made) ? runFrom(i + 1) : sendJsonText(reply, 200, JSON.stringify({ evaluations: results }))), rethrow);
          return undefined;
        }
        if (!keep(a)) break;
      }
      return sendJsonText(reply, 200, JSON.stringify({ evaluations: results }));
    };
    return runFrom(0);
  }));

  // The discovery document names the PDP's URL. Built from a request, only a Host that is a host
  // name or address (with a port) is taken: anything else could plant a URL of the client's
  // choosing in a cache in front of pol. Set `authzen.base_url` behind a proxy.
  const configuredBase = baseUrl?.replace(/\/+$/, '');
  app.get('/.well-known/authzen-configuration', async (req, reply) => {
    let base = configuredBase;
    if (base === undefined) {
      const host = req.headers.host;
      if (typeof host !== 'string' || !HOST.test(host)) throw new HttpError('invalid_parameter', 'the Host header is not a host name or address; set authzen.base_url to publish the discovery document');
      base = `${req.protocol}://${host.toLowerCase()}`;
      reply.header('cache-control', 'no-store');
    }
    return sendJsonText(reply, 200, JSON.stringify({
      policy_decision_point: base,
      access_evaluation_endpoint: `${base}/access/v1/evaluation`,
      access_evaluations_endpoint: `${base}/access/v1/evaluations`,
    }));
  });
}
