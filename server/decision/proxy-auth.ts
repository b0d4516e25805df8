/**
 * Endpoints for proxies that delegate authorization:
 * - `/v1/forward-auth` for nginx `auth_request`, Traefik ForwardAuth and Caddy `forward_auth`;
 * - `/v1/ext-authz/...` for Envoy's ext_authz filter in HTTP service mode (any method; the path
 *   after the prefix is the original path).
 * Allow → 200 with every configured identity header (empty when the decision gives none, so a
 * header a client sent can never survive the proxy's copy). Deny → 401/403 with a JSON reason.
 * Evaluation errors fail closed with the configured error status.
 */
import { METHODS } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { ForwardAuthConfig, ProxyAuthConfig } from '../config.js';
import { HttpError } from '../errors.js';
import { answering, sendAnswer, type JsonAnswer } from '../http.js';
import { interpret, safeHeaderValue, type Verdict } from './interpret.js';
import { forwardAuthInput, extAuthzInput, type ProxyHttpRequest } from './proxy-input.js';
import { DecisionError, UNUSABLE_DECISION, type Decision, type DecisionService } from './service.js';
import type { ServerMetrics } from '../metrics/server-metrics.js';
import type { Value } from '../../engine/index.js';

export const EXT_AUTHZ_PREFIX = '/v1/ext-authz';

type Api = 'forward_auth' | 'ext_authz';

/** One proxy endpoint: its configuration, API name, bound metric series and remembered verdicts. */
class Endpoint {
  readonly allowed: { inc(): void };
  readonly denied: { inc(): void };
  readonly failed: { inc(): void };
  readonly refused: { inc(): void };
  /** Verdicts by cached decision result: a cache hit answers the same object each time, read once. */
  private readonly verdicts = new WeakMap<object, Vetted>();
  /** The verdicts on `true`, `false` and an undefined result, made once. */
  private readonly onTrue: Vetted;
  private readonly onFalse: Vetted;
  private readonly onUndefined: Vetted;

  constructor(readonly cfg: ProxyAuthConfig, readonly api: Api, metrics: ServerMetrics) {
    this.allowed = metrics.verdicts.bind({ api, verdict: 'allow' });
    this.denied = metrics.verdicts.bind({ api, verdict: 'deny' });
    this.failed = metrics.verdicts.bind({ api, verdict: 'error' });
    this.refused = metrics.verdicts.bind({ api, verdict: 'refused' });
    this.onTrue = vet(true, cfg);
    this.onFalse = vet(false, cfg);
    this.onUndefined = vet(undefined, cfg);
  }

  /** The verdict on `result`, and why it cannot be sent when it cannot. */
  vetted(result: Value | undefined, cached: boolean): Vetted {
    if (result === true) return this.onTrue;
    if (result === false) return this.onFalse;
    if (result === undefined) return this.onUndefined;
    if (!cached || typeof result !== 'object' || result === null) return vet(result, this.cfg);
    let v = this.verdicts.get(result);
    if (v === undefined) { v = vet(result, this.cfg); this.verdicts.set(result, v); }
    return v;
  }
}

/** A verdict and whether it can be sent. Shared between requests: read, never changed. */
interface Vetted { readonly verdict: Verdict; readonly unusable: string | undefined }

function vet(result: Value | undefined, cfg: ProxyAuthConfig): Vetted {
  const verdict = interpret(result);
  return { verdict, unusable: unsendable(verdict, cfg) };
}

function endpointAnswer(service: DecisionService, endpoint: Endpoint, input: unknown): JsonAnswer | Promise<JsonAnswer> {
  let d;
  let vetted: Vetted | undefined;
  try {
    // A client's `Cache-Control` reaches here through the proxy: it is about the upstream's
    // resource, and must not let a client force an evaluation per request. The verdict is read
    // before the decision is logged, so an allow this endpoint cannot send is logged as an error.
    d = service.decide(endpoint.cfg.path, input as never, { api: endpoint.api, vet: (result, cached) => (vetted = endpoint.vetted(result, cached)).unusable });
  } catch (e) {
    return undecided(endpoint, e);
  }
  // `vet` has run by the time the promise settles with a decision.
  if (d instanceof Promise) return d.then(made => verdictAnswer(endpoint, vetted!.verdict, made), e => undecided(endpoint, e));
  return verdictAnswer(endpoint, vetted!.verdict, d);
}

/** No decision (an engine error, no policy, an unsendable allow): the proxy is told to deny. */
function undecided(endpoint: Endpoint, e: unknown): JsonAnswer {
  if (!(e instanceof DecisionError)) throw e;
  endpoint.failed.inc();
  // A policy that emits an unsendable header value denies rather than dropping the header.
  const message = e.code === UNUSABLE_DECISION ? `${e.message}; access denied` : 'authorization could not be decided; access denied';
  return { status: endpoint.cfg.error_status, text: JSON.stringify({ code: e.notReady ? 'not_ready' : 'eval_error', message }) };
}

const CHALLENGE = { 'www-authenticate': 'Bearer' };

