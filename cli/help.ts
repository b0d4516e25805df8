/** `pol help`: the command list, or one command's usage. */
import { EXIT_OK, UsageError, type CliIO } from './io.js';

export const USAGE = `pol: a Rego-compatible policy decision engine

Usage: pol <command> [options]

Commands:
  eval     evaluate a query against policies and data (opa eval)
  check    parse, check and compile policies, reporting every problem (opa check)
  fmt      format policy files (opa fmt)
  test     run test_ rules in *_test.pol files (opa test)
  bench    run the benchmark suite and regenerate bench/RESULTS.md
  serve    run the decision service
  version  print the version
  help     print this text, or \`pol help <command>\` for one command

Exit codes: 0 success, 1 policy errors or failing tests, 2 command-line mistakes.
`;

/** Help texts are loaded with their command so `pol help` stays cheap. */
const COMMAND_HELP: Record<string, () => Promise<string>> = {
  eval: async () => (await import('./eval.js')).EVAL_HELP,
  check: async () => (await import('./check.js')).CHECK_HELP,
  fmt: async () => (await import('./fmt.js')).FMT_HELP,
  test: async () => (await import('./test.js')).TEST_HELP,
  bench: async () => (await import('./bench.js')).BENCH_HELP,
  serve: async () => 'Usage: pol serve [options]\n\nRun `pol serve --help` for the options.\n',
  version: async () => 'Usage: pol version\n',
  help: async () => USAGE,
};

export async function runHelp(argv: string[], io: CliIO): Promise<number> {
  const topic = argv[0];
  if (topic === undefined) { io.stdout(USAGE); return EXIT_OK; }
  const text = Object.prototype.hasOwnProperty.call(COMMAND_HELP, topic) ? COMMAND_HELP[topic] : undefined;
  if (!text) throw new UsageError(`pol help: unknown command \`${topic}\``);
  io.stdout(await text());
  return EXIT_OK;
}
