/**
 * `buildApp(config)`: the decision service as a fastify instance, with every collaborator built
 * here once (policy store, decision cache, decision log, metrics) and exposed as `app.pol`.
 * Tests drive it with `inject`; `startServer` (main.ts) adds the listener.
 */
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyServerFactory } from 'fastify';
import { createServer, STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import pino from 'pino';
import type { Writable } from 'node:stream';
import { resolve } from 'node:path';
import { DecisionCache } from '../engine/cache/index.js';
import { entrypointPath } from '../engine/index.js';
import { ConfigError, openGeoDatabase, type ServerConfig } from './config.js';
import type { GeoDatabase } from '../engine/builtins/geo.js';
import { HttpError, answerClientError, fromFastifyError } from './errors.js';
import { installBodyParser } from './body.js';
import { sendError } from './http.js';
import { DirectLane } from './direct-lane.js';
import { DecisionLog, DecisionLogOpenError } from './audit/decision-log.js';
import { createServerMetrics, type ServerMetrics } from './metrics/server-metrics.js';
import { registerHealthRoutes } from './metrics/routes.js';
import { PolicyStore, BundlePoller, loadDirectory, watchDirectory } from './policy-store/index.js';
import { registerPolicyRoutes } from './policy-store/routes.js';
import { registerDataWrites } from './policy-store/data-routes.js';
import { DecisionService } from './decision/service.js';
import { EvalPool } from './decision/eval-pool.js';
import { registerDecide } from './decision/decide.js';
import { registerDataApi } from './decision/data-api.js';
import { registerAuthzen } from './decision/authzen.js';
import { registerProxyAuth } from './decision/proxy-auth.js';

/** What `buildApp` wires together, reachable from tests and the CLI as `app.pol`. */
export interface PolServer {
  config: ServerConfig;
  store: PolicyStore;
  service: DecisionService;
  cache: DecisionCache | undefined;
  decisionLog: DecisionLog | undefined;
  metrics: ServerMetrics;
  bundle: BundlePoller | undefined;
  /** The `geo_database` loaded at start-up (the `geo.*` builtins' host database), if configured. */
  geoDatabase: GeoDatabase | undefined;
  /** Resolves when the first policy load attempt (directory read or first bundle poll) is over. */
  initialLoad: Promise<boolean>;
  /** Answers the decision routes before fastify's router (see `DirectLane`). */
  directLane: DirectLane;
}

declare module 'fastify' {
  interface FastifyInstance { pol: PolServer }
}

export interface BuildOptions {
  /** Where decision log lines go, overriding `decision_log.path` (tests pass a stream). */
  decisionLogStream?: Writable;
  /** The server's own logger: `false` silences it (tests). */
  logger?: boolean;
  /** Where the server's own log lines go instead of stdout (tests). */
  logStream?: Writable;
  /** Base directory for relative paths in the configuration (default: the working directory). */
  cwd?: string;
}

/** Methods a 405 may name: those pol's fixed routes answer. */
const ROUTED_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/** The most decisions waiting for evaluation workers at once; more are answered 503. */
const MAX_WAITING_FOR_WORKERS = 10_000;

/** How long past a request's deadline a silent evaluation worker is given before it is replaced (ms). */
const WORKER_STALL_GRACE_MS = 5_000;

/** Longest a client may take to send a whole request (ms). */
const REQUEST_TIMEOUT_MS = 30_000;

/** Builds the service. Throws `ConfigError` when `geo_database` cannot be loaded. */
export function buildApp(config: ServerConfig, opts: BuildOptions = {}): FastifyInstance {
  // Before anything else, so a bad file fails start-up with nothing to clean up.
  const geoDatabase = openGeoDatabase(config, opts.cwd);
  let reportLogWriteError = (_err: Error): void => {};
  const decisionLog = config.decision_log.enabled
    ? openDecisionLog(config, opts, err => reportLogWriteError(err))
    : undefined;
  let lane: DirectLane | undefined;
  const app = Fastify({
    // Written synchronously: pino's default asynchronous stdout is flushed at exit by a loop that
    // never ends once the pipe is broken (a log reader that went away would hang shutdown).
    logger: opts.logger === false || config.log_level === 'silent' ? false : { level: config.log_level, stream: opts.logStream ?? pino.destination({ dest: 1, sync: true }) },
    // Requests are not logged: decisions have their own log, and per-request lines cost throughput.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: config.limits.body_bytes,
    // A request must arrive whole within this time: a client trickling its body holds a
    // connection (and shutdown) no longer.
    requestTimeout: REQUEST_TIMEOUT_MS,
    routerOptions: { maxParamLength: 4096 },
    exposeHeadRoutes: false,
    return503OnClosing: true,
    // Errors raised before a route is found answer in the server's own error format too.
    frameworkErrors: (err, _req, reply) => sendError(reply, new HttpError('invalid_parameter', err.message)),
    clientErrorHandler: answerClientError,
    serverFactory: hostCheckingServer((req, res) => lane?.take(req, res) === true),
  });

  // A client may half-close once its request is sent; answers that take a trip through the thread
  // pool (gzip bodies) must still reach it. Node then ends the socket after the answer.
  (app.server as { httpAllowHalfOpen?: boolean }).httpAllowHalfOpen = true;

  const store = new PolicyStore(geoDatabase ? { geoDatabase } : {});
  const cache = config.cache.enabled ? new DecisionCache({ maxEntries: config.cache.max_entries, ttlMs: config.cache.ttl_ms, minCost: config.cache.min_cost }) : undefined;
  const metrics = createServerMetrics({
    revision: () => store.generation?.revision,
    logDropped: () => decisionLog?.dropped ?? 0,
    cacheSize: () => cache?.size ?? 0,
    changesWaiting: () => store.backgroundChanges,
    ...(config.limits.eval_workers > 0 ? { evalWorkers: () => ({ threads: pool?.size ?? 0, waiting: pool?.waiting ?? 0, lost: pool?.lost ?? 0 }) } : {}),
  });
  const pool = config.limits.eval_workers > 0
    ? new EvalPool({
      threads: config.limits.eval_workers,
      maxPending: MAX_WAITING_FOR_WORKERS,
      stallGraceMs: WORKER_STALL_GRACE_MS,
      ...(config.geo_database !== undefined ? { geoDatabasePath: resolve(opts.cwd ?? process.cwd(), config.geo_database) } : {}),
      knownKeys: o => store.knownKeys(o),
      onFailure: reason => {
        metrics.errors.inc({ code: 'eval_worker_failure' });
        app.log.error(reason);
      },
    })
    : undefined;
  const service = new DecisionService(store, cache, decisionLog, metrics, {
    evalTimeoutMs: config.limits.eval_timeout_ms,
    logging: decisionLog !== undefined,
    ...(pool ? { pool, offloadAfterMs: config.limits.offload_after_ms, offloadPaths: config.limits.offload_paths.map(entrypointPath) } : {}),
    onSlowPath: (path, ns) => app.log.warn({ path, eval_ms: Math.round(ns / 1e4) / 100 }, `a decision at ${path} took ${(ns / 1e6).toFixed(1)} ms on the request thread (limits.offload_after_ms = ${config.limits.offload_after_ms}); its evaluations now run on evaluation workers`),
  });

  reportLogWriteError = logWriteErrorReporter(app, metrics);

  // Never a stale answer: any new generation drops every cached decision.
  store.on('swap', gen => {
    cache?.invalidate();
    // Running workers compile the new generation now, not when a request first waits on it; with
    // paths configured for the workers, one is started for them at the first load.
    if (config.limits.offload_paths.length > 0) pool?.warm(gen);
    else pool?.preload(gen);
    metrics.reloads.inc({ origin: gen.origin, result: 'success' });
    metrics.loadDuration.observe(gen.loadSeconds, { origin: gen.origin });
    app.log.info({ revision: gen.revision, origin: gen.origin }, 'policy loaded');
  });
  store.on('dropped', d => {
    app.log.warn({ origin: d.origin, writes: d.writes }, `${d.writes.length} Data API write(s) no longer fit the reloaded data and were dropped`);
  });
  store.on('error', err => {
    metrics.reloads.inc({ origin: err.origin, result: 'failure' });
    metrics.errors.inc({ code: err.code });
    app.log.error({ origin: err.origin, code: err.code, diagnostics: err.diagnostics }, `policy load failed, keeping the working policy: ${err.message}`);
  });

  let stopWatch: (() => void) | undefined;
  let bundle: BundlePoller | undefined;
  let initialLoad: Promise<boolean>;
  if (config.policies) {
    const dir = resolve(opts.cwd ?? process.cwd(), config.policies.dir);
    initialLoad = Promise.resolve(loadDirectory(store, dir));
    if (config.policies.watch) stopWatch = watchDirectory(store, dir, config.policies.debounce_ms);
  } else if (config.bundle) {
    bundle = new BundlePoller(store, config.bundle);
    initialLoad = bundle.start().then(o => o === 'updated');
  } else {
    initialLoad = Promise.resolve(false);
  }

  /** What a request raised, as the error to answer with: counted, and logged when it is the server's fault. */
  const failed = (err: unknown, log: FastifyBaseLogger): HttpError => {
    const e = err instanceof HttpError ? err
      : fromFastifyError(typeof err === 'object' && err !== null ? err as { code?: string; statusCode?: number; message: string } : { message: String(err) });
    if (e.status >= 500) log.error({ err }, 'request failed');
    metrics.errors.inc({ code: e.code });
    return e;
  };

  installBodyParser(app, config.limits.json_depth, config.limits.body_bytes);
  app.setErrorHandler((err, req, reply) => sendError(reply, failed(err, req.log)));
  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split('?')[0]!;
    // A known path asked with another method is a 405 naming the methods it takes (looked up
    // only here, on a miss).
    const allowed = ROUTED_METHODS.filter(m => m !== req.method && app.findRoute({ method: m, url: path }) !== null);
    if (allowed.length > 0) {
      void reply.header('allow', allowed.join(', '));
      return sendError(reply, new HttpError('method_not_allowed', `${req.method.slice(0, 20)} is not allowed on ${path.slice(0, 200)} (use ${allowed.join(' or ')})`));
    }
    return sendError(reply, new HttpError('not_found', `no route for ${req.method} ${path.slice(0, 200)}`));
  });

  registerHealthRoutes(app, store, metrics);
  registerDecide(app, service);
  const postData = registerDataApi(app, service, config.limits.json_depth);
  registerAuthzen(app, service, config.authzen.path, config.limits.batch_size, config.authzen.base_url);
  const proxies = registerProxyAuth(app, service, metrics, config.forward_auth, config.ext_authz);
  registerPolicyRoutes(app, store, config.policy_api);
  registerDataWrites(app, store, config.policy_api, { bundleOwned: config.bundle !== undefined });

  const directLane = lane = new DirectLane({ service, proxies, postData, maxBytes: config.limits.body_bytes, maxDepth: config.limits.json_depth, failed: err => failed(err, app.log) });
  app.decorate('pol', { config, store, service, cache, decisionLog, metrics, bundle, geoDatabase, initialLoad, directLane });
  // A closing server answers new requests 503 (fastify's `return503OnClosing`): they go to fastify.
  app.addHook('preClose', done => { directLane.close(); done(); });
  directLane.watchApp(app);

  app.addHook('onClose', async () => {
    stopWatch?.();
    bundle?.stop();
    store.close();
    await pool?.close();
    await decisionLog?.close();
  });
  return app;
}

