/**
 * The state of one evaluation. Evaluation is synchronous, so one context is live at a time per
 * call stack; caches of virtual documents are stamped with a generation number instead of being
 * allocated per evaluation (a new generation invalidates every cached document at no cost).
 */
import type { Value } from '../value.js';
import type { BuiltinContext, BuiltinHost } from '../builtins/types.js';
import { BuiltinError, HaltError } from '../builtins/types.js';
import type { Loc } from '../../dsl/diagnostic.js';
import type { Tracer } from './trace.js';

let generation = 0;
export const nextGeneration = () => ++generation;

/** A replaced document (`with data.a.b as v`). */
export interface DataOverride { path: string[]; value: Value }
/** A replaced function (`with f as g`): either a value or another callable. */
export type FunctionMock = { value: Value } | { call: (args: Value[], c: Ctx) => Value | undefined };

/** The error of an evaluation that ran past its deadline (callers that keep a deadline of their own raise it too). */
export const DEADLINE_EXCEEDED = { code: 'eval_cancel_error', message: 'evaluation deadline exceeded' } as const;

export class EvalError extends Error {
  readonly code: string;
  readonly loc: Loc | undefined;
  constructor(code: string, message: string, loc?: Loc) {
    super(message);
    this.name = 'EvalError';
    this.code = code;
    this.loc = loc;
  }
  /** OPA's error text: `file:row: code: message`. */
  get text(): string {
    return this.loc && this.loc.file ? `${this.loc.file}:${this.loc.line}: ${this.code}: ${this.message}` : `${this.code}: ${this.message}`;
  }
}

interface WithState { input: Value | undefined; overrides: DataOverride[] | null; mocks: Map<string, FunctionMock> | null; gen: number }

export class Ctx implements BuiltinContext {
  input: Value | undefined = undefined;
  data: Value;
  gen = 0;
  overrides: DataOverride[] | null = null;
  mocks: Map<string, FunctionMock> | null = null;
  strict = false;
  firstBuiltinError: EvalError | null = null;
  readonly host: BuiltinHost;
  private withStack: WithState[] | undefined = undefined;
  private nowNsValue: bigint | undefined = undefined;
  private memoMap: Map<string, Value> | undefined = undefined;
  private prints: string[] | undefined = undefined;
  deadlineMs = 0;
  steps = 0;
  /** Set only when an explanation was asked for. */
  tracer: Tracer | null = null;

  constructor(input: Value | undefined, data: Value, host: BuiltinHost, strict: boolean, nowNs: bigint | undefined, prints: string[] | undefined, deadlineMs: number | undefined) {
    this.data = data;
    this.host = host;
    this.begin(input, strict, nowNs, prints, deadlineMs);
  }

  /**
   * Starts an evaluation: an entry point reuses one context for its evaluations (no allocation
   * per decision) when no other evaluation holds it. What `end` resets is not set again here.
   */
  begin(input: Value | undefined, strict: boolean, nowNs: bigint | undefined, prints: string[] | undefined, deadlineMs: number | undefined): void {
    this.input = input;
    this.gen = nextGeneration();
    this.strict = strict;
    this.nowNsValue = nowNs;
    this.prints = prints;
    this.deadlineMs = deadlineMs ?? 0;
    this.steps = 0;
  }

  /**
   * `begin` with every option at its default, which an idle context already holds (`end` and
   * `endPlain` leave it so): only the input and the generation change.
   */
  beginPlain(input: Value | undefined): void {
    this.input = input;
    this.gen = nextGeneration();
  }

  /**
   * Ends an evaluation: drops what it referenced (an idle context keeps no request alive) and
   * puts every option back to its default.
   */
  end(): void {
    this.input = undefined;
    this.withStack = undefined;
    this.memoMap = undefined;
    this.prints = undefined;
    this.overrides = null;
    this.mocks = null;
    this.firstBuiltinError = null;
    this.tracer = null;
    this.strict = false;
    this.nowNsValue = undefined;
    this.deadlineMs = 0;
  }

  /**
   * Ends an evaluation `beginPlain` started that returned normally: `with` scopes have all been
   * left, nothing was strict, traced or printed, so only what the evaluation itself filled in
   * remains to drop. One that threw ends with `end`.
   */
  endPlain(): void {
    this.input = undefined;
    this.nowNsValue = undefined;
    this.memoMap = undefined;
  }

  /** The context is its own builtin context: no per-evaluation closures. */
  get bctx(): BuiltinContext { return this; }
  nowNs(): bigint {
    if (this.nowNsValue === undefined) this.nowNsValue = BigInt(Date.now()) * 1_000_000n;
    return this.nowNsValue;
  }
  get memo(): Map<string, Value> { return (this.memoMap ??= new Map()); }
  print(line: string): void { if (this.prints) this.prints.push(line); }

  /** A builtin failed: undefined unless strict, where the first error is kept and raised at the end. */
  builtinFailed(e: unknown, loc: Loc | undefined, name: string): undefined {
    if (e instanceof HaltError) throw new EvalError(e.code, e.message, loc);
    if (e instanceof EvalError) throw e;
    if (e instanceof BuiltinError) {
      if (this.strict && !this.firstBuiltinError) this.firstBuiltinError = new EvalError(e.code, e.message, loc);
      return undefined;
    }
    if (e instanceof RangeError && /call stack/i.test(e.message)) throw new EvalError('eval_internal_error', 'evaluation exceeded the maximum depth', loc);
    if (this.strict && !this.firstBuiltinError) {
      this.firstBuiltinError = new EvalError('eval_builtin_error', `${name}: ${(e as Error)?.message ?? String(e)}`, loc);
    }
    return undefined;
  }

  /** Enters a `with` scope: later document reads see the replaced input/data/functions. */
  pushWith(input: Value | undefined, overrides: DataOverride[] | null, mocks: Map<string, FunctionMock> | null): void {
    (this.withStack ??= []).push({ input: this.input, overrides: this.overrides, mocks: this.mocks, gen: this.gen });
    this.input = input;
    this.overrides = overrides;
    this.mocks = mocks;
    this.gen = nextGeneration();
  }
  popWith(): void {
    const s = this.withStack!.pop()!;
    this.input = s.input; this.overrides = s.overrides; this.mocks = s.mocks; this.gen = s.gen;
  }
  /** Leaves the innermost `with` scope temporarily (to run the rest of the body) and returns it. */
  suspendWith(): WithState {
    const inner: WithState = { input: this.input, overrides: this.overrides, mocks: this.mocks, gen: this.gen };
    const outer = this.withStack![this.withStack!.length - 1]!;
    this.input = outer.input; this.overrides = outer.overrides; this.mocks = outer.mocks; this.gen = nextGeneration();
    return inner;
  }
  resumeWith(inner: WithState): void {
    this.input = inner.input; this.overrides = inner.overrides; this.mocks = inner.mocks; this.gen = nextGeneration();
  }

  /** Cheap deadline check, called from loops. */
  tick(loc?: Loc): void {
    if (this.deadlineMs && (++this.steps & 1023) === 0 && Date.now() > this.deadlineMs) {
      throw new EvalError(DEADLINE_EXCEEDED.code, DEADLINE_EXCEEDED.message, loc);
    }
  }
}
