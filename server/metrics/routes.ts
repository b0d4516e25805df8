/**
 * `GET /health` (the process answers; with OPA's `?bundles`, also a policy is loaded; with
 * `?plugins`, also the last directory or bundle load did not fail), `GET /ready` (a policy is loaded; detail includes
 * the last failed load) and `GET /metrics` (Prometheus text format).
 */
import type { FastifyInstance } from 'fastify';
import type { PolicyStore } from '../policy-store/index.js';
import { flag, sendJsonText } from '../http.js';
import { PROMETHEUS_CONTENT_TYPE } from './registry.js';
import type { ServerMetrics } from './server-metrics.js';

export function registerHealthRoutes(app: FastifyInstance, store: PolicyStore, metrics: ServerMetrics): void {
  // HEAD too: load balancers and orchestrators probe with either.
  app.route({ method: ['GET', 'HEAD'], url: '/health', handler: async (req, reply) => {
    const q = req.query as Record<string, unknown>;
    const unhealthy = (flag(q.bundles) || flag(q.plugins)) && store.generation === undefined ? 'no policy loaded yet'
      // A write refused through the API was answered to its caller; it says nothing of the server's health.
      : flag(q.plugins) && store.lastError && store.lastError.origin !== 'api' ? `the last ${store.lastError.origin} load failed: ${store.lastError.message}`
      : undefined;
    // OPA's unhealthy answer: a 500 with a code and the reason.
    if (unhealthy !== undefined) return sendJsonText(reply, 500, JSON.stringify({ code: 'unhealthy', error: unhealthy }));
    return sendJsonText(reply, 200, '{}');
  } });

  app.route({ method: ['GET', 'HEAD'], url: '/ready', handler: async (_req, reply) => {
    const gen = store.generation;
    const err = store.lastError;
    const detail = {
      ready: gen !== undefined,
      revision: gen?.revision ?? null,
      loaded_at: gen?.loadedAt.toISOString() ?? null,
      origin: gen?.origin ?? null,
      last_error: err ? { at: err.at.toISOString(), origin: err.origin, code: err.code, message: err.message } : null,
    };
    return sendJsonText(reply, gen ? 200 : 503, JSON.stringify(gen ? detail : { code: 'not_ready', message: err ? `no policy loaded: ${err.message}` : 'no policy loaded yet', ...detail }));
  } });

  app.get('/metrics', async (_req, reply) => reply.code(200).header('content-type', PROMETHEUS_CONTENT_TYPE).send(metrics.registry.render()));
}