/**
 * The HTTP/1 server fastify would make, except that an HTTP/1.1 request without `Host` (which
 * RFC 9112 makes a 400) is refused in the server's JSON error format rather than with Node's
 * empty 400 (one property read before fastify sees the request), and that `direct` may answer a
 * request itself (see `DirectLane`).
 */
const hostCheckingServer = (direct: (req: IncomingMessage, res: ServerResponse) => boolean): FastifyServerFactory => (handler, opts) => {
  const server = createServer({ requireHostHeader: false }, (req, res) => {
    if (req.headers.host === undefined && req.httpVersionMajor === 1 && req.httpVersionMinor >= 1) {
      const e = new HttpError('invalid_parameter', 'an HTTP/1.1 request needs a Host header');
      const body = JSON.stringify(e.body());
      res.writeHead(e.status, STATUS_CODES[e.status], { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), connection: 'close' });
      res.end(body);
      return;
    }
    if (direct(req, res)) return;
    handler(req, res);
  });
  // What fastify sets on a server it makes itself (its options, defaults filled in).
  const o = opts as { keepAliveTimeout?: number; requestTimeout?: number; connectionTimeout?: number };
  server.keepAliveTimeout = o.keepAliveTimeout ?? 72_000;
  server.requestTimeout = o.requestTimeout ?? REQUEST_TIMEOUT_MS;
  server.setTimeout(o.connectionTimeout ?? 0);
  return server;
};

