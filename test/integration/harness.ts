/**
 * Real proxies in front of a small upstream, with `pol serve` as their auth service. Everything a
 * proxy writes (config, pid, logs, temp files) lives in a fresh temp dir; processes are always
 * stopped and the dir removed. A missing proxy binary skips loudly, and fails when `CI=true`.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, chmodSync, readFileSync, existsSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { createConnection, createServer as createNetServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, resolveConfig, type RunningServer } from '../../server/index.js';
import { fixtureCopy } from '../server/helpers.js';

/** Returns why the binary cannot be used, or undefined when it can. */
export function missingBinary(name: string, versionArgs: string[]): string | undefined {
  const r = spawnSync(name, versionArgs, { encoding: 'utf8' });
  if (r.error) return `${name} is not installed (${(r.error as NodeJS.ErrnoException).code}); install it with: apt-get install -y nginx caddy`;
  return undefined;
}

/** Skip reason for node:test, or throws under CI where the proxies are required. */
export function requireBinary(name: string, versionArgs: string[]): string | undefined {
  const missing = missingBinary(name, versionArgs);
  if (missing === undefined) return undefined;
  if (process.env.CI === 'true') throw new Error(`CI=true but ${missing}`);
  process.stderr.write(`\n*** SKIPPING ${name} integration tests: ${missing} ***\n\n`);
  return missing;
}

export async function freePort(): Promise<number> {
  const srv = createNetServer();
  await new Promise<void>(r => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as AddressInfo).port;
  await new Promise<void>(r => srv.close(() => r()));
  return port;
}

export async function waitForPort(port: number, child: ChildProcess, logFile: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`proxy exited with ${child.exitCode}: ${readLog(logFile)}`);
    const ok = await new Promise<boolean>(resolve => {
      const s = createConnection({ port, host: '127.0.0.1' }, () => { s.end(); resolve(true); });
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise(r => setTimeout(r, 50));
  }
  throw new Error(`proxy did not listen on ${port}: ${readLog(logFile)}`);
}

function readLog(file: string): string {
  return existsSync(file) ? readFileSync(file, 'utf8').slice(-2000) : '(no log)';
}

/** What the upstream saw: the request line and headers of each request. */
export interface Seen { method: string; url: string; headers: IncomingHttpHeaders }

export interface Stack {
  tmp: string;
  proxyPort: number;
  upstreamPort: number;
  pol: RunningServer;
  polPort: number;
  seen: Seen[];
  startProxy(cmd: string, args: string[], env?: Record<string, string>, logFile?: string): Promise<void>;
  close(): Promise<void>;
}

/** Starts pol (on the fixture policies) and an upstream that records what reaches it. */
export async function startStack(): Promise<Stack> {
  const tmp = mkdtempSync(join(tmpdir(), 'pol-integration-'));
  // Worker processes of a proxy started as root run as an unprivileged user: let them in.
  chmodSync(tmp, 0o755);
  const policies = fixtureCopy();
  const seen: Seen[] = [];
  const upstream: Server = createServer((req, res) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ upstream: true, url: req.url }));
  });
  await new Promise<void>(r => upstream.listen(0, '127.0.0.1', r));
  const upstreamPort = (upstream.address() as AddressInfo).port;
  const pol = await startServer(resolveConfig({
    addr: '127.0.0.1:0',
    policies: { dir: policies.dir, watch: false },
    forward_auth: { path: 'gateway/decision', identity_headers: ['x-user', 'x-user-roles', 'x-tenant'] },
  }), { logger: false });
  const polPort = Number(new URL(pol.url).port);
  const proxyPort = await freePort();
  let child: ChildProcess | undefined;
  return {
    tmp, proxyPort, upstreamPort, pol, polPort, seen,
    async startProxy(cmd, args, env = {}, logFile = join(tmp, 'proxy.log')) {
      child = spawn(cmd, args, { cwd: tmp, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr!.on('data', d => { stderr += String(d); });
      try {
        await waitForPort(proxyPort, child, logFile);
      } catch (e) {
        throw new Error(`${(e as Error).message}\nstderr: ${stderr.slice(-2000)}`);
      }
    },
    async close() {
      if (child && child.exitCode === null) {
        const exited = new Promise<void>(r => child!.once('exit', () => r()));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child!.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(timer);
      }
      await pol.close();
      await new Promise<void>(r => upstream.close(() => r()));
      policies.cleanup();
      rmSync(tmp, { recursive: true, force: true });
    },
  };
}

/** A plain HTTP request through the proxy (fetch would refuse some of the spoofing headers). */
export async function get(port: number, path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string; headers: IncomingHttpHeaders }> {
  const { request } = await import('node:http');
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET', headers }, res => {
      let body = '';
      res.on('data', d => { body += String(d); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}
