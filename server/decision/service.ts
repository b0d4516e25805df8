/**
 * The decision service: the one place where a decision is made, whichever API asked. It resolves
 * the entry point in the working policy generation, consults the decision cache, evaluates with a
 * deadline, records metrics and the decision log. It knows nothing of HTTP shapes.
 */
import { DEADLINE_EXCEEDED, PolError, randomUUIDv4, stringifyJson, type Value } from '../../engine/index.js';
import { keyText, type DecisionCache, type DecisionKey } from '../../engine/cache/index.js';
import type { PolicyStore, Generation } from '../policy-store/index.js';
import type { DecisionLog, DecisionRecord } from '../audit/decision-log.js';
import type { ServerMetrics } from '../metrics/server-metrics.js';
import { POOL_BUSY, type EvalPool, type PoolAnswer } from './eval-pool.js';
import { explainDecision, type ExplainMode } from './explain.js';

export interface DecideOptions {
  /** Which API asks (metric label and decision-log field). */
  api: string;
  /** Skip the cache for this request (the result is not stored either). */
  bypassCache?: boolean;
  strictBuiltinErrors?: boolean;
  /**
   * The request's absolute deadline (ms since epoch, as `Date.now()`), from `deadline()`: shared
   * by every evaluation one request makes. Absent: a fresh deadline for this call alone. Already
   * past: nothing is evaluated (or looked up) and the call fails with `eval_cancel_error`.
   */
  deadlineMs?: number;
  /**
   * The JSON text `input` was parsed from, when it was (a request body or query parameter):
   * the decision log passes the text on rather than serialising `input`. `inputIsMember` when
   * the input is the text's `input` member rather than the whole text.
   */
  inputText?: string | undefined;
  inputIsMember?: boolean;
  /**
   * Why the caller could not carry out `result` (a header value a proxy cannot send), or
   * undefined when it can. Asked before the decision is counted and logged: one it refuses is
   * logged with its result and the reason as its error, counted as an error, and thrown as a
   * `DecisionError` with code `unusable_decision`, so the log never shows an allow the caller
   * did not grant. `cached`: the result came from the decision cache (the same object as the
   * last time, so the caller may remember what it made of it).
   */
  vet?: (result: Value | undefined, cached: boolean) => string | undefined;
}

export { MAX_EXPLANATION_LINES } from './explain.js';


export interface Decision {
  decisionId: string;
  result: Value | undefined;
  /** `result` serialised as JSON, `undefined` when the result is undefined. */
  resultJson: string | undefined;
  cached: boolean;
  evalNs: number;
  revision: string;
}

/** The error code of a decision its caller could not carry out (see `DecideOptions.vet`). */
export const UNUSABLE_DECISION = 'unusable_decision';

/**
 * Evaluation failed, or nothing can be decided now: callers fail closed. `notReady`: no policy
 * is loaded yet, or every evaluation worker is saturated (a 503: try again later).
 */
export class DecisionError extends Error {
  constructor(
    readonly code: string, message: string, readonly notReady = false,
    /** Where in the policy evaluation failed, when the engine says, and what failed there. */
    readonly place?: { file: string; row: number; col: number; text: string },
  ) {
    super(message);
    this.name = 'DecisionError';
  }
}

export interface ServiceOptions {
  evalTimeoutMs: number;
  /** Whether decisions are logged (OPA returns `decision_id` only then). */
  logging: boolean;
  /** Evaluation workers for entry points that run long; none: every evaluation on this thread. */
  pool?: EvalPool;
  /** An evaluation on this thread longer than this sends its path's later evaluations to `pool` (ms). */
  offloadAfterMs?: number;
  /** Entry points always evaluated on `pool` (as `EntryPoint.path` spells them). */
  offloadPaths?: readonly string[];
  /** Told when a path's evaluations start going to the workers (`ns`: the evaluation that made it so). */
  onSlowPath?: (path: string, ns: number) => void;
}

