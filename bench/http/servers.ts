/**
 * The servers under test, all in this process: a bare fastify route that returns the same JSON as
 * a `/v1/decide` answer (the ceiling), and pol's app on the benchmark policy.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import { buildApp, resolveConfig } from '../../server/index.js';
import { BENCH_POLICY } from './policy.js';

export interface Listening { url: string; close(): Promise<void> }

/** A fastify app listening. */
export interface AppListening extends Listening { app: FastifyInstance }

async function listen(app: FastifyInstance): Promise<string> {
  await app.listen({ host: '127.0.0.1', port: 0 });
  const a = app.server.address();
  return `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
}

/** A bare fastify route: parse the JSON body, answer the JSON `/v1/decide` gives for a cached decision. */
export async function startBare(): Promise<AppListening> {
  const app = Fastify({ logger: false, logController: new LogController({ disableRequestLogging: true }) });
  app.post('/bare', async (_req, reply) => reply.header('content-type', 'application/json; charset=utf-8')
    .send(`{"decision_id":"${randomUUID()}","result":true,"cached":true,"eval_ns":1500}`));
  const url = await listen(app);
  return { app, url, close: () => app.close() };
}

/**
 * A bare Node route, no framework: reads the body, parses it, answers the same JSON. The ceiling
 * below fastify's, for what pol's direct lane (which answers `/v1/decide` before fastify's router)
 * is measured against as well.
 */
export async function startBareNode(): Promise<Listening> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        res.writeHead(400, { 'content-type': 'application/json; charset=utf-8' }).end('{"code":"invalid_parameter"}');
        return;
      }
      const text = `{"decision_id":"${randomUUID()}","result":true,"cached":true,"eval_ns":1500}`;
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) }).end(text);
    });
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const a = server.address();
  return {
    url: `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`,
    close: () => new Promise<void>(resolve => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

/** pol's decision service on the benchmark policy, with the decision log on (to a temp file) unless asked otherwise. */
export interface PolListening extends AppListening {
  logDropped(): number;
  logWritten(): number;
  /** The decision cache's counters so far (hits, misses, lookups that bypassed it). */
  cacheStats(): { hits: number; misses: number; uncacheable: number };
}

export async function startPol(opts: {
  decisionLog?: boolean;
  /** `limits` of the configuration (evaluation workers, timeouts). */
  limits?: Record<string, unknown>;
  /** More policy modules beside the benchmark policy. */
  modules?: Record<string, string>;
} = {}): Promise<PolListening> {
  const dir = mkdtempSync(join(tmpdir(), 'pol-bench-http-'));
  const app = buildApp(resolveConfig({
    addr: '127.0.0.1:0',
    decision_log: { enabled: opts.decisionLog ?? true, path: join(dir, 'decisions.log'), buffer: 100_000 },
    forward_auth: { path: 'bench/decision', identity_headers: ['x-user', 'x-user-roles'] },
    ...(opts.limits ? { limits: opts.limits } : {}),
    log_level: 'silent',
  }), { logger: false });
  app.pol.store.loadBase({ modules: { 'bench.pol': BENCH_POLICY.source, ...opts.modules }, data: BENCH_POLICY.data }, 'bench');
  const url = await listen(app);
  return {
    app, url,
    logDropped: () => app.pol.decisionLog?.dropped ?? 0,
    logWritten: () => app.pol.decisionLog?.written ?? 0,
    cacheStats: () => {
      const s = app.pol.cache?.stats;
      return { hits: s?.hits ?? 0, misses: s?.misses ?? 0, uncacheable: s?.uncacheable ?? 0 };
    },
    close: async () => { await app.close(); rmSync(dir, { recursive: true, force: true }); },
  };
}
