/** Turns engine failures into what the command line prints. */
import { PolError, renderDiagnostic, type Diagnostic } from '../engine/index.js';

/** OPA's `--format json` error object. */
export interface JsonError {
  message: string;
  code: string;
  location?: { file: string; row: number; col: number };
}

export function diagnosticsOf(e: unknown): Diagnostic[] {
  return e instanceof PolError ? e.diagnostics : [];
}

/** Every diagnostic rendered with `file:line:col` and a caret snippet from its source. */
export function renderError(e: unknown, sources: Record<string, string>): string {
  const diags = diagnosticsOf(e);
  if (diags.length) return diags.map(d => renderDiagnostic(d, sources[d.file])).join('\n');
  if (e instanceof PolError) return `${e.code}: ${e.message}`;
  return e instanceof Error ? e.message : String(e);
}

/** The error list `opa eval --format json` prints. */
export function jsonErrors(e: unknown): JsonError[] {
  const diags = diagnosticsOf(e);
  if (diags.length) {
    return diags.map(d => {
      const out: JsonError = { message: d.message, code: d.code };
      if (d.line > 0) out.location = { file: d.file, row: d.line, col: d.col };
      return out;
    });
  }
  if (e instanceof PolError) return [{ message: e.message, code: e.code }];
  return [{ message: e instanceof Error ? e.message : String(e), code: 'internal_error' }];
}

/** True for failures that come from the policy or its evaluation (exit 1), not from pol itself. */
export function isPolicyError(e: unknown): boolean {
  return e instanceof PolError;
}
