/**
 * OPA's Data API, wire-compatible so OPA clients work unchanged:
 * - `POST /v1/data/{path}` `{ "input": ... }` and `GET /v1/data/{path}?input=<json>` →
 *   `{ "result": ... }`, with no `result` key when the document is undefined;
 *   `?pretty`, `?metrics`, `?explain=notes|fails|full`, `?provenance`, `?strict-builtin-errors`;
 *   `decision_id` when decision logging is on;
 * - `POST /v0/data/{path}` with the bare input → the bare value, 404 when undefined;
 * - `POST /` with the bare input → `data.system.main` (OPA's default decision), 404 when undefined.
 * Errors use OPA's `{ "code", "message" }` body.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { bracketPath, stringifyJson, toJSON, type Value } from '../../engine/index.js';
import { HttpError } from '../errors.js';
import { documentKeys } from '../document-path.js';
import { isJsonObject, own, parseJsonText } from '../body.js';
import { answering, flag, queryValue, sendAnswer, wantsNoCache, type JsonAnswer } from '../http.js';
import { DecisionError, type Decision, type DecisionService } from './service.js';

const VERSION = '0.1.0';

/**
 * The document a Data API URL names, read as OPA reads it: each `/` segment percent-decoded on
 * its own (`a%2Fb` is one key), an all-digit one an array index, and nothing else special (no
 * dotted form, no `data` prefix: `/v1/data/example.org` is the key `example.org`). Paths of plain
 * keys keep the slashed form (`rbac/allow`), others take the engine's `bracketPath`.
 */
function documentPath(url: string, prefix: string, known: Map<string, string>): string {
  const q = url.indexOf('?');
  const urlPath = q < 0 ? url : url.slice(0, q);
  let path = known.get(urlPath);
  if (path === undefined) {
    path = readDocumentPath(urlPath.slice(prefix.length));
    if (urlPath.length <= MAX_KNOWN_PATH_LENGTH) {
      if (known.size >= MAX_KNOWN_PATHS) known.clear();
      known.set(urlPath, path);
    }
  }
  return path;
}

/** Document paths remembered by URL path (clients ask for a few documents over and over), and the longest URL path remembered. */
const MAX_KNOWN_PATHS = 256;
const MAX_KNOWN_PATH_LENGTH = 512;

function readDocumentPath(rest: string): string {
  let plain = true;
  const segments = documentKeys(rest).map((key, i): string | number => {
    if (INDEX.test(key)) { plain = false; return Number(key); }
    if (!PLAIN_KEY.test(key) || (i === 0 && key === 'data')) plain = false;
    return key;
  });
  return plain ? segments.join('/') : bracketPath(segments);
}

/** An array index, as OPA's Data API reads one (a 64-bit integer there; here within a double's exact range). */
const INDEX = /^[+-]?\d{1,15}$/;
/** A key the slashed form says as it is: no dot, slash, bracket or surrounding space. */
const PLAIN_KEY = /^[^./[\]\s](?:[^./[\]]*[^./[\]\s])?$/;

/**
 * A failed decision in OPA's shape: `internal_error` with the evaluation's own errors listed
 * (`errors[].code`, `message`, `location`), which OPA's clients read to tell a conflict from a
 * cancelled query. No policy loaded is a 503 `not_ready`; saturated evaluation workers a 503
 * `eval_workers_busy`.
 */
function engineError(e: unknown): JsonAnswer {
  if (!(e instanceof DecisionError)) throw e;
  if (e.notReady) return { status: 503, text: JSON.stringify({ code: e.code, message: e.message }) };
  return { status: 500, text: JSON.stringify({ code: 'internal_error', message: 'error(s) occurred while evaluating query', errors: [evaluationError(e)] }) };
}

/** An evaluation error in OPA's `errors[]` shape: the engine's code, its text, and its place when it has one. */
function evaluationError(e: DecisionError): { code: string; message: string; location?: { file: string; row: number; col: number } } {
  const p = e.place;
  if (p) return { code: e.code, message: p.text, location: { file: p.file, row: p.row, col: p.col } };
  const message = e.message.startsWith(`${e.code}: `) ? e.message.slice(e.code.length + 2) : e.message;
  return { code: e.code, message };
}

