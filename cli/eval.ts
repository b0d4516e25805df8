/** `pol eval`: evaluate a query against policies and data, printing `opa eval --format json`'s shape. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { evalQuery, stringifyJson, type BuiltinHost, type Value } from '../engine/index.js';
import { loadGeoDatabase } from '../engine/builtins/geo.js';
import { parseCommand } from './args.js';
import { jsonErrors, renderError, isPolicyError } from './errors.js';
import { EXIT_FAIL, EXIT_OK, UsageError, type CliIO } from './io.js';
import { displayPath, loadPaths, parseJsonText } from './load.js';

export const EVAL_HELP = `Usage: pol eval [options] <query>

Evaluates <query> against the policies and data loaded with -d.

Options:
  -d, --data <path>          policy file, data JSON file or directory (repeatable); directories
                             contribute every .pol/.rego file and each data.json at its folder's path
  -i, --input <file>         input document (JSON)
  -I, --stdin-input          read the input document from standard input
  -f, --format <json|pretty> output format (default json: the shape of \`opa eval --format json\`)
      --strict-builtin-errors
                             stop at the first builtin error instead of treating the call as undefined
      --geo-database <file>  MaxMind-format .mmdb database for the geo.* builtins (default: the
                             embedded country table)
      --fail                 exit 1 when the result is undefined
      --fail-defined         exit 1 when the result is defined
`;

const OPTIONS = {
  data: { type: 'string', short: 'd', multiple: true },
  input: { type: 'string', short: 'i' },
  'stdin-input': { type: 'boolean', short: 'I' },
  format: { type: 'string', short: 'f' },
  'strict-builtin-errors': { type: 'boolean' },
  'geo-database': { type: 'string' },
  fail: { type: 'boolean' },
  'fail-defined': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export async function runEval(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommand('eval', argv, OPTIONS);
  if (values.help) { io.stdout(EVAL_HELP); return EXIT_OK; }
  if (positionals.length !== 1) throw new UsageError(`pol eval: expected exactly one query, got ${positionals.length} (quote the query)`);
  const format = values.format ?? 'json';
  if (format !== 'json' && format !== 'pretty') throw new UsageError(`pol eval: unknown --format ${format} (use json or pretty)`);
  if (values.input !== undefined && values['stdin-input']) throw new UsageError('pol eval: use either --input or --stdin-input, not both');

  const loaded = loadPaths(values.data ?? [], io.cwd);
  let input: Value | undefined;
  if (values.input !== undefined) input = readInput(resolve(io.cwd, values.input), displayPath(resolve(io.cwd, values.input), io.cwd));
  else if (values['stdin-input']) input = readInput(0, 'standard input');

  const host: BuiltinHost = {};
  if (values['geo-database'] !== undefined) {
    try {
      host.geoDatabase = loadGeoDatabase(resolve(io.cwd, values['geo-database']));
    } catch (e) {
      throw new UsageError(`pol eval: --geo-database: ${(e as Error).message}`);
    }
  }

  const query = positionals[0]!;
  let rows;
  try {
    ({ result: rows } = evalQuery({
      modules: loaded.modules,
      data: loaded.data,
      query,
      input,
      host,
      strictBuiltinErrors: values['strict-builtin-errors'] ?? false,
    }));
  } catch (e) {
    if (!isPolicyError(e)) throw e;
    if (format === 'json') io.stdout(stringifyJson({ errors: jsonErrors(e) }, 2) + '\n');
    else io.stderr(renderError(e, { ...loaded.modules, query }) + '\n');
    return EXIT_FAIL;
  }

  if (format === 'json') {
    // `bindings` is left out when a row binds no variable, as OPA does.
    const shaped = rows.map(r => (Object.keys(r.bindings).length ? r : { expressions: r.expressions }));
    io.stdout(stringifyJson(shaped.length ? { result: shaped } : {}, 2) + '\n');
  } else {
    io.stdout(pretty(rows));
  }
  const defined = rows.length > 0;
  if (values.fail && !defined) return EXIT_FAIL;
  if (values['fail-defined'] && defined) return EXIT_FAIL;
  return EXIT_OK;
}

function readInput(source: string | number, shown: string): Value {
  let text: string;
  try {
    text = readFileSync(source, 'utf8');
  } catch {
    throw new UsageError(`pol eval: cannot read input from ${shown}`);
  }
  try {
    return parseJsonText(text);
  } catch (e) {
    throw new UsageError(`pol eval: ${shown}: invalid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
}

type Rows = ReturnType<typeof evalQuery>['result'];

/** Values only: one per expression per row, after the row's bindings as `name: value` lines. */
function pretty(rows: Rows): string {
  if (rows.length === 0) return 'undefined\n';
  const out: string[] = [];
  for (const row of rows) {
    const names = Object.keys(row.bindings);
    for (const n of names.sort()) out.push(`${n}: ${stringifyJson(row.bindings[n], 2)}`);
    // With bindings, an expression that merely held (`true`) adds nothing worth printing.
    for (const e of row.expressions) if (!names.length || e.value !== true) out.push(stringifyJson(e.value, 2));
  }
  return out.join('\n') + '\n';
}