/** The most paths evaluated on the workers at once; the longest-standing is dropped for a new one. */
const MAX_SLOW_PATHS = 1_000;
/** Quick worker evaluations in a row that bring a path back to the request thread. */
export const FAST_RUN_TO_RETURN = 64;
/** The mark of a path configured to be evaluated on the workers (`limits.offload_paths`). */
const PINNED = -1;

/** The metric series one API's decisions update, bound once per API name. */
interface ApiSeries {
  cachedLatency: { observe(value: number): void };
  evaluatedLatency: { observe(value: number): void };
  defined: { inc(): void };
  undefinedResult: { inc(): void };
}

export class DecisionService {
  private readonly seriesByApi = new Map<string, ApiSeries>();
  private readonly cacheHits: { inc(): void };
  private readonly cacheMisses: { inc(): void };
  private readonly offloads: { inc(): void };
  private readonly pool: EvalPool | undefined;
  private readonly offloadNs: number;
  /**
   * Paths whose evaluations go to the workers, with how many quick ones in a row they have had
   * there (`PINNED`: configured, they stay).
   */
  private readonly slowPaths = new Map<string, number>();
  /** Cacheable decisions being made on a worker, by their cache key's text. */
  private readonly inflight = new Map<string, Promise<PoolAnswer>>();
  private readonly sharedOffloads: { inc(): void };
  /** Paths whose last evaluation here was slow (one more and they go to the workers). */
  private readonly suspects = new Set<string>();

  constructor(
    private readonly store: PolicyStore,
    private readonly cache: DecisionCache | undefined,
    private readonly log: DecisionLog | undefined,
    private readonly metrics: ServerMetrics,
    private readonly opts: ServiceOptions,
  ) {
    this.cacheHits = metrics.cacheHits.bind();
    this.cacheMisses = metrics.cacheMisses.bind();
    this.offloads = metrics.offloads.bind();
    this.sharedOffloads = metrics.sharedOffloads.bind();
    this.pool = opts.pool;
    this.offloadNs = (opts.offloadAfterMs ?? 0) * 1e6;
    if (this.pool) for (const p of opts.offloadPaths ?? []) this.slowPaths.set(p, PINNED);
  }

  private seriesOf(api: string): ApiSeries {
    let s = this.seriesByApi.get(api);
    if (!s) {
      const m = this.metrics;
      s = {
        cachedLatency: m.latency.bind({ api, cached: 'true' }),
        evaluatedLatency: m.latency.bind({ api, cached: 'false' }),
        defined: m.decisions.bind({ api, outcome: 'defined' }),
        undefinedResult: m.decisions.bind({ api, outcome: 'undefined' }),
      };
      this.seriesByApi.set(api, s);
    }
    return s;
  }

  get loggingEnabled(): boolean { return this.log !== undefined; }

  /**
   * A request's deadline: `limits.eval_timeout_ms` from now. Take it once when the request's work
   * starts and pass it to every `decide`/`explain` call of that request.
   */
  deadline(): number { return Date.now() + this.opts.evalTimeoutMs; }

  /** The working generation, or a not-ready error. */
  generation(): Generation {
    const gen = this.store.generation;
    if (!gen) {
      const why = this.store.lastError ? `: ${this.store.lastError.message}` : '';
      throw new DecisionError('not_ready', `no policy is loaded yet${why}`, true);
    }
    return gen;
  }

