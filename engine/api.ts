/** Public types of the engine's library API. */
import type { Diagnostic } from '../dsl/diagnostic.js';
import type { Value } from './value.js';
import type { BuiltinHost } from './builtins/types.js';
import type { DataDigests } from './data-digest.js';

export interface CompileOptions {
  /** Module sources keyed by file name (the name appears in diagnostics and error messages). */
  modules: Record<string, string>;
  /** Base documents under `data`. */
  data?: Value;
  /** Host services for builtins (geo database, network permission). */
  host?: BuiltinHost;
  /**
   * Reuses the work of earlier revisions over the same data (see `DataDigests`). Only for data
   * that is never changed in place once given: a changed object would keep its old digest.
   */
  dataDigests?: DataDigests;
}

export interface EvalOptions {
  /** Clock for this evaluation (ns since epoch); defaults to the wall clock, read once. */
  nowNs?: bigint;
  /** Raise the first builtin error instead of treating the call as undefined. */
  strictBuiltinErrors?: boolean;
  /** Collects `print` output. */
  prints?: string[];
  /** Absolute deadline (ms since epoch, as Date.now()); evaluation past it raises `eval_cancel_error`. */
  deadlineMs?: number;
}

/**
 * What the compiler knows about an entry point, used by the decision cache:
 * - `inputPaths`: every input path the entry point can read (a path is a list of keys; `[]` means
 *   the whole input), or `'all'` when it cannot tell (dynamic refs into input);
 * - `nondeterministic`: it may call a builtin whose result depends on more than its arguments;
 * - `readsClock`: it may read the clock (`time.now_ns`);
 * - `cost`: a static estimate of one evaluation's work (about one unit per expression; iteration
 *   and builtin calls weigh more), used to skip caching decisions cheaper than a cache lookup.
 */
export interface EntryPointInfo {
  inputPaths: string[][] | 'all';
  nondeterministic: boolean;
  readsClock: boolean;
  cost: number;
}

/** A compiled entry point: the hot path. */
export interface EntryPoint extends EntryPointInfo {
  readonly path: string;
  /** Value of the document, or undefined. Throws `PolError` on evaluation errors. */
  evaluate(input?: Value, opts?: EvalOptions): Value | undefined;
  /**
   * The same evaluation, with the rule bodies that were tried: which produced a value and where
   * the others stopped. Runs a separately compiled, traced program (compiled on first use).
   */
  explain(input?: Value, opts?: EvalOptions): Explanation;
}

export interface RuleOutcome {
  /** `data.pkg.rule` */
  rule: string;
  file: string;
  line: number;
  matched: boolean;
  /** For a body that produced nothing: the first expression that failed. */
  failedAt?: { file: string; line: number; col: number; text: string };
}

export interface Explanation {
  result: Value | undefined;
  rules: RuleOutcome[];
}

export interface RuleInfo {
  /** Full dotted path, e.g. `data.rbac.test_admin_allowed`. */
  path: string;
  /** The same path as keys below `data`, e.g. `["rbac", "test_admin_allowed"]`. */
  keys: string[];
  file: string;
  line: number;
  /** A function (`f(x) := ...`): it has no value of its own, only for arguments. */
  function: boolean;
}

export interface PreparedPolicy {
  /** Content hash of modules and data: a change of either gives a new revision. */
  readonly revision: string;
  /** Non-fatal diagnostics (warnings). */
  readonly warnings: Diagnostic[];
  /** Evaluates the document at `path` (`"rbac/allow"`, `"rbac.allow"`, `"data.rbac.allow"`). */
  evaluate(path: string, input?: Value, opts?: EvalOptions): Value | undefined;
  /** Resolves and compiles `path` once; reuse the returned entry point per request. */
  entrypoint(path: string): EntryPoint;
  /** Every rule path (deduplicated) with its first definition. */
  rules(): RuleInfo[];
  /** Evaluates a query body against this policy. */
  query(query: string, opts?: QueryOptions): QueryResult;
  /**
   * The same modules over other base data, with its own revision. Nothing is parsed or compiled
   * again (compiled rules read data only when they run), so a data change costs a hash of the
   * sources and data, not a compilation. This policy and its entry points keep their data.
   */
  withData(data: Value, dataDigests?: DataDigests): PreparedPolicy;
  /** Whether what explanations run is compiled (see `prepareExplanations`). */
  readonly explanationsReady: boolean;
  /**
   * Compiles what explanations run (a traced copy of the program, otherwise compiled on an entry
   * point's first `explain`, in one go) in slices of about `sliceMs`, letting the event loop run
   * in between. Shared with the policy's `withData` copies. Resolves at once when it is done.
   */
  prepareExplanations(sliceMs?: number): Promise<void>;
}

export interface QueryOptions extends EvalOptions {
  input?: Value;
  /** `input` written as a policy term (may contain sets and non-string keys). */
  inputTerm?: string;
}

export interface QueryResult {
  /** One row per solution, in OPA's `opa eval --format json` shape. */
  result: { expressions: { value: unknown; text: string; location: { row: number; col: number } }[]; bindings: Record<string, unknown> }[];
}

export interface EvalQueryOptions extends QueryOptions {
  modules?: Record<string, string>;
  data?: Value;
  query: string;
  host?: BuiltinHost;
}
