/** `pol test`: run `test_` rules in `*_test.pol` files and report like `opa test`. */
import { parseCommand, regexOption } from './args.js';
import { renderError } from './errors.js';
import { EXIT_FAIL, EXIT_OK, UsageError, type CliIO } from './io.js';
import { DEFAULT_TEST_TIMEOUT_MS, runPolicyTests, runSucceeded, type TestResult, type TestRun } from './test-runner.js';

export const TEST_HELP = `Usage: pol test [options] <path> [<path> ...]

Runs every rule whose name starts with test_ in *_test.pol files under the paths (policies and
data.json files there are loaded too). A test passes when it evaluates to true; a builtin
error (e.g. division by zero) makes it an ERROR.

Options:
  -v, --verbose       list every test, not only failures
  -r, --run <regex>   run only tests whose full path (data.pkg.test_name) matches
  -t, --timeout <ms>  deadline per test (default ${DEFAULT_TEST_TIMEOUT_MS})
`;

const OPTIONS = {
  verbose: { type: 'boolean', short: 'v' },
  run: { type: 'string', short: 'r' },
  timeout: { type: 'string', short: 't' },
  help: { type: 'boolean', short: 'h' },
} as const;

const RULE = '-'.repeat(80);

export async function runTest(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommand('test', argv, OPTIONS);
  if (values.help) { io.stdout(TEST_HELP); return EXIT_OK; }
  if (positionals.length === 0) throw new UsageError('pol test: expected at least one path');
  let timeoutMs: number | undefined;
  if (values.timeout !== undefined) {
    timeoutMs = Number(values.timeout);
    if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) throw new UsageError(`pol test: --timeout must be a positive number of milliseconds, got ${values.timeout}`);
  }
  const run = runPolicyTests({ paths: positionals, cwd: io.cwd, run: regexOption('test', 'run', values.run), timeoutMs });
  if (run.compileError !== undefined) {
    io.stderr(renderError(run.compileError, run.modules) + '\n');
    return EXIT_FAIL;
  }
  io.stdout(report(run, values.verbose ?? false));
  return runSucceeded(run) ? EXIT_OK : EXIT_FAIL;
}

export function formatDuration(ns: bigint): string {
  const n = Number(ns);
  if (n < 1e3) return `${n}ns`;
  if (n < 1e6) return `${(n / 1e3).toFixed(1)}µs`;
  if (n < 1e9) return `${(n / 1e6).toFixed(1)}ms`;
  return `${(n / 1e9).toFixed(2)}s`;
}

function line(r: TestResult): string {
  const status = r.status === 'skip' ? 'SKIPPED' : r.status.toUpperCase();
  const time = r.status === 'skip' ? '' : ` (${formatDuration(r.durationNs)})`;
  const detail = r.status === 'error' || r.status === 'fail' ? `\n  ${r.status === 'fail' ? 'got: ' : ''}${r.detail}` : '';
  return `${r.name}: ${status}${time}${detail}`;
}

/** The text `pol test` prints: tests grouped by file, then the counts. */
export function report(run: TestRun, verbose: boolean): string {
  const out: string[] = [];
  const shown = verbose ? run.results : run.results.filter(r => r.status === 'fail' || r.status === 'error');
  const byFile = new Map<string, TestResult[]>();
  for (const r of shown) {
    let list = byFile.get(r.file);
    if (!list) byFile.set(r.file, list = []);
    list.push(r);
  }
  for (const [file, list] of [...byFile].sort(([a], [b]) => (a < b ? -1 : 1))) {
    out.push(`${file}:`);
    for (const r of list) out.push(line(r));
    out.push('');
  }
  const total = run.results.length;
  if (total === 0) return 'no tests found\n';
  out.push(RULE);
  for (const status of ['pass', 'fail', 'error', 'skip'] as const) {
    const n = run.results.filter(r => r.status === status).length;
    if (n) out.push(`${status === 'skip' ? 'SKIPPED' : status.toUpperCase()}: ${n}/${total}`);
  }
  return out.join('\n') + '\n';
}