  /**
   * Decides the document at `path` for `input`. Throws `DecisionError` (callers fail closed).
   * The answer is immediate unless the entry point has run long before and evaluation workers are
   * configured: then it is a promise, settled when a worker has decided (rejected with a
   * `DecisionError`), and the request thread serves other requests meanwhile.
   */
  decide(path: string, input: Value | undefined, opts: DecideOptions): Decision | Promise<Decision> {
    const t0 = process.hrtime.bigint();
    const gen = this.generation();
    const decisionId = randomUUIDv4();
    let result: Value | undefined;
    let resultJson: string | undefined;
    let cached = false;
    /** The entry point's own path, once it is evaluated here (requests spell paths in several ways). */
    let evaluatedPath: string | undefined;
    try {
      // A request's shared deadline may have passed already (a fresh one has not).
      if (opts.deadlineMs !== undefined && Date.now() > opts.deadlineMs) throw new PolError(DEADLINE_EXCEEDED.code, DEADLINE_EXCEEDED.message);
      const entry = this.store.entrypoint(gen, path);
      const key = this.cache && !opts.bypassCache && !opts.strictBuiltinErrors
        ? this.cache.keyFor(gen.revision, path, entry, input) : undefined;
      const hit = key !== undefined ? this.cache!.get(key) : undefined;
      if (hit) {
        cached = true;
        result = hit.result;
        resultJson = hit.json;
        this.cacheHits.inc();
      } else {
        if (key !== undefined) this.cacheMisses.inc();
        else if (opts.bypassCache) this.cache?.countBypass();
        if (this.pool !== undefined && this.slowPaths.has(entry.path) && this.pool.readyFor(gen)) return this.offload(t0, gen, decisionId, path, entry.path, input, key, opts);
        evaluatedPath = entry.path;
        // Read only when evaluating: a cache hit reads no clock for it.
        const deadlineMs = opts.deadlineMs ?? this.deadline();
        // With a worker holding this generation, an evaluation still running after
        // `offload_after_ms` is stopped and made there instead: a path found slow holds the
        // request thread no longer than that, even the first time.
        const handOverAt = this.pool !== undefined && this.pool.holds(gen) ? Date.now() + this.offloadNs / 1e6 : undefined;
        try {
          result = entry.evaluate(input, {
            deadlineMs: handOverAt !== undefined && handOverAt < deadlineMs ? handOverAt : deadlineMs,
            ...(opts.strictBuiltinErrors ? { strictBuiltinErrors: true } : {}),
          });
        } catch (e) {
          if (handOverAt === undefined || !isDeadlineExceeded(e) || Date.now() > deadlineMs) throw e;
          // Marks the path slow (a thread holds the generation), then hands this request over.
          this.noteEvaluation(gen, entry.path, Number(process.hrtime.bigint() - t0));
          return this.offload(t0, gen, decisionId, path, entry.path, input, key, opts);
        }
        resultJson = serialize(result);
        if (key !== undefined) this.cache!.set(key, { result, json: resultJson });
      }
    } catch (e) {
      const evalNs = Number(process.hrtime.bigint() - t0);
      if (evaluatedPath !== undefined) this.noteEvaluation(gen, evaluatedPath, evalNs);
      throw this.failed(toDecisionError(e), decisionRecord(decisionId, path, input, opts, gen.revision, evalNs, undefined, undefined, false));
    }
    const evalNs = Number(process.hrtime.bigint() - t0);
    if (evaluatedPath !== undefined) this.noteEvaluation(gen, evaluatedPath, evalNs);
    return this.finish(decisionId, path, input, opts, gen.revision, evalNs, result, resultJson, cached);
  }

  /** Counts and logs a decision made (after the caller's `vet`), and gives it. */
  private finish(
    decisionId: string, path: string, input: Value | undefined, opts: DecideOptions, revision: string,
    evalNs: number, result: Value | undefined, resultJson: string | undefined, cached: boolean,
  ): Decision {
    const unusable = opts.vet?.(result, cached);
    if (unusable !== undefined) {
      throw this.failed(new DecisionError(UNUSABLE_DECISION, unusable), decisionRecord(decisionId, path, input, opts, revision, evalNs, result, resultJson, cached));
    }
    const series = this.seriesOf(opts.api);
    (cached ? series.cachedLatency : series.evaluatedLatency).observe(evalNs / 1e9);
    (result === undefined ? series.undefinedResult : series.defined).inc();
    this.log?.record(decisionRecord(decisionId, path, input, opts, revision, evalNs, result, resultJson, cached));
    return { decisionId, result, resultJson, cached, evalNs, revision };
  }