/** The v0 answer: the bare value, or a 404 naming the missing document. */
function answerV0(d: Decision, missing: string): JsonAnswer {
  if (d.resultJson === undefined) return { status: 404, text: JSON.stringify({ code: 'undefined_document', message: `document missing: ${missing}` }) };
  return { status: 200, text: d.resultJson };
}

/** A `/v1/data` request as the Data API reads it, whatever carried it. */
export interface DataQuery {
  /** The request URL (path and query string). */
  url: string;
  /** The parsed query string (`?pretty`, `?metrics`, `?explain`, ...). */
  query: Record<string, unknown>;
  headers: IncomingHttpHeaders;
  /** How long parsing the body took, when it was timed (`?metrics`). */
  parseNs: bigint | undefined;
}

/** The Data API's `POST /v1/data` without the HTTP framework, for the fastify route and the direct lane. */
export type PostDataAnswer = (q: DataQuery, body: Value | undefined, bodyText: string | undefined) => JsonAnswer | Promise<JsonAnswer>;

/** The query of a URL without one. */
export const NO_QUERY: Record<string, unknown> = Object.freeze({}) as Record<string, unknown>;

export function registerDataApi(app: FastifyInstance, service: DecisionService, jsonDepth: number): PostDataAnswer {
  const knownPaths = new Map<string, string>();
  /** `inputText`/`inputIsMember`: the JSON text `input` came from (see `DecideOptions`). */
  /** `noInputKey`: a POST body without `input`, which OPA answers with a usage warning. */
  const v1 = (r: DataQuery, input: Value | undefined, inputText: string | undefined, inputIsMember: boolean, noInputKey = false): JsonAnswer | Promise<JsonAnswer> => {
    const q = r.query;
    const path = documentPath(r.url, '/v1/data', knownPaths) || 'data';
    // A query without options (the common case) reads no flags and no clock.
    const plain = q === NO_QUERY;
    const handlerStart = !plain && (flag(q.metrics) || flag(q.instrument)) ? process.hrtime.bigint() : 0n;
    // With an explanation, one deadline covers the request: the decision, then the explanation
    // with what is left. Without, the decision takes its own (and a cache hit reads no clock).
    const deadlineMs = q.explain !== undefined ? service.deadline() : undefined;
    let d;
    try {
      d = service.decide(path, input, {
        api: 'data',
        deadlineMs,
        bypassCache: wantsNoCache(r.headers),
        strictBuiltinErrors: !plain && flag(q['strict-builtin-errors']),
        inputText,
        inputIsMember,
      });
    } catch (e) {
      return engineError(e);
    }
    if (d instanceof Promise) return d.then(made => answerV1(r, path, input, made, deadlineMs, handlerStart, noInputKey), engineError);
    return answerV1(r, path, input, d, deadlineMs, handlerStart, noInputKey);
  };

  /** OPA's answer to a `/v1/data` query, from its decision. */
  const answerV1 = (
    r: DataQuery, path: string, input: Value | undefined,
    d: Decision, deadlineMs: number | undefined, handlerStart: bigint, noInputKey: boolean,
  ): JsonAnswer | Promise<JsonAnswer> => {
    const q = r.query;
    if (q === NO_QUERY && !noInputKey) return plainV1(d);
    const pretty = flag(q.pretty);
    const explain = queryValue(q.explain);
    const extra: Record<string, unknown> = {};
    if (service.loggingEnabled) extra.decision_id = d.decisionId;
    if (flag(q.metrics) || flag(q.instrument)) {
      extra.metrics = {
        counter_server_query_cache_hit: d.cached ? 1 : 0,
        timer_rego_input_parse_ns: Number(r.parseNs ?? 0n),
        timer_rego_query_eval_ns: d.evalNs,
        timer_server_handler_ns: Number(process.hrtime.bigint() - handlerStart),
      };
    }
    // OPA ignores a mode it does not know (`?explain=` included).
    let explanation: string[] | Promise<string[]> | undefined;
    if (explain === 'notes' || explain === 'fails' || explain === 'full' || explain === 'debug') {
      explanation = extra.explanation = service.explain(path, input, explain === 'debug' ? 'full' : explain, deadlineMs ?? service.deadline());
    }
    if (noInputKey) extra.warning = { code: 'api_usage_warning', message: "'input' key missing from the request" };
    if (flag(q.provenance)) {
      const gen = service.generation();
      extra.provenance = { version: VERSION, revision: gen.revision, ...(gen.bundleRevision ? { bundles: { bundle: { revision: gen.bundleRevision } } } : {}) };
    }
    if (explanation instanceof Promise) {
      // Made on an evaluation worker; it keeps its place among the fields.
      return explanation.then(lines => { extra.explanation = lines; return v1Text(d, extra, pretty); }, engineError);
    }
    return v1Text(d, extra, pretty);
  };

  /**
   * The answer without options: the result, with the decision id when decisions are logged,
   * assembled from the result's JSON text (serialising nothing else).
   */
  const plainV1 = (d: Decision): JsonAnswer => {
    const id = service.loggingEnabled ? `"decision_id":"${d.decisionId}"` : '';
    const result = d.resultJson === undefined ? '' : `"result":${d.resultJson}`;
    return { status: 200, text: `{${id}${id && result ? ',' : ''}${result}}` };
  };

  /** The answer's JSON: the decision's result with `extra`'s fields before it. */
  const v1Text = (d: Decision, extra: Record<string, unknown>, pretty: boolean): JsonAnswer => {
    const extras = Object.keys(extra).length;
    if (!pretty && (extras === 0 || (extras === 1 && extra.decision_id !== undefined))) return plainV1(d);
    const doc: Record<string, unknown> = { ...extra };
    if (d.result !== undefined) doc.result = toJSON(d.result);
    return { status: 200, text: stringifyJson(doc, pretty ? 2 : undefined) };
  };

  const postData: PostDataAnswer = (r, body, bodyText) => {
    if (body !== undefined && !isJsonObject(body)) throw new HttpError('invalid_parameter', 'body must be an object, such as {"input": {...}}');
    const input = body === undefined ? undefined : own(body, 'input');
    return v1(r, input, bodyText, true, input === undefined);
  };
  const dataQuery = (req: FastifyRequest): DataQuery => ({ url: req.url, query: req.url.includes('?') ? req.query as Record<string, unknown> : NO_QUERY, headers: req.headers, parseNs: req.parseNs });
  const postV1 = answering((req, reply) => sendAnswer(reply, postData(dataQuery(req), req.body as Value | undefined, req.bodyText)));
  const getV1 = answering((req, reply) => {
    const text = queryValue((req.query as Record<string, unknown>).input);
    return sendAnswer(reply, v1(dataQuery(req), text === undefined ? undefined : parseJsonText(text, jsonDepth, 'the `input` query parameter'), text, false));
  });
  for (const url of ['/v1/data', '/v1/data/*']) {
    app.post(url, postV1);
    // Other methods (HEAD included, as OPA) are answered 405 by the app's not-found handler.
    app.get(url, getV1);
  }

  // OPA's default decision: `POST /` with the bare input evaluates `data.system.main`.
  app.post('/', answering((req, reply) => {
    let d;
    try {
      d = service.decide('system/main', req.body as Value | undefined, { api: 'data_v0', bypassCache: wantsNoCache(req.headers), inputText: req.bodyText });
    } catch (e) {
      return sendAnswer(reply, engineError(e));
    }
    if (d instanceof Promise) return sendAnswer(reply, d.then(made => answerV0(made, 'data/system/main'), engineError));
    return sendAnswer(reply, answerV0(d, 'data/system/main'));
  }));

  const v0 = answering((req, reply) => {
    const path = documentPath(req.url, '/v0/data', knownPaths);
    let d;
    try {
      d = service.decide(path || 'data', req.body as Value | undefined, { api: 'data_v0', bypassCache: wantsNoCache(req.headers), inputText: req.bodyText });
    } catch (e) {
      return sendAnswer(reply, engineError(e));
    }
    const missing = path.startsWith('data[') ? path : `data/${path}`;
    if (d instanceof Promise) return sendAnswer(reply, d.then(made => answerV0(made, missing), engineError));
    return sendAnswer(reply, answerV0(d, missing));
  });
  app.post('/v0/data', v0);
  app.post('/v0/data/*', v0);
  return postData;
}
