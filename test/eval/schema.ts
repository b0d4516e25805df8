/**
 * The strict schema of an evaluation-case file (OPA's YAML test-case format):
 *
 * ```yaml
 * cases:
 *   - note: short unique name        # required, unique within the file
 *     modules: ["package x\n..."]    # Rego v1 sources, named test-0.rego, test-1.rego, ...
 *     data: {...}                    # base documents
 *     input: <json>                  # or input_term: "<rego term>" (never both)
 *     query: data.x.p = x            # required
 *     want_result: [{x: ...}]        # rows; [] means undefined
 *     want_error_code: eval_conflict_error
 *     want_error: substring of the error text
 *     strict_error: true             # builtin errors raise instead of being undefined
 *     sort_bindings: true            # sort every bound array before comparing
 * ```
 * Unknown keys, wrong types and contradictory fields are errors, so a typo can never silently turn
 * a case into one that checks nothing.
 */
import type { Case } from '../conformance/cases.js';
import type { Value } from '../../engine/value.js';

const caseKeys = new Set([
  'note', 'modules', 'data', 'input', 'input_term', 'query',
  'want_result', 'want_error_code', 'want_error', 'strict_error', 'sort_bindings',
]);

/** Error codes a case may expect: OPA's evaluation codes, plus the compile-time ones pol shares with OPA. */
export const knownErrorCodes = new Set([
  'eval_conflict_error', 'eval_type_error', 'eval_builtin_error',
  'rego_parse_error', 'rego_compile_error', 'rego_type_error', 'rego_unsafe_var_error', 'rego_recursion_error',
]);

export interface CaseFileResult {
  cases: Case[];
  errors: string[];
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** A JSON value as the YAML loader produces it (bigint for integers beyond 2^53). */
function jsonProblem(v: unknown, at: string, depth = 0): string | undefined {
  if (depth > 100) return `${at}: nested too deeply`;
  if (v === null || typeof v === 'string' || typeof v === 'boolean' || typeof v === 'bigint') return undefined;
  if (typeof v === 'number') return Number.isFinite(v) ? undefined : `${at}: not a finite number`;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const p = jsonProblem(v[i], `${at}[${i}]`, depth + 1);
      if (p) return p;
    }
    return undefined;
  }
  if (isPlainObject(v)) {
    for (const k of Object.keys(v)) {
      const p = jsonProblem(v[k], `${at}.${k}`, depth + 1);
      if (p) return p;
    }
    return undefined;
  }
  return `${at}: not a JSON value (${typeof v})`;
}

const has = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);

/**
 * Validates a parsed case file and converts its cases to the conformance runner's `Case` shape.
 * `stem` (the file name without `.yaml`) prefixes every case id: `<stem>/<note>`.
 */
export function validateCaseFile(doc: unknown, stem: string): CaseFileResult {
  const errors: string[] = [];
  const cases: Case[] = [];
  if (!isPlainObject(doc)) return { cases, errors: ['the file must be a mapping with a `cases` list'] };
  for (const k of Object.keys(doc)) if (k !== 'cases') errors.push(`unknown top-level key \`${k}\``);
  const list = doc.cases;
  if (!Array.isArray(list) || list.length === 0) return { cases, errors: [...errors, '`cases` must be a non-empty list'] };
  const notes = new Set<string>();
  list.forEach((raw, i) => {
    const where = `cases[${i}]`;
    if (!isPlainObject(raw)) { errors.push(`${where}: must be a mapping`); return; }
    const before = errors.length;
    const err = (m: string) => errors.push(`${where}${typeof raw.note === 'string' ? ` (${raw.note})` : ''}: ${m}`);
    for (const k of Object.keys(raw)) if (!caseKeys.has(k)) err(`unknown key \`${k}\``);
    const str = (k: string, required: boolean) => {
      if (!has(raw, k)) { if (required) err(`\`${k}\` is required`); return; }
      if (typeof raw[k] !== 'string' || (raw[k] as string).trim() === '') err(`\`${k}\` must be a non-empty string`);
    };
    const bool = (k: string) => { if (has(raw, k) && typeof raw[k] !== 'boolean') err(`\`${k}\` must be a boolean`); };
    str('note', true);
    str('query', true);
    str('input_term', false);
    str('want_error', false);
    str('want_error_code', false);
    bool('strict_error');
    bool('sort_bindings');
    if (typeof raw.note === 'string') {
      if (notes.has(raw.note)) err('duplicate note');
      if (/[\n`]/.test(raw.note)) err('a note must be one line without backquotes');
      notes.add(raw.note);
    }
    if (has(raw, 'modules') && (!Array.isArray(raw.modules) || raw.modules.some(m => typeof m !== 'string'))) err('`modules` must be a list of strings');
    if (has(raw, 'data')) {
      if (!isPlainObject(raw.data)) err('`data` must be a mapping');
      else { const p = jsonProblem(raw.data, 'data'); if (p) err(p); }
    }
    if (has(raw, 'input')) {
      const p = jsonProblem(raw.input, 'input'); if (p) err(p);
      if (raw.input === null) err('`input: null` is ambiguous with no input; use `input_term: "null"`');
      if (has(raw, 'input_term')) err('give `input` or `input_term`, not both');
    }
    if (has(raw, 'want_error_code') && typeof raw.want_error_code === 'string' && !knownErrorCodes.has(raw.want_error_code)) {
      err(`unknown error code \`${raw.want_error_code}\``);
    }
    if (has(raw, 'want_result')) {
      const rows = raw.want_result;
      if (!Array.isArray(rows)) err('`want_result` must be a list of rows');
      else rows.forEach((row, j) => {
        if (!isPlainObject(row)) { err(`want_result[${j}] must be a mapping of variable to value`); return; }
        const p = jsonProblem(row, `want_result[${j}]`); if (p) err(p);
        if (raw.sort_bindings === true) {
          for (const [k, v] of Object.entries(row)) if (!Array.isArray(v)) err(`want_result[${j}].${k}: sort_bindings needs array values`);
        }
      });
    }
    if (!has(raw, 'want_result') && !has(raw, 'want_error') && !has(raw, 'want_error_code')) {
      err('expects nothing: give `want_result`, `want_error_code` or `want_error`');
    }
    if (errors.length > before) return;
    cases.push({
      id: `${stem}/${raw.note as string}`,
      tier: 'core',
      topic: stem,
      note: raw.note as string,
      query: raw.query as string,
      modules: (raw.modules as string[] | undefined) ?? [],
      data: has(raw, 'data') ? (raw.data as Value) : null,
      input: has(raw, 'input') ? (raw.input as Value) : null,
      input_term: has(raw, 'input_term') ? (raw.input_term as string) : null,
      want_result: has(raw, 'want_result') ? (raw.want_result as Record<string, Value>[]) : null,
      want_error: has(raw, 'want_error') ? (raw.want_error as string) : null,
      want_error_code: has(raw, 'want_error_code') ? (raw.want_error_code as string) : null,
      strict_error: raw.strict_error === true,
      sort_bindings: raw.sort_bindings === true,
    });
  });
  return { cases, errors };
}
