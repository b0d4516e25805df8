/**
 * OPA's conformance cases (../shared/opa-cases, or POL_CONFORMANCE_DIR) run through `evalQueryRaw`
 * and judged the way OPA's own runner judges them (see the folder's CATALOG.md).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { evalQueryRaw } from '../../engine/index.js';
import { compare, equal, keyOf, type Value } from '../../engine/value.js';
import { parseJson } from '../../engine/json.js';

export interface Case {
  id: string;
  tier: 'core' | 'extended' | 'skip';
  topic: string;
  note: string;
  query: string;
  modules: string[];
  data: Value | null;
  input: Value | null;
  input_term: string | null;
  want_result: Record<string, Value>[] | null;
  want_error: string | null;
  want_error_code: string | null;
  strict_error: boolean;
  sort_bindings: boolean;
  ignore_generated_vars?: boolean;
}

export interface Outcome { id: string; tier: Case['tier']; topic: string; pass: boolean; reason?: string; codeMatched?: boolean; textMatched?: boolean }

const repoRoot = resolve(fileURLToPath(new URL('../../../', import.meta.url)));

export function casesDir(): string {
  return process.env.POL_CONFORMANCE_DIR ?? resolve(repoRoot, '..', 'shared', 'opa-cases');
}

export function loadCases(dir = casesDir()): Case[] | undefined {
  const topics = join(dir, 'topics');
  if (!existsSync(topics)) return undefined;
  const out: Case[] = [];
  for (const f of readdirSync(topics).filter(n => n.endsWith('.json')).sort()) {
    const doc = parseJson(readFileSync(join(topics, f), 'utf8'), { maxDepth: 1000 }) as unknown as { cases: Case[] };
    out.push(...doc.cases);
  }
  return out;
}

/** Runs one case with a time budget: a case must never hang or crash the run. */
export function runCase(tc: Case): Outcome {
  const base = { id: tc.id, tier: tc.tier, topic: tc.topic };
  const modules: Record<string, string> = {};
  tc.modules.forEach((m, i) => { modules[`test-${i}.rego`] = m; });
  let r;
  try {
    r = evalQueryRaw({
      modules,
      query: tc.query,
      data: (tc.data ?? {}) as Value,
      input: tc.input_term === null && tc.input !== null ? tc.input : undefined,
      inputTerm: tc.input_term ?? undefined,
      strictBuiltinErrors: tc.strict_error,
      deadlineMs: Date.now() + 5000,
    });
  } catch (e) {
    return { ...base, pass: false, reason: `crash: ${(e as Error).stack ?? e}` };
  }
  const err = r.error;
  const reasons: string[] = [];
  let codeMatched: boolean | undefined, textMatched: boolean | undefined;
  if (tc.want_error !== null) {
    textMatched = !!err && err.message.includes(tc.want_error);
    if (!textMatched) reasons.push(`want error text ${JSON.stringify(tc.want_error)}, got ${err ? JSON.stringify(err.message) : 'no error'}`);
  }
  if (tc.want_error_code !== null) {
    codeMatched = !!err && err.code === tc.want_error_code;
    if (!codeMatched) reasons.push(`want error code ${tc.want_error_code}, got ${err ? `${err.code}: ${err.message}` : 'no error'}`);
  }
  if (err && tc.want_error === null && tc.want_error_code === null) reasons.push(`unexpected error ${err.code}: ${err.message}`);
  if (tc.want_result !== null) {
    const got = r.rows.map(row => {
      const b: Record<string, Value> = {};
      for (const [k, v] of Object.entries(row.bindings)) {
        if (tc.ignore_generated_vars && k.startsWith('__localq')) continue;
        let val = v as Value;
        if (tc.sort_bindings && Array.isArray(val)) val = [...val].sort(compare);
        b[k] = val;
      }
      return b as Value;
    });
    const want = tc.want_result as Value[];
    if (!sameRowSet(got, want)) reasons.push(`want ${short(want)}, got ${short(got)}`);
  }
  // A conflict error is judged by code; its text changed across OPA versions (see CATALOG.md).
  if (tc.want_error_code === 'eval_conflict_error' && codeMatched) {
    const i = reasons.findIndex(x => x.startsWith('want error text'));
    if (i >= 0) reasons.splice(i, 1);
  }
  return { ...base, pass: reasons.length === 0, ...(reasons.length ? { reason: reasons.join('; ') } : {}), codeMatched, textMatched };
}

function sameRowSet(a: Value[], b: Value[]): boolean {
  const ka = new Set(a.map(keyOf)), kb = new Set(b.map(keyOf));
  if (ka.size !== kb.size) return false;
  for (const k of ka) if (!kb.has(k)) {
    // Numbers compare by value: fall back to structural equality.
    const x = a.find(v => keyOf(v) === k)!;
    if (!b.some(y => equal(x, y))) return false;
  }
  return true;
}

function short(v: unknown): string {
  const s = JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x));
  return s.length > 300 ? s.slice(0, 300) + '…' : s;
}

export const knownFailuresFile = resolve(repoRoot, 'test', 'conformance', 'known-failures.txt');

/** The committed list of case ids not yet passing (`id  # reason` per line). */
export function readKnownFailures(): Map<string, string> {
  const out = new Map<string, string>();
  if (!existsSync(knownFailuresFile)) return out;
  for (const line of readFileSync(knownFailuresFile, 'utf8').split('\n')) {
    const t = line.trim();
    if (!t || t.startsWith('#')) continue;
    const [id, ...rest] = t.split(/\s+#\s*/);
    out.set(id!.trim(), rest.join(' # '));
  }
  return out;
}
