/**
 * Compiling without holding the thread: a large policy takes hundreds of milliseconds to parse,
 * check and compile (closures cannot be built on another thread), so a server that compiled it in
 * one go would answer no request meanwhile. `compileInSlices` runs the same steps as `compile`, a
 * few milliseconds at a time, and lets the event loop run between slices.
 */
import type { CompileOptions, PreparedPolicy } from '../api.js';
import { compileSteps } from './program.js';
import { DEFAULT_SLICE_MS, runInSlices } from './run-slices.js';

export { DEFAULT_SLICE_MS };

/**
 * The policy `compile(opts)` gives, made in slices of about `sliceMs` (a slice ends after the step
 * that passes it: a statement parsed, a rule checked or a document compiled). Rejects with the
 * `PolError` `compile` would throw, or with `signal`'s reason once it is aborted (checked between
 * slices).
 */
export function compileInSlices(opts: CompileOptions, sliceMs = DEFAULT_SLICE_MS, signal?: AbortSignal): Promise<PreparedPolicy> {
  return runInSlices(compileSteps(opts), sliceMs, signal);
}
