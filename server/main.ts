/** Starting the decision service on a real listener. */
import type { FastifyInstance } from 'fastify';
import { buildApp, type BuildOptions } from './app.js';
import { parseAddr, type ServerConfig } from './config.js';
import { checkBundleKey } from './policy-store/bundle.js';

export interface RunningServer {
  app: FastifyInstance;
  /** The base URL actually listened on (the port is resolved when 0 was asked for). */
  url: string;
  close(): Promise<void>;
}

export interface StartOptions extends BuildOptions {
  /** Longest shutdown waits for requests still being received or answered (ms). Default 10000. */
  shutdownGraceMs?: number;
}

/** How often shutdown closes the connections that have gone idle since it started (ms). */
const IDLE_SWEEP_MS = 100;

/**
 * Builds the app and listens on `config.addr`. A policy directory is read first (the caller can
 * report what it found); a bundle is fetched in the background, since its server may be slow or
 * down: `/health` answers at once and `/ready` answers 503 until a policy is loaded.
 */
export async function startServer(config: ServerConfig, opts: StartOptions = {}): Promise<RunningServer> {
  // The bundle key is checked against its algorithm now: a bad one is a configuration error, not a poll failure.
  if (config.bundle) await checkBundleKey(config.bundle);
  const app = buildApp(config, opts);
  if (!config.bundle) await app.pol.initialLoad;
  const { host, port } = parseAddr(config.addr);
  try {
    await app.listen({ host, port });
  } catch (e) {
    // Stops the bundle poll (and closes the decision log) started by buildApp.
    await app.close();
    throw e;
  }
  const addr = app.server.address();
  const actualPort = typeof addr === 'object' && addr ? addr.port : port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return { app, url: `http://${shownHost}:${actualPort}`, close: () => closeGracefully(app, opts.shutdownGraceMs ?? 10_000) };
}

/**
 * Stops listening and lets requests in progress finish, but promptly: a keep-alive connection is
 * closed as soon as its answer is sent (not after the keep-alive timeout), and after `graceMs`
 * every remaining connection (a stalled upload, a slow reader) is cut.
 */
async function closeGracefully(app: FastifyInstance, graceMs: number): Promise<void> {
  const server = app.server;
  const sweep = setInterval(() => server.closeIdleConnections(), IDLE_SWEEP_MS);
  const cut = setTimeout(() => server.closeAllConnections(), graceMs);
  try {
    await app.close();
  } finally {
    clearInterval(sweep);
    clearTimeout(cut);
  }
}
