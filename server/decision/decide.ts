/**
 * `POST /v1/decide` — pol's own decision API:
 * `{ "path", "input"?, "explain"?, "cache"? }` → `{ decision_id, result?, cached, eval_ns, reasons?, explanation? }`.
 * The response is assembled from the cached JSON text of the result, so a cache hit serialises
 * nothing but the envelope.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { stringifyJson, toJSON, type Value } from '../../engine/index.js';
import { HttpError } from '../errors.js';
import { isJsonObject, own } from '../body.js';
import { answering, sendJsonText, wantsNoCache, whenSettled } from '../http.js';
import { DecisionError, type Decision, type DecisionService } from './service.js';

const KNOWN_KEYS = new Set(['path', 'input', 'explain', 'cache']);

export function registerDecide(app: FastifyInstance, service: DecisionService): void {
  app.post('/v1/decide', answering((req, reply) => {
    const body = req.body as Value | undefined;
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
      d = service.decide(path, input, { api: 'decide', bypassCache: cache === false || wantsNoCache(req), deadlineMs, inputText: req.bodyText, inputIsMember: true });
    } catch (e) {
      return decisionFailed(reply, e);
    }
    if (d instanceof Promise) {
      whenSettled(reply, d, made => answer(reply, service, made, path, input, explain === true, deadlineMs), e => decisionFailed(reply, e));
      return;
    }
    return answer(reply, service, d, path, input, explain === true, deadlineMs);
  }));
}

function decisionFailed(reply: FastifyReply, e: unknown): FastifyReply {
  if (!(e instanceof DecisionError)) throw e;
  return sendJsonText(reply, e.notReady ? 503 : 500, JSON.stringify({ code: e.code, message: e.message }));
}

function answer(reply: FastifyReply, service: DecisionService, d: Decision, path: string, input: Value | undefined, explain: boolean, deadlineMs: number | undefined): FastifyReply {
  let text = `{"decision_id":"${d.decisionId}"`;
  if (d.resultJson !== undefined) text += `,"result":${d.resultJson}`;
  text += `,"cached":${d.cached},"eval_ns":${d.evalNs}`;
  const result = d.result;
  if (result !== undefined && isJsonObject(result) && own(result, 'reasons') !== undefined) {
    text += `,"reasons":${stringifyJson(toJSON(own(result, 'reasons')!))}`;
  }
  if (!explain) return sendJsonText(reply, 200, text + '}');
  const lines = service.explain(path, input, 'full', deadlineMs ?? service.deadline());
  if (lines instanceof Promise) {
    whenSettled(reply, lines, made => sendJsonText(reply, 200, `${text},"explanation":${JSON.stringify(made)}}`), e => decisionFailed(reply, e));
    return reply;
  }
  return sendJsonText(reply, 200, `${text},"explanation":${JSON.stringify(lines)}}`);
}
