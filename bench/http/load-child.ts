/**
 * The load generator, run as its own process so it never shares an event loop with the server:
 * reads autocannon options as JSON from argv, prints one JSON summary line on stdout.
 */
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
  total: number;
  errors: number;
  non2xx: number;
}

async function main(): Promise<void> {
  const { warmup, ...opts } = JSON.parse(process.argv[2] ?? '{}') as LoadOptions;
  if (warmup > 0) await autocannon({ ...opts, duration: warmup, pipelining: 1 });
  const r = await autocannon({ ...opts, pipelining: 1 });
  const summary: LoadSummary = {
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    total: r.requests.total,
    errors: r.errors + r.timeouts,
    non2xx: r.non2xx,
  };
  process.stdout.write(JSON.stringify(summary) + '\n');
}

main().catch(e => { process.stderr.write(String(e instanceof Error ? e.stack : e) + '\n'); process.exit(1); });
