/** `pol fmt`: format policy files in the canonical style. */
import { readFileSync, writeFileSync, renameSync } from 'node:fs';
import { formatSource, renderDiagnostic } from '../dsl/index.js';
import { parseCommand } from './args.js';
import { unifiedDiff } from './diff.js';
import { EXIT_FAIL, EXIT_OK, UsageError, type CliIO } from './io.js';
import { displayPath, policyFiles } from './load.js';

export const FMT_HELP = `Usage: pol fmt [options] <path> [<path> ...]

Formats .pol/.rego files. Without options, prints the formatted source to standard output.

Options:
  -w, --write   rewrite files in place
  -l, --list    list the files whose formatting differs
  -d, --diff    print a unified diff of the changes
      --fail    exit 1 when a file's formatting differs (with --list or --diff)
`;

const OPTIONS = {
  write: { type: 'boolean', short: 'w' },
  list: { type: 'boolean', short: 'l' },
  diff: { type: 'boolean', short: 'd' },
  fail: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export async function runFmt(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommand('fmt', argv, OPTIONS);
  if (values.help) { io.stdout(FMT_HELP); return EXIT_OK; }
  if (positionals.length === 0) throw new UsageError('pol fmt: expected at least one path');
  if (values.write && (values.list || values.diff)) throw new UsageError('pol fmt: --write cannot be combined with --list or --diff');
  const files = policyFiles(positionals, io.cwd);
  if (files.length === 0) throw new UsageError(`pol fmt: no .pol or .rego files under ${positionals.join(', ')}`);

  let failed = false, changed = false;
  for (const abs of files) {
    const shown = displayPath(abs, io.cwd);
    const source = readFileSync(abs, 'utf8');
    const r = formatSource(shown, source);
    if (r.value === undefined || r.diagnostics.length) {
      for (const d of r.diagnostics) io.stderr(renderDiagnostic(d, source) + '\n');
      failed = true;
      continue;
    }
    const formatted = r.value;
    const differs = formatted !== source;
    changed ||= differs;
    if (values.write) {
      if (differs) writeAtomically(abs, formatted);
    } else if (values.list || values.diff) {
      if (differs && values.list) io.stdout(shown + '\n');
      if (differs && values.diff) io.stdout(unifiedDiff(shown, source, formatted));
    } else {
      io.stdout(formatted);
    }
  }
  if (failed) return EXIT_FAIL;
  return values.fail && changed ? EXIT_FAIL : EXIT_OK;
}

/** Write then rename, so an interrupted run never leaves a half-written policy. */
function writeAtomically(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}
