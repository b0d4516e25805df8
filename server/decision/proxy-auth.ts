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
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ForwardAuthConfig, ProxyAuthConfig } from '../config.js';
import { HttpError } from '../errors.js';
import { answering, sendJsonText } from '../http.js';
import { interpret, safeHeaderValue, type Verdict } from './interpret.js';
import { forwardAuthInput, extAuthzInput } from './proxy-input.js';
import { DecisionError, UNUSABLE_DECISION, type DecisionService } from './service.js';
import type { ServerMetrics } from '../metrics/server-metrics.js';

export const EXT_AUTHZ_PREFIX = '/v1/ext-authz';

type Api = 'forward_auth' | 'ext_authz';

function decideAndReply(
  reply: FastifyReply, service: DecisionService, metrics: ServerMetrics,
  cfg: ProxyAuthConfig, api: Api, input: unknown,
): FastifyReply {
  let d;
  let verdict: Verdict | undefined;
  try {
    // A client's `Cache-Control` reaches here through the proxy: it is about the upstream's
    // resource, and must not let a client force an evaluation per request. The verdict is read
    // before the decision is logged, so an allow this endpoint cannot send is logged as an error.
    d = service.decide(cfg.path, input as never, { api, vet: result => { verdict = interpret(result); return unsendable(verdict, cfg); } });
  } catch (e) {
    if (!(e instanceof DecisionError)) throw e;
    metrics.verdicts.inc({ api, verdict: 'error' });
    // A policy that emits an unsendable header value denies rather than dropping the header.
    const message = e.code === UNUSABLE_DECISION ? `${e.message}; access denied` : 'authorization could not be decided; access denied';
    return sendJsonText(reply, cfg.error_status, JSON.stringify({ code: e.notReady ? 'not_ready' : 'eval_error', message }));
  }
  const v = verdict!;
  if (!v.allow) {
    metrics.verdicts.inc({ api, verdict: 'deny' });
    const status = v.status ?? cfg.deny_status;
    if (status === 401) reply.header('www-authenticate', 'Bearer');
    return sendJsonText(reply, status, JSON.stringify({
      code: status === 401 ? 'unauthorized' : 'forbidden',
      message: 'access denied',
      reasons: v.reasons,
      decision_id: d.decisionId,
    }));
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
  metrics.verdicts.inc({ api, verdict: 'allow' });
  reply.headers(headers);
  return sendJsonText(reply, 200, JSON.stringify({ allow: true, decision_id: d.decisionId }));
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

export function registerProxyAuth(app: FastifyInstance, service: DecisionService, metrics: ServerMetrics, forward: ForwardAuthConfig, ext: ProxyAuthConfig): void {
  const forwardIds = new Set(forward.identity_headers);
  const extIds = new Set(ext.identity_headers);
  const known = new Set(app.supportedMethods);
  for (const m of PROXIED_METHODS) if (!known.has(m)) app.addHttpMethod(m, { hasBody: true });
  /** A request refused before any decision (its original request is malformed or ambiguous). */
  const refused = (api: Api, e: HttpError): void => {
    metrics.verdicts.inc({ api, verdict: 'refused' });
    metrics.errors.inc({ code: e.code });
  };

  const forwardHandler = answering((req, reply) => {
    let input;
    try {
      input = forwardAuthInput(req, forwardIds, forward.original_request);
    } catch (e) {
      if (!(e instanceof HttpError)) throw e;
      refused('forward_auth', e);
      return sendJsonText(reply, e.status, JSON.stringify(e.body()));
    }
    return decideAndReply(reply, service, metrics, forward, 'forward_auth', input);
  });
  // Request bodies (Envoy's `with_request_body`, Traefik's `forwardBody`) are not part of the
  // input: they are discarded unread, whatever their size or encoding, so they never deny.
  // nginx sends the subrequest with the original method; Caddy rewrites it to GET; Traefik uses GET.
  const config = { ignoreBody: true };
  app.route({ method: PROXIED_METHODS, url: '/v1/forward-auth', handler: forwardHandler, config });

  const extHandler = answering((req, reply) => {
    let input;
    try {
      input = extAuthzInput(req, EXT_AUTHZ_PREFIX, extIds);
    } catch (e) {
      if (!(e instanceof HttpError)) throw e;
      refused('ext_authz', e);
      return sendJsonText(reply, 403, JSON.stringify({ code: 'forbidden', message: e.message }));
    }
    return decideAndReply(reply, service, metrics, ext, 'ext_authz', input);
  });
  app.route({ method: PROXIED_METHODS, url: `${EXT_AUTHZ_PREFIX}`, handler: extHandler, config });
  app.route({ method: PROXIED_METHODS, url: `${EXT_AUTHZ_PREFIX}/*`, handler: extHandler, config });
}
