/** `pol bench`: runs the benchmark suite (see bench/run.ts). */
import { EXIT_OK, type CliIO } from './io.js';

export const BENCH_HELP = `Usage: pol bench [options]

Runs the engine benchmarks (pol against a hand-written floor, Cedar and Casbin), the compile
benchmarks and the HTTP benchmarks, and regenerates bench/RESULTS.md.

Options:
  --quick            a smaller run that finishes in under a minute (CI smoke; not for numbers)
  --only <names>     comma-separated workloads or sections (rbac, abac, contextual, scale, compile, http)
  --out <file>       where to write the results (default bench/RESULTS.md)
  --no-write         print the results without writing the file
`;

export async function runBenchCommand(argv: string[], io: CliIO): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) { io.stdout(BENCH_HELP); return EXIT_OK; }
  const { runBenchSuite } = await import('../bench/run.js');
  return runBenchSuite(argv, io);
}
