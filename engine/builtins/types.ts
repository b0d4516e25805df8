/** The contract between the evaluator and builtin implementations. */
import type { Value } from '../value.js';

/**
 * A builtin failed. With strict builtin errors off the call is simply undefined; on, evaluation
 * finishes and the first such error is raised. `code` follows OPA.
 */
export class BuiltinError extends Error {
  readonly code: 'eval_builtin_error' | 'eval_type_error';
  constructor(message: string, code: 'eval_builtin_error' | 'eval_type_error' = 'eval_builtin_error') {
    super(message);
    this.name = 'BuiltinError';
    this.code = code;
  }
}

/** An error that always stops evaluation, whatever the strict setting (like OPA's halt errors). */
export class HaltError extends Error {
  readonly code: string;
  constructor(message: string, code = 'eval_builtin_error') {
    super(message);
    this.name = 'HaltError';
    this.code = code;
  }
}

/** Per-evaluation services offered to builtins. */
export interface BuiltinContext {
  /** The evaluation's clock in nanoseconds since the epoch: the same value for a whole evaluation. */
  nowNs(): bigint;
  /** Memo for non-deterministic builtins (`rand.intn`, `uuid.rfc4122`), scoped to one evaluation. */
  memo: Map<string, Value>;
  /** Output of `print`, in order. */
  print(line: string): void;
  /** Host configuration visible to builtins (geo database, network permission, ...). */
  host: BuiltinHost;
}

export interface BuiltinHost {
  /** Allows builtins with `capability: 'network'`. Off by default. */
  allowNetwork?: boolean;
  /** Extra, host-provided services keyed by name (e.g. a loaded geo database). */
  [service: string]: unknown;
}

/**
 * A builtin implementation: return `undefined` for "no result", throw `BuiltinError` on failure.
 * For a relation (`decl.relation`), return an array of results.
 */
export type BuiltinImpl = (args: Value[], ctx: BuiltinContext) => Value | undefined;
