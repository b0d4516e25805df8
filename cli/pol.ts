#!/usr/bin/env node
/**
 * The `pol` command line: one file per command, loaded on demand so `pol eval` never pays for the
 * server's dependencies.
 */
import { pathToFileURL } from 'node:url';
import { realpathSync } from 'node:fs';
import { EXIT_FAIL, EXIT_USAGE, UsageError, processIO, type CliIO } from './io.js';
import { USAGE } from './help.js';

type Command = (argv: string[], io: CliIO) => Promise<number>;

const COMMANDS: Record<string, () => Promise<Command>> = {
  eval: async () => (await import('./eval.js')).runEval,
  check: async () => (await import('./check.js')).runCheck,
  fmt: async () => (await import('./fmt.js')).runFmt,
  test: async () => (await import('./test.js')).runTest,
  bench: async () => (await import('./bench.js')).runBenchCommand,
  // The server owns its option parsing and output.
  serve: async () => { const { runServe } = await import('./serve.js'); return argv => runServe(argv); },
  version: async () => (await import('./version.js')).runVersion,
  help: async () => (await import('./help.js')).runHelp,
};

/** Runs `pol <argv>` and returns the exit code; never exits the process itself. */
export async function main(argv: string[], io: CliIO = processIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) { io.stderr(USAGE); return EXIT_USAGE; }
  if (name === '--help' || name === '-h') { io.stdout(USAGE); return 0; }
  if (name === '--version') return (await COMMANDS.version!())([], io);
  const load = Object.prototype.hasOwnProperty.call(COMMANDS, name) ? COMMANDS[name] : undefined;
  try {
    if (!load) throw new UsageError(`pol: unknown command \`${name}\` (run \`pol help\` for the list)`);
    const command = await load();
    return await command(rest, io);
  } catch (e) {
    if (e instanceof UsageError) { io.stderr(e.message + '\n'); return EXIT_USAGE; }
    io.stderr(`pol ${name}: ${e instanceof Error ? e.message : String(e)}\n`);
    return EXIT_FAIL;
  }
}

function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    // `npx pol` runs a symlink in node_modules/.bin; compare real paths.
    return import.meta.url === pathToFileURL(realpathSync(script)).href;
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  // `pol fmt --diff | head` closes the pipe early: that is not an error worth a stack trace. A
  // server whose log reader went away keeps answering (its logs to that stream are lost, and a
  // decision log there counts the failed writes): exiting would drop every client for a log pipe.
  const serving = process.argv[2] === 'serve';
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EPIPE') throw e;
      if (!serving) process.exit(process.exitCode ?? 0);
    });
  }
  main(process.argv.slice(2)).then(code => { process.exitCode = code; });
}
