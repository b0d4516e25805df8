/**
 * Explanations of decisions (`explain` on `/v1/decide`, `?explain=` on the Data API), made from a
 * compiled policy alone so the request thread and the evaluation workers make the same ones.
 */
import { bracketPath, DEADLINE_EXCEEDED, entrypointKeys, stringifyJson, toJSON, type EntryPoint, type PreparedPolicy, type RuleOutcome, type Value } from '../../engine/index.js';
import { startsWith } from '../document-path.js';

/** The most lines an explanation has; the rest are counted in a final line. */
export const MAX_EXPLANATION_LINES = 1000;

export type ExplainMode = 'notes' | 'fails' | 'full';

/**
 * Every rule of the queried package (functions aside) evaluated on the same input, with its value; then each rule
 * body the decision tried (the queried document's and those it depends on), with the expression
 * where it stopped when it did not hold; then `print` output. `fails` keeps the undefined rules
 * and the bodies that did not hold, `notes` the prints only. Coarser than OPA's event-by-event
 * trace, but it names the failing expression.
 *
 * Every evaluation shares `deadlineMs`. Once it has passed no further rule is evaluated and the
 * last line says the explanation was cut short (`evalTimeoutMs` is named there). At most
 * `MAX_EXPLANATION_LINES` lines; the rest are counted in one line.
 */
export function explainDecision(
  prepared: PreparedPolicy, entry: EntryPoint, path: string, input: Value | undefined, mode: ExplainMode, deadlineMs: number, evalTimeoutMs: number,
): string[] {
  // The queried document's rules and those beside it (its package), matched by keys, so quoted
  // keys (`a["b.c"]`) are told apart from nested ones (`a.b.c`).
  const queried = entrypointKeys(path).map(String);
  const pkg = queried.slice(0, -1);
  const lines: string[] = [];
  const prints: string[] = [];
  // Functions have no value without arguments; the trace shows the bodies the decision called.
  const rules = prepared.rules().filter(r => (startsWith(r.keys, queried) || (r.keys.length > pkg.length && startsWith(r.keys, pkg)))
    && !r.function && !r.keys[r.keys.length - 1]!.startsWith('test_'));
  let evaluated = 0;
  let cutShort = false;
  for (const rule of rules) {
    if (Date.now() > deadlineMs) { cutShort = true; break; }
    let shown: string;
    try {
      const v = prepared.evaluate(bracketPath(rule.keys), input, { prints, deadlineMs });
      evaluated++;
      if (v !== undefined && mode === 'fails') continue;
      shown = v === undefined ? 'undefined' : truncate(stringifyJson(toJSON(v)));
    } catch (e) {
      if (isDeadline(e)) { cutShort = true; break; }
      evaluated++;
      shown = `error: ${e instanceof Error ? e.message : String(e)}`;
    }
    if (mode !== 'notes') lines.push(`${rule.path} = ${shown}    (${rule.file}:${rule.line})`);
  }
  if (mode !== 'notes' && !cutShort) {
    const trace = bodyLines(entry, input, mode, deadlineMs);
    if (trace === undefined) cutShort = true;
    else lines.push(...trace);
  }
  for (const p of prints) lines.push(`note: ${p}`);
  if (lines.length > MAX_EXPLANATION_LINES) {
    const left = lines.length - (MAX_EXPLANATION_LINES - 1);
    lines.length = MAX_EXPLANATION_LINES - 1;
    lines.push(`... ${left} more lines left out (an explanation has at most ${MAX_EXPLANATION_LINES} lines)`);
  }
  if (cutShort) {
    const notRun = mode === 'notes' ? '' : ' and the trace';
    lines.push(`explanation cut short: the request's deadline (limits.eval_timeout_ms = ${evalTimeoutMs} ms) passed; ${rules.length - evaluated} of ${rules.length} rules${notRun} not evaluated`);
  }
  return lines;
}

/**
 * One line per rule body the decision tried: held, or where it stopped. `undefined` when the
 * deadline passed first.
 */
function bodyLines(entry: EntryPoint, input: Value | undefined, mode: 'fails' | 'full', deadlineMs: number): string[] | undefined {
  if (Date.now() > deadlineMs) return undefined;
  let rules: RuleOutcome[];
  try {
    rules = entry.explain(input, { deadlineMs }).rules;
  } catch (e) {
    if (isDeadline(e)) return undefined;
    return [`trace: error: ${e instanceof Error ? e.message : String(e)}`];
  }
  const out: string[] = [];
  for (const r of rules) {
    const where = `${r.rule} (body at ${r.file}:${r.line})`;
    if (r.matched) { if (mode === 'full') out.push(`trace: ${where} held`); continue; }
    const at = r.failedAt;
    out.push(at ? `trace: ${where} stopped at ${at.file}:${at.line}:${at.col}: ${truncate(at.text)}` : `trace: ${where} did not hold`);
  }
  return out;
}

/** The engine's error for an evaluation that ran past its deadline. */
function isDeadline(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { code?: unknown }).code === DEADLINE_EXCEEDED.code;
}

function truncate(s: string): string {
  return s.length > 200 ? s.slice(0, 197) + '...' : s;
}