  /** The decision made by an evaluation worker: `evalNs` counts the wait for it too. */
  private async offload(
    t0: bigint, gen: Generation, decisionId: string, path: string, entryPath: string, input: Value | undefined, key: DecisionKey | undefined, opts: DecideOptions,
  ): Promise<Decision> {
    // A cacheable decision already being made on a worker is shared, not made again: a burst of
    // one slow request would otherwise queue as many evaluations as it has requests.
    const text = key !== undefined ? keyText(key) : undefined;
    const inflight = text !== undefined ? this.inflight.get(text) : undefined;
    const shared = inflight !== undefined;
    let pending: Promise<PoolAnswer>;
    if (shared) {
      this.sharedOffloads.inc();
      pending = inflight;
    } else {
      this.offloads.inc();
      pending = this.pool!.evaluate(gen, path, input, opts.deadlineMs ?? this.deadline(), opts.strictBuiltinErrors === true);
      if (text !== undefined) {
        this.inflight.set(text, pending);
        void pending.then(() => this.inflight.delete(text));
      }
    }
    const answer = await pending;
    const evalNs = Number(process.hrtime.bigint() - t0);
    if (!answer.ok) {
      const err = new DecisionError(answer.code, answer.message, answer.code === POOL_BUSY, answer.place);
      throw this.failed(err, decisionRecord(decisionId, path, input, opts, gen.revision, evalNs, undefined, undefined, false));
    }
    // Counted once per evaluation, not per request that shared it.
    if (!shared) this.noteWorkerEvaluation(entryPath, answer.evalNs);
    const resultJson = serialize(answer.result);
    // The key names its revision: one stored after a swap is never looked up again.
    if (key !== undefined && !shared) this.cache!.set(key, { result: answer.result, json: resultJson });
    return this.finish(decisionId, path, input, opts, gen.revision, evalNs, answer.result, resultJson, false);
  }

  /**
   * An evaluation on this thread took `ns`. Past `offloadNs`, the path's later evaluations go to
   * the workers: at once when a thread is ready (a hop costs little), else after two in a row, as
   * one alone may be a first run before the JIT has compiled the policy, or a pause for garbage
   * collection, not worth starting a thread for.
   */
  private noteEvaluation(gen: Generation, path: string, ns: number): void {
    if (this.pool === undefined) return;
    if (ns <= this.offloadNs) {
      if (this.suspects.size > 0) this.suspects.delete(path);
      return;
    }
    if (this.slowPaths.has(path)) return;
    if (!this.suspects.has(path) && !this.pool.holds(gen)) {
      if (this.suspects.size >= MAX_SLOW_PATHS) this.suspects.delete(this.suspects.keys().next().value!);
      this.suspects.add(path);
      return;
    }
    this.suspects.delete(path);
    if (this.slowPaths.size >= MAX_SLOW_PATHS && !this.forgetOneSlowPath()) return;
    this.slowPaths.set(path, 0);
    // A thread starts or compiles now; until it is ready the path is still evaluated here.
    this.pool.warm(gen);
    this.opts.onSlowPath?.(path, ns);
  }

  /** Forgets the longest-standing path found slow (never a configured one); false when there is none. */
  private forgetOneSlowPath(): boolean {
    for (const [p, run] of this.slowPaths) {
      if (run !== PINNED) { this.slowPaths.delete(p); return true; }
    }
    return false;
  }

  /**
   * A worker evaluated `path` in `ns`. After `FAST_RUN_TO_RETURN` evaluations in a row well under
   * `offloadNs` (a slow first run, a slow input that has stopped coming), the path comes back to
   * this thread, where a cache lookup or a quick evaluation costs no thread hop.
   */
  private noteWorkerEvaluation(path: string, ns: number): void {
    const run = this.slowPaths.get(path);
    if (run === undefined || run === PINNED) return;
    if (ns * 4 > this.offloadNs) this.slowPaths.set(path, 0);
    else if (run + 1 >= FAST_RUN_TO_RETURN) this.slowPaths.delete(path);
    else this.slowPaths.set(path, run + 1);
  }

