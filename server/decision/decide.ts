/**
 * `POST /v1/decide` — pol's own decision API:
 * `{ "path", "input"?, "explain"?, "cache"? }` → `{ decision_id, result?, cached, eval_ns, reasons?, explanation? }`.
 * The response is assembled from the cached JSON text of the result, so a cache hit serialises
 * nothing but the envelope. `decideAnswer` is the API without the HTTP framework: the fastify
 * route and the direct lane (`server/direct-lane.ts`) both answer with it.
 */
import type { FastifyInstance } from 'fastify';
import type { IncomingHttpHeaders } from 'node:http';
import { stringifyJson, toJSON, type Value } from '../../engine/index.js';
import { HttpError } from '../errors.js';
import { isJsonObject, own } from '../body.js';
import { answering, sendAnswer, wantsNoCache, type JsonAnswer } from '../http.js';
import { DecisionError, type Decision, type DecisionService } from './service.js';

const KNOWN_KEYS = new Set(['path', 'input', 'explain', 'cache']);

export function registerDecide(app: FastifyInstance, service: DecisionService): void {
  app.post('/v1/decide', answering((req, reply) => sendAnswer(reply, decideAnswer(service, req.body as Value | undefined, req.bodyText, req.headers))));
}

/**
 * The answer to a `/v1/decide` body (`bodyText` is the JSON text it was parsed from, passed on to
 * the decision log). A malformed request throws an `HttpError`; an engine failure is an answer
 * (500, or 503 before a policy is loaded). A promise when an evaluation worker makes the decision.
 */
export function decideAnswer(service: DecisionService, body: Value | undefined, bodyText: string | undefined, headers: IncomingHttpHeaders): JsonAnswer | Promise<JsonAnswer> {
  if (!isJsonObject(body)) throw new HttpError('invalid_parameter', 'request body must be a JSON object with `path` and `input`');
  for (const k of Object.keys(body)) if (!KNOWN_KEYS.has(k)) throw new HttpError('invalid_parameter', `unknown field \`${k}\` (known: path, input, explain, cache)`);
  const path = own(body, 'path');
  if (typeof path !== 'string' || path.length === 0 || path.length > 1024) throw new HttpError('invalid_parameter', '`path` must be a non-empty string such as "gateway/decision"');
  const explain = own(body, 'explain');
  const cache = own(body, 'cache');
  if (explain !== undefined && typeof explain !== 'boolean') throw new HttpError('invalid_parameter', '`explain` must be a boolean');
  if (cache !== undefined && typeof cache !== 'boolean') throw new HttpError('invalid_parameter', '`cache` must be a boolean');
  const input = own(body, 'input');
  // With an explanation, one deadline covers the request: the decision, then the explanation
  // with what is left. Without, the decision takes its own (and a cache hit reads no clock).
  const deadlineMs = explain ? service.deadline() : undefined;
  let d;
  try {
    d = service.decide(path, input, { api: 'decide', bypassCache: cache === false || wantsNoCache(headers), deadlineMs, inputText: bodyText, inputIsMember: true });
  } catch (e) {
    return decisionFailed(e);
  }
  if (d instanceof Promise) return d.then(made => answer(service, made, path, input, explain === true, deadlineMs), decisionFailed);
  return answer(service, d, path, input, explain === true, deadlineMs);
}

function decisionFailed(e: unknown): JsonAnswer {
  if (!(e instanceof DecisionError)) throw e;
  return { status: e.notReady ? 503 : 500, text: JSON.stringify({ code: e.code, message: e.message }) };
}

function answer(service: DecisionService, d: Decision, path: string, input: Value | undefined, explain: boolean, deadlineMs: number | undefined): JsonAnswer | Promise<JsonAnswer> {
  let text = `{"decision_id":"${d.decisionId}"`;
  if (d.resultJson !== undefined) text += `,"result":${d.resultJson}`;
  text += `,"cached":${d.cached},"eval_ns":${d.evalNs}`;
  const result = d.result;
  if (result !== undefined && isJsonObject(result) && own(result, 'reasons') !== undefined) {
    text += `,"reasons":${stringifyJson(toJSON(own(result, 'reasons')!))}`;
  }
  if (!explain) return { status: 200, text: text + '}' };
  const lines = service.explain(path, input, 'full', deadlineMs ?? service.deadline());
  if (lines instanceof Promise) return lines.then(made => ({ status: 200, text: `${text},"explanation":${JSON.stringify(made)}}` }), decisionFailed);
  return { status: 200, text: `${text},"explanation":${JSON.stringify(lines)}}` };
}