function verdictAnswer(endpoint: Endpoint, v: Verdict, d: Decision): JsonAnswer {
  const { cfg, api } = endpoint;
  if (!v.allow) {
    endpoint.denied.inc();
    const status = v.status ?? cfg.deny_status;
    return {
      status,
      text: JSON.stringify({ code: status === 401 ? 'unauthorized' : 'forbidden', message: 'access denied', reasons: v.reasons, decision_id: d.decisionId }),
      headers: status === 401 ? CHALLENGE : undefined,
    };
  }
  const headers: Record<string, string> = {};
  const empty: string[] = [];
  for (const name of cfg.identity_headers) {
    const value = v.headers.get(name) ?? (name === 'x-decision-id' ? d.decisionId : '');
    headers[name] = value;
    if (value === '') empty.push(name);
  }
  if (api === 'ext_authz') {
    const remove = [...new Set([...empty, ...v.removeHeaders])];
    if (remove.length) headers['x-envoy-auth-headers-to-remove'] = remove.join(', ');
  }
  endpoint.allowed.inc();
  // The id is a UUID: nothing in it needs escaping.
  return { status: 200, text: `{"allow":true,"decision_id":"${d.decisionId}"}`, headers };
}

/** Why an allow cannot be sent as configured (a configured header's value a proxy would refuse), if it cannot. */
function unsendable(verdict: Verdict, cfg: ProxyAuthConfig): string | undefined {
  if (!verdict.allow) return undefined;
  for (const name of cfg.identity_headers) {
    const value = verdict.headers.get(name);
    if (value !== undefined && !safeHeaderValue(value)) return `the decision's \`${name}\` header value cannot be sent`;
  }
  return undefined;
}

/**
 * Every method Node's HTTP parser accepts but CONNECT (which never reaches a route): Envoy and
 * the proxies ask with the original method, and a method with no route would be a 404, denying
 * WebDAV and cache-purge requests a policy may allow.
 */
const PROXIED_METHODS = METHODS.filter(m => m !== 'CONNECT');

/**
 * The proxy endpoints without the HTTP framework, for the fastify routes and the direct lane: the
 * answer to a request, or a promise of it when an evaluation worker decides. What they throw
 * (neither an `HttpError` nor a `DecisionError`) is the route's error.
 */
export interface ProxyEndpoints {
  forwardAuth(req: ProxyHttpRequest): JsonAnswer | Promise<JsonAnswer>;
  extAuthz(req: ProxyHttpRequest): JsonAnswer | Promise<JsonAnswer>;
}

export function registerProxyAuth(app: FastifyInstance, service: DecisionService, metrics: ServerMetrics, forward: ForwardAuthConfig, ext: ProxyAuthConfig): ProxyEndpoints {
  const forwardIds = new Set(forward.identity_headers);
  const extIds = new Set(ext.identity_headers);
  const known = new Set(app.supportedMethods);
  for (const m of PROXIED_METHODS) if (!known.has(m)) app.addHttpMethod(m, { hasBody: true });
  const forwardEndpoint = new Endpoint(forward, 'forward_auth', metrics);
  const extEndpoint = new Endpoint(ext, 'ext_authz', metrics);
  /** A request refused before any decision (its original request is malformed or ambiguous). */
  const refused = (endpoint: Endpoint, e: HttpError): void => {
    endpoint.refused.inc();
    metrics.errors.inc({ code: e.code });
  };

  const endpoints: ProxyEndpoints = {
    forwardAuth: req => {
      let input;
      try {
        input = forwardAuthInput(req, forwardIds, forward.original_request);
      } catch (e) {
        if (!(e instanceof HttpError)) throw e;
        refused(forwardEndpoint, e);
        return { status: e.status, text: JSON.stringify(e.body()) };
      }
      return endpointAnswer(service, forwardEndpoint, input);
    },
    extAuthz: req => {
      let input;
      try {
        input = extAuthzInput(req, EXT_AUTHZ_PREFIX, extIds);
      } catch (e) {
        if (!(e instanceof HttpError)) throw e;
        refused(extEndpoint, e);
        return { status: 403, text: JSON.stringify({ code: 'forbidden', message: e.message }) };
      }
      return endpointAnswer(service, extEndpoint, input);
    },
  };
  const handler = (answerTo: (req: ProxyHttpRequest) => JsonAnswer | Promise<JsonAnswer>) => answering((req, reply) => sendAnswer(reply, answerTo(req.raw)));
  // Request bodies (Envoy's `with_request_body`, Traefik's `forwardBody`) are not part of the
  // input: they are discarded unread, whatever their size or encoding, so they never deny.
  // nginx sends the subrequest with the original method; Caddy rewrites it to GET; Traefik uses GET.
  const config = { ignoreBody: true };
  app.route({ method: PROXIED_METHODS, url: '/v1/forward-auth', handler: handler(endpoints.forwardAuth), config });
  const extHandler = handler(endpoints.extAuthz);
  app.route({ method: PROXIED_METHODS, url: `${EXT_AUTHZ_PREFIX}`, handler: extHandler, config });
  app.route({ method: PROXIED_METHODS, url: `${EXT_AUTHZ_PREFIX}/*`, handler: extHandler, config });
  return endpoints;
}