/** The decision log; a file that cannot be opened is a configuration error. */
function openDecisionLog(config: ServerConfig, opts: BuildOptions, onWriteError: (err: Error) => void): DecisionLog {
  const path = config.decision_log.path;
  const destination = opts.decisionLogStream ?? (path === 'stdout' || path === 'stderr' ? path : resolve(opts.cwd ?? process.cwd(), path));
  try {
    return new DecisionLog({ destination, mask: config.decision_log.mask, buffer: config.decision_log.buffer, flushMs: config.decision_log.flush_ms, onWriteError });
  } catch (e) {
    if (e instanceof DecisionLogOpenError) throw new ConfigError(`decision_log.path: ${e.message}`);
    throw e;
  }
}

/** How long a failing decision log stays quiet in the server log after reporting (ms). */
const LOG_WRITE_ERROR_QUIET_MS = 60_000;

/**
 * Failed decision-log writes: every one counted in `pol_errors_total`, the first of a run and
 * then at most one a minute reported in the server log (a full disk fails every write).
 */
function logWriteErrorReporter(app: FastifyInstance, metrics: ServerMetrics): (err: Error) => void {
  let quietUntil = 0, unreported = 0;
  return err => {
    metrics.errors.inc({ code: 'decision_log_write_failed' });
    const now = Date.now();
    if (now < quietUntil) { unreported++; return; }
    app.log.error({ err, failed_since_last_report: unreported }, 'decision log write failed; lines are kept and retried');
    quietUntil = now + LOG_WRITE_ERROR_QUIET_MS;
    unreported = 0;
  };
}
