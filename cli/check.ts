/** `pol check`: parse, check and compile policies; report every diagnostic. */
import { compile, renderDiagnostic, stringifyJson } from '../engine/index.js';
import { parseCommand } from './args.js';
import { isPolicyError, jsonErrors, renderError } from './errors.js';
import { EXIT_FAIL, EXIT_OK, UsageError, type CliIO } from './io.js';
import { loadPaths } from './load.js';

export const CHECK_HELP = `Usage: pol check [options] <path> [<path> ...]

Parses, checks and compiles every .pol/.rego file under the paths (with the data.json files found
there) and prints each problem as file:line:col with the offending source line.

Options:
  -f, --format <pretty|json>  output format (default pretty)
`;

const OPTIONS = {
  format: { type: 'string', short: 'f' },
  help: { type: 'boolean', short: 'h' },
} as const;

export async function runCheck(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommand('check', argv, OPTIONS);
  if (values.help) { io.stdout(CHECK_HELP); return EXIT_OK; }
  const format = values.format ?? 'pretty';
  if (format !== 'pretty' && format !== 'json') throw new UsageError(`pol check: unknown --format ${format} (use pretty or json)`);
  if (positionals.length === 0) throw new UsageError('pol check: expected at least one path');
  const loaded = loadPaths(positionals, io.cwd);
  if (Object.keys(loaded.modules).length === 0) throw new UsageError(`pol check: no .pol or .rego files under ${positionals.join(', ')}`);
  try {
    const prepared = compile({ modules: loaded.modules, data: loaded.data });
    for (const w of prepared.warnings) io.stderr(renderDiagnostic(w, loaded.modules[w.file]) + '\n');
  } catch (e) {
    if (!isPolicyError(e)) throw e;
    if (format === 'json') io.stdout(stringifyJson({ errors: jsonErrors(e) }, 2) + '\n');
    else io.stderr(renderError(e, loaded.modules) + '\n');
    return EXIT_FAIL;
  }
  return EXIT_OK;
}
