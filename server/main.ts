/** Starting the decision service on a real listener. */
import type { FastifyInstance } from 'fastify';
import { buildApp, type BuildOptions } from './app.js';
import { parseAddr, type ServerConfig } from './config.js';

export interface RunningServer {
  app: FastifyInstance;
  /** The base URL actually listened on (the port is resolved when 0 was asked for). */
  url: string;
  close(): Promise<void>;
}

/** Builds the app, waits for the first policy load attempt, and listens on `config.addr`. */
export async function startServer(config: ServerConfig, opts: BuildOptions = {}): Promise<RunningServer> {
  const app = buildApp(config, opts);
  await app.pol.initialLoad;
  const { host, port } = parseAddr(config.addr);
  await app.listen({ host, port });
  const addr = app.server.address();
  const actualPort = typeof addr === 'object' && addr ? addr.port : port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return { app, url: `http://${shownHost}:${actualPort}`, close: () => app.close() };
}
