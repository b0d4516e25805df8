/** Source positions and diagnostics shared by every stage of the language. */

/** A span in a source file. Lines and columns are 1-based; offsets are 0-based UTF-16 indexes. */
export interface Loc {
  file: string;
  line: number;
  col: number;
  offset: number;
  /** Offset one past the last character of the span. */
  end: number;
}

export type DiagnosticCode =
  | 'rego_parse_error'
  | 'rego_compile_error'
  | 'rego_unsafe_var_error'
  | 'rego_recursion_error'
  | 'rego_type_error'
  | 'eval_conflict_error'
  | 'eval_type_error'
  | 'eval_builtin_error';

export interface Diagnostic {
  code: DiagnosticCode;
  /** Lowercase, one line; user text in backticks. */
  message: string;
  file: string;
  line: number;
  col: number;
  offset?: number;
  end?: number;
  /** An optional second line that tells the author what to do. */
  help?: string;
}

/** Upper bound on diagnostics reported for one compilation, so a pathological file cannot flood the output. */
export const MAX_DIAGNOSTICS = 100;

export function diagnosticAt(code: DiagnosticCode, loc: Loc | undefined, message: string, help?: string): Diagnostic {
  const d: Diagnostic = {
    code,
    message,
    file: loc?.file ?? '',
    line: loc?.line ?? 0,
    col: loc?.col ?? 0,
  };
  if (loc) { d.offset = loc.offset; d.end = loc.end; }
  if (help) d.help = help;
  return d;
}

/** Sorts by file, line, column and caps the list. */
export function sortDiagnostics(list: Diagnostic[]): Diagnostic[] {
  const sorted = [...list].sort((a, b) =>
    a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.col - b.col);
  return sorted.slice(0, MAX_DIAGNOSTICS);
}

/** The result of every parse and check step: a value (possibly partial) and all diagnostics. */
export interface Result<T> {
  value: T | undefined;
  diagnostics: Diagnostic[];
}

/**
 * Renders a diagnostic the way compilers do:
 *   file:line:col: code: message
 *     12 | allow if { x > 1 }
 *        |            ^
 *   help: ...
 */
export function renderDiagnostic(d: Diagnostic, source?: string): string {
  const where = d.file ? `${d.file}:${d.line}:${d.col}: ` : d.line ? `${d.line}:${d.col}: ` : '';
  let out = `${where}${d.code}: ${d.message}`;
  if (source !== undefined && d.line > 0) {
    const lines = source.split(/\r?\n/);
    const text = lines[d.line - 1];
    if (text !== undefined) {
      const num = String(d.line);
      const pad = ' '.repeat(num.length);
      const width = d.end !== undefined && d.offset !== undefined
        ? Math.max(1, Math.min(d.end - d.offset, text.length - d.col + 1)) : 1;
      out += `\n ${num} | ${text.replace(/\t/g, ' ')}\n ${pad} | ${' '.repeat(Math.max(0, d.col - 1))}${'^'.repeat(width)}`;
    }
  }
  if (d.help) out += `\n help: ${d.help}`;
  return out;
}

/** Thrown by library entry points (never by parse/check, which return diagnostics). */
export class PolError extends Error {
  readonly code: DiagnosticCode | string;
  readonly diagnostics: Diagnostic[];
  constructor(code: DiagnosticCode | string, message: string, diagnostics: Diagnostic[] = []) {
    super(message);
    this.name = 'PolError';
    this.code = code;
    this.diagnostics = diagnostics;
  }
}
