/**
 * Runs policy tests the way `opa test` does: every rule whose name starts with `test_` in a
 * `*_test.pol` file is a test; it passes when it evaluates to `true`, fails when it is undefined or
 * any other value, and errors when evaluation raises. `todo_test_` rules are reported as skipped.
 * Builtin errors are raised (strict mode): a test that silently hits one is almost always broken.
 */
import { compile, type PreparedPolicy } from '../engine/index.js';
import { loadPaths } from './load.js';

export type TestStatus = 'pass' | 'fail' | 'error' | 'skip';

export interface TestResult {
  /** Full rule path, e.g. `data.rbac.test_admin_allowed`. */
  name: string;
  file: string;
  line: number;
  status: TestStatus;
  durationNs: bigint;
  /** The error text for `error`, the value obtained for `fail`. */
  detail?: string;
}

export interface TestRun {
  results: TestResult[];
  /** Set when the policies did not compile: no test ran. */
  compileError?: unknown;
  /** Sources, for rendering a compile error. */
  modules: Record<string, string>;
}

export interface TestOptions {
  paths: string[];
  cwd: string;
  /** Only tests whose full path matches run. */
  run?: RegExp;
  /** Per-test evaluation deadline in milliseconds. */
  timeoutMs?: number;
}

export const DEFAULT_TEST_TIMEOUT_MS = 5000;

export function isTestFile(file: string): boolean {
  return /_test\.(pol|rego)$/.test(file);
}

function lastSegment(path: string): string {
  const i = path.lastIndexOf('.');
  return i < 0 ? path : path.slice(i + 1);
}

/** Loads, compiles and runs every test under `paths`. */
export function runPolicyTests(opts: TestOptions): TestRun {
  const loaded = loadPaths(opts.paths, opts.cwd);
  let prepared: PreparedPolicy;
  try {
    prepared = compile({ modules: loaded.modules, data: loaded.data });
  } catch (e) {
    return { results: [], compileError: e, modules: loaded.modules };
  }
  const results: TestResult[] = [];
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TEST_TIMEOUT_MS;
  for (const rule of prepared.rules()) {
    if (!isTestFile(rule.file)) continue;
    const name = lastSegment(rule.path);
    const isTodo = name.startsWith('todo_test_');
    if (!isTodo && !name.startsWith('test_')) continue;
    if (opts.run && !opts.run.test(rule.path)) continue;
    const base = { name: rule.path, file: rule.file, line: rule.line };
    if (isTodo) { results.push({ ...base, status: 'skip', durationNs: 0n }); continue; }
    results.push({ ...base, ...runOne(prepared, rule.path, timeoutMs) });
  }
  return { results, modules: loaded.modules };
}

function runOne(prepared: PreparedPolicy, path: string, timeoutMs: number): Pick<TestResult, 'status' | 'durationNs' | 'detail'> {
  const start = process.hrtime.bigint();
  try {
    const value = prepared.evaluate(path, undefined, { deadlineMs: Date.now() + timeoutMs, strictBuiltinErrors: true });
    const durationNs = process.hrtime.bigint() - start;
    if (value === true) return { status: 'pass', durationNs };
    return { status: 'fail', durationNs, detail: value === undefined ? 'undefined' : JSON.stringify(value) ?? String(value) };
  } catch (e) {
    const durationNs = process.hrtime.bigint() - start;
    const err = e as { code?: string; message?: string };
    return { status: 'error', durationNs, detail: err.code ? `${err.code}: ${err.message}` : String(e) };
  }
}

/** Exit status of a run: 0 only when it compiled and nothing failed or errored. */
export function runSucceeded(run: TestRun): boolean {
  return run.compileError === undefined && run.results.every(r => r.status === 'pass' || r.status === 'skip');
}
