/**
 * The load generator, run as its own process so it never shares an event loop with the servers.
 * It stays up for the whole HTTP run: each line on stdin is one run's options (JSON), answered by
 * one JSON summary line on stdout, so starting autocannon costs once, not once per run.
 * `node load-child.js '<options json>'` runs once and exits.
 */
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';

export interface LoadOptions {
  url: string;
  method: string;
  body?: string;
  headers?: Record<string, string>;
  connections: number;
  /** Measured seconds. */
  duration: number;
  /** Seconds of discarded warm-up load first (JIT, caches, connections). */
  warmup: number;
}

export interface LoadSummary {
  rps: number;
  p50: number;
  p99: number;
  /** The slowest request (ms). */
  max: number;
  total: number;
  errors: number;
  non2xx: number;
}

async function load(options: LoadOptions): Promise<LoadSummary> {
  const { warmup, ...opts } = options;
  if (warmup > 0) await autocannon({ ...opts, duration: warmup, pipelining: 1 });
  const r = await autocannon({ ...opts, pipelining: 1 });
  return {
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    max: r.latency.max,
    total: r.requests.total,
    errors: r.errors + r.timeouts,
    non2xx: r.non2xx,
  };
}

async function main(): Promise<void> {
  if (process.argv[2] !== undefined) {
    process.stdout.write(JSON.stringify(await load(JSON.parse(process.argv[2]) as LoadOptions)) + '\n');
    return;
  }
  for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
    if (!line.trim()) continue;
    process.stdout.write(JSON.stringify(await load(JSON.parse(line) as LoadOptions)) + '\n');
  }
}

main().catch(e => { process.stderr.write(String(e instanceof Error ? e.stack : e) + '\n'); process.exit(1); });
