/**
 * `pol serve --policies <dir> [--config pol.yaml] [--addr 127.0.0.1:8181]`: runs the decision
 * service until SIGINT/SIGTERM and prints how to query each API.
 */
import { parseArgs } from 'node:util';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, defaultConfig, loadConfigFile, parseAddr, resolveConfig, startServer, type ServerConfig } from '../server/index.js';
import { urlForMessages } from '../server/policy-store/bundle-fetch.js';

const USAGE = `usage: pol serve [--policies <dir>] [--config pol.yaml] [--addr host:port] [--decision-log] [--no-watch]
                 [--geo-database <file.mmdb>]

  --policies <dir>   directory of .pol files and data.json/data.yaml, watched for changes
  --config <file>    pol.yaml (unknown keys are errors); flags override it
  --addr <host:port> listen address (default 127.0.0.1:8181)
  --decision-log     log every decision to stdout as one JSON line
  --no-watch         load the directory once, do not watch it
  --geo-database <file>
                     MaxMind-format .mmdb database for the geo.* builtins, loaded at start-up
                     (default: the embedded country table)
`;

export interface ServeIO {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Resolves when the server should stop (default: SIGINT or SIGTERM). */
  stopSignal?: Promise<void>;
  /** Called once the server listens, with its URL (tests). */
  onListening?: (url: string) => void;
}

const defaultIO: ServeIO = {
  stdout: t => { process.stdout.write(t); },
  stderr: t => { process.stderr.write(t); },
};

function signals(): Promise<void> {
  return new Promise(resolve => {
    const done = (): void => { process.off('SIGINT', done); process.off('SIGTERM', done); resolve(); };
    process.on('SIGINT', done);
    process.on('SIGTERM', done);
  });
}

/** An example input shipped with the policies (`examples/rbac-allow.json`), when there is one. */
function exampleInput(dir: string | undefined): unknown {
  const fallback = { identity: { type: 'jwt', subject: 'bob' }, request: { method: 'GET', route: '/accounts/{id}', path: '/accounts/42' } };
  if (!dir) return fallback;
  try {
    return JSON.parse(readFileSync(join(dir, 'examples', 'rbac-allow.json'), 'utf8')) as unknown;
  } catch {
    return fallback;
  }
}

/** The curl lines printed at start-up: one per API, with the bundled policies' example input. */
export function usageBanner(url: string, config: ServerConfig): string {
  const j = (o: unknown): string => `'${JSON.stringify(o).replace(/'/g, "'\\''")}'`;
  const input = exampleInput(config.policies?.dir);
  return [
    `pol is serving decisions on ${url}`,
    '',
    '  # pol decision API',
    `  curl -s ${url}/v1/decide -d ${j({ path: 'rbac/allow', input })}`,
    '  # OPA Data API (OPA clients work unchanged)',
    `  curl -s ${url}/v1/data/rbac/allow -d ${j({ input })}`,
    `  curl -s ${url}/v0/data/rbac/allow -d ${j(input)}`,
    '  # OpenID AuthZEN 1.0 (policy path: ' + config.authzen.path + ')',
    `  curl -s ${url}/access/v1/evaluation -d ${j({ subject: { type: 'user', id: 'alice' }, action: { name: 'read' }, resource: { type: 'document', id: '42' } })}`,
    '  # forward-auth for nginx auth_request / Traefik / Caddy (policy path: ' + config.forward_auth.path + ')',
    `  curl -si ${url}/v1/forward-auth -H 'X-Original-Method: GET' -H 'X-Original-URI: /accounts/7' -H 'Authorization: Bearer <token>'`,
    '  # Envoy ext_authz (HTTP service mode)',
    `  curl -si ${url}/v1/ext-authz/accounts/7`,
    '  # policies, health, readiness, Prometheus metrics',
    `  curl -s ${url}/v1/policies`,
    `  curl -s ${url}/health ; curl -s ${url}/ready ; curl -s ${url}/metrics`,
    '',
  ].join('\n');
}

/** Runs the server; resolves with the exit code once it has stopped. */
export async function runServe(argv: string[], io: ServeIO = defaultIO): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        policies: { type: 'string' }, config: { type: 'string' }, addr: { type: 'string' },
        'decision-log': { type: 'boolean' }, 'no-watch': { type: 'boolean' }, 'geo-database': { type: 'string' }, help: { type: 'boolean', short: 'h' },
      },
      strict: true, allowPositionals: false,
    }));
  } catch (e) {
    io.stderr(`pol serve: ${(e as Error).message.split('\n')[0]}\n${USAGE}`);
    return 2;
  }
  if (values.help) { io.stdout(USAGE); return 0; }

  let config: ServerConfig;
  try {
    config = values.config ? loadConfigFile(values.config) : defaultConfig();
    if (values.policies) {
      if (config.bundle) throw new ConfigError('--policies cannot be combined with a `bundle` in the configuration');
      config = { ...config, policies: { dir: values.policies, watch: true, debounce_ms: config.policies?.debounce_ms ?? 100 } };
    }
    if (values['no-watch'] && config.policies) config.policies.watch = false;
    if (values.addr) { resolveConfig({ addr: values.addr }, '--addr'); config.addr = values.addr; }
    if (values['decision-log']) config.decision_log.enabled = true;
    if (values['geo-database'] !== undefined) { resolveConfig({ geo_database: values['geo-database'] }, '--geo-database'); config.geo_database = values['geo-database']; }
    if (!config.policies && !config.bundle) throw new ConfigError('nothing to serve: give --policies <dir>, or `policies` or `bundle` in --config');
  } catch (e) {
    if (e instanceof ConfigError) { io.stderr(`pol serve: ${e.message}\n`); return 2; }
    throw e;
  }

  let server;
  try {
    server = await startServer(config);
  } catch (e) {
    // A `geo_database`, decision log or bundle key that cannot be used stops start-up before anything listens.
    if (e instanceof ConfigError) { io.stderr(`pol serve: ${e.message}\n`); return 2; }
    if ((e as NodeJS.ErrnoException).syscall === 'listen' || /^E(ADDRINUSE|ADDRNOTAVAIL|ACCES)$/.test(String((e as NodeJS.ErrnoException).code))) {
      io.stderr(`pol serve: cannot listen on ${config.addr}: ${(e as Error).message}\n`);
    } else {
      io.stderr(`pol serve: cannot start: ${(e as Error).message}\n`);
    }
    return 1;
  }
  const { store } = server.app.pol;
  if (!store.generation && config.bundle && !store.lastError) {
    // The first fetch runs in the background (its server may be slow): not a problem yet.
    io.stderr(`pol serve: waiting for the first bundle from ${urlForMessages(new URL(config.bundle.url))}; decisions fail closed until it loads\n`);
  } else if (!store.generation) {
    io.stderr(`pol serve: warning: no policy is loaded (${store.lastError?.message ?? 'nothing found'}); decisions fail closed until one loads\n`);
  } else if (Object.keys(store.generation.modules).length === 0) {
    io.stderr(`pol serve: warning: no .pol files found in ${config.policies?.dir ?? 'the bundle'}; every document is undefined\n`);
  }
  if (config.policy_api.writable && config.policy_api.token === undefined && !isLoopback(parseAddr(config.addr).host)) {
    io.stderr(`pol serve: warning: policy_api.unauthenticated is on and ${config.addr} is not a loopback address: anyone who can reach it can replace the policies and the data\n`);
  }
  io.stdout(usageBanner(server.url, config));
  io.onListening?.(server.url);
  await (io.stopSignal ?? signals());
  await server.close();
  return 0;
}

/** Whether a listening host is reachable from this machine only. */
function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}