  /** Paths evaluated on the workers now (tests, metrics). */
  get offloadedPaths(): string[] { return [...this.slowPaths.keys()]; }

  /** Counts and logs a decision that ends in `err` (`record` holds what it had decided, if anything); returns `err`. */
  private failed(err: DecisionError, record: DecisionRecord): DecisionError {
    this.metrics.errors.inc({ code: err.code });
    this.metrics.decisions.inc({ api: record.api, outcome: 'error' });
    if (this.log) {
      record.error = `${err.code}: ${err.message}`;
      this.log.record(record);
    }
    return err;
  }

  /**
   * An explanation of the decision at `path` (see `explainDecision`), sharing `deadlineMs` (the
   * request's, default: a fresh one). Of a path evaluated on the workers, made there: a promise,
   * rejected with a `DecisionError` when the worker fails.
   */
  explain(path: string, input: Value | undefined, mode: ExplainMode, deadlineMs: number = this.deadline()): string[] | Promise<string[]> {
    const gen = this.generation();
    const entry = this.store.entrypoint(gen, path);
    // An explanation evaluates the whole package: of a path that runs long, on a worker.
    if (this.pool !== undefined && this.slowPaths.has(entry.path) && this.pool.readyFor(gen)) {
      return this.pool.explain(gen, path, input, mode, deadlineMs, this.opts.evalTimeoutMs).then(a => {
        if (!a.ok) throw new DecisionError(a.code, a.message, a.code === POOL_BUSY, a.place);
        return a.lines;
      });
    }
    // The first explanation of a generation compiles the traced program: in slices, as policies
    // are, not in one go on the request thread (a large policy takes hundreds of milliseconds).
    const prepared = gen.prepared;
    if (mode !== 'notes' && !prepared.explanationsReady) {
      return prepared.prepareExplanations().then(
        () => explainDecision(prepared, entry, path, input, mode, deadlineMs, this.opts.evalTimeoutMs),
        (e: unknown) => { throw toDecisionError(e); },
      );
    }
    return explainDecision(prepared, entry, path, input, mode, deadlineMs, this.opts.evalTimeoutMs);
  }
}

/** Whether an evaluation was stopped by its deadline. */
function isDeadlineExceeded(e: unknown): boolean {
  return e instanceof PolError && e.code === DEADLINE_EXCEEDED.code;
}

/** A failed evaluation as the service reports it. */
function toDecisionError(e: unknown): DecisionError {
  if (!(e instanceof PolError)) return new DecisionError('internal_error', e instanceof Error ? e.message : String(e));
  const d = e.diagnostics[0];
  return new DecisionError(String(e.code), e.message, false, d && d.line > 0 ? { file: d.file, row: d.line, col: d.col, text: d.message } : undefined);
}

/** A decision as the decision log records it. */
function decisionRecord(
  decisionId: string, path: string, input: Value | undefined, opts: DecideOptions, revision: string,
  evalNs: number, result: Value | undefined, resultJson: string | undefined, cached: boolean,
): DecisionRecord {
  return { decision_id: decisionId, api: opts.api, path, input, input_text: opts.inputText, input_member: opts.inputIsMember, result, result_json: resultJson, revision, latency_ns: evalNs, cached };
}


/**
 * JSON text of a result; booleans (the common case) without a walk. Entry points already answer
 * JSON (sets as arrays, non-string keys as text), so no conversion is needed first.
 */
export function serialize(v: Value | undefined): string | undefined {
  if (v === undefined) return undefined;
  if (v === true) return 'true';
  if (v === false) return 'false';
  return stringifyJson(v);
}
