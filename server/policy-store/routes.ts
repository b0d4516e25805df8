/**
 * `GET /v1/policies` (ids, sources, revision, the last failed load), `GET /v1/policies/{id}`,
 * `PUT /v1/policies/{id}` (text body; compiled with everything else before it is kept) and
 * `DELETE /v1/policies/{id}`. Writes are off unless `policy_api.writable`, and need the bearer
 * token when `policy_api.token` is set.
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HttpError, type ErrorBody } from '../errors.js';
import { sendJsonText } from '../http.js';
import { PolicyLoadError, StoreClosed, TooManyChanges, type LoadError, type PolicyStore } from './store.js';

/** `Retry-After` (s) when too many changes wait: a queue of them drains within a few seconds. */
export const BUSY_RETRY_SECONDS = 1;
import { validPolicyId } from './sources.js';

export function loadErrorBody(err: LoadError): ErrorBody {
  return {
    code: 'invalid_parameter',
    message: err.diagnostics.length ? 'error(s) occurred while compiling module(s)' : err.message,
    errors: err.diagnostics.map(d => ({ code: d.code, message: d.message, location: { file: d.file, row: d.line, col: d.col } })),
  };
}

function lastErrorJson(err: LoadError | undefined): unknown {
  if (!err) return null;
  return { at: err.at.toISOString(), origin: err.origin, code: err.code, message: err.message, ...loadErrorBody(err).errors?.length ? { errors: loadErrorBody(err).errors } : {} };
}

function policyId(req: FastifyRequest): string {
  const id = (req.params as Record<string, string | undefined>)['*'] ?? '';
  if (!validPolicyId(id)) throw new HttpError('invalid_parameter', `invalid policy id \`${id.slice(0, 100)}\``);
  return id;
}

/** Who may change policies and data over HTTP (`policy_api` in pol.yaml). */
export interface WriteAccess { writable: boolean; token?: string; unauthenticated?: boolean }

/**
 * A check for write requests: refused (403) unless `writable`, then the bearer token compared in
 * constant time (401). `what` names the writes in messages (`policy`, `data`).
 */
export function writeGuard(cfg: WriteAccess, what: string): (req: FastifyRequest) => void {
  const refuse = (req: FastifyRequest, e: HttpError): never => {
    // Refused changes are a security event: the server's log says who tried what.
    req.log.warn({ change: what, method: req.method, url: req.url.slice(0, 200), client: req.ip, status: e.status }, `${what} write refused: ${e.message}`);
    throw e;
  };
  // The expected header, made once.
  const want = Buffer.from(`Bearer ${cfg.token ?? ''}`);
  return req => {
    if (!cfg.writable) refuse(req, new HttpError('forbidden', `${what} writes are disabled (set \`policy_api.writable: true\` in pol.yaml)`));
    if (cfg.token === undefined) {
      // `resolveConfig` refuses this combination; a configuration built by hand fails closed too.
      if (cfg.unauthenticated === true) return;
      refuse(req, new HttpError('forbidden', `${what} writes need \`policy_api.token\` (or \`policy_api.unauthenticated: true\`)`));
    }
    const got = Buffer.from(req.headers.authorization ?? '');
    if (got.length !== want.length || !timingSafeEqual(got, want)) refuse(req, new HttpError('unauthorized', `a valid bearer token is required to change ${what === 'policy' ? 'policies' : what}`));
  };
}

/** Logs a change made through the API: what, by which client, and the revision it made. */
export function logChange(req: FastifyRequest, what: string, target: string, revision: string): void {
  req.log.info({ change: what, method: req.method, target, client: req.ip, revision }, `${what} changed through the API`);
}

export function registerPolicyRoutes(app: FastifyInstance, store: PolicyStore, cfg: WriteAccess): void {
  const authorizeWrite = writeGuard(cfg, 'policy');

  app.get('/v1/policies', async (_req, reply) => {
    const gen = store.generation;
    const result = gen ? Object.keys(gen.modules).sort().map(id => ({ id, raw: gen.modules[id] })) : [];
    return sendJsonText(reply, 200, JSON.stringify({
      result,
      revision: gen?.revision ?? null,
      ...(gen?.bundleRevision ? { bundle_revision: gen.bundleRevision } : {}),
      last_error: lastErrorJson(store.lastError),
    }));
  });

  app.get('/v1/policies/*', async (req, reply) => {
    const id = policyId(req);
    const gen = store.generation;
    if (!gen || !Object.prototype.hasOwnProperty.call(gen.modules, id)) throw new HttpError('not_found', `storage_not_found_error: policy id \`${id}\``);
    return sendJsonText(reply, 200, JSON.stringify({ result: { id, raw: gen.modules[id] } }));
  });

  app.put('/v1/policies/*', { config: { rawBody: true } }, async (req, reply) => {
    authorizeWrite(req);
    const id = policyId(req);
    const source = req.body;
    if (typeof source !== 'string' || source.trim() === '') throw new HttpError('invalid_parameter', 'the request body must be the policy source text');
    try {
      const gen = await store.putPolicyInBackground(id, source);
      logChange(req, 'policy', id, gen.revision);
      return sendJsonText(reply, 200, JSON.stringify({ result: {}, revision: gen.revision }));
    } catch (e) {
      if (e instanceof PolicyLoadError) return sendJsonText(reply, 400, JSON.stringify(loadErrorBody(e.detail)));
      if (e instanceof StoreClosed) throw new HttpError('not_ready', e.message);
      if (e instanceof TooManyChanges) throw new HttpError('not_ready', e.message).retryAfter(BUSY_RETRY_SECONDS);
      throw e;
    }
  });

  app.delete('/v1/policies/*', async (req, reply) => {
    authorizeWrite(req);
    const id = policyId(req);
    try {
      const gen = await store.deletePolicyInBackground(id);
      if (gen === false) throw new HttpError('not_found', `storage_not_found_error: policy id \`${id}\``);
      logChange(req, 'policy', id, gen.revision);
      return sendJsonText(reply, 200, JSON.stringify({ result: {}, revision: gen.revision }));
    } catch (e) {
      if (e instanceof PolicyLoadError) return sendJsonText(reply, 400, JSON.stringify(loadErrorBody(e.detail)));
      if (e instanceof StoreClosed) throw new HttpError('not_ready', e.message);
      if (e instanceof TooManyChanges) throw new HttpError('not_ready', e.message).retryAfter(BUSY_RETRY_SECONDS);
      throw e;
    }
  });
}
