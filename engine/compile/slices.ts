/**
 * Compiling without holding the thread: a large policy takes hundreds of milliseconds to parse,
 * check and compile (closures cannot be built on another thread), so a server that compiled it in
 * one go would answer no request meanwhile. `compileInSlices` runs the same steps as `compile`, a
 * few milliseconds at a time, and lets the event loop run between slices.
 */
import type { CompileOptions, PreparedPolicy } from '../api.js';
import { compileSteps } from './program.js';

/** How long a slice runs by default before other work gets the thread (ms). */
export const DEFAULT_SLICE_MS = 5;

/**
 * The policy `compile(opts)` gives, made in slices of about `sliceMs` (a slice ends after the step
 * that passes it: a statement parsed, a rule checked or a document compiled). Rejects with the
 * `PolError` `compile` would throw, or with `signal`'s reason once it is aborted (checked between
 * slices).
 */
export async function compileInSlices(opts: CompileOptions, sliceMs = DEFAULT_SLICE_MS, signal?: AbortSignal): Promise<PreparedPolicy> {
  const steps = compileSteps(opts);
  for (;;) {
    signal?.throwIfAborted();
    const until = performance.now() + sliceMs;
    for (;;) {
      const r = steps.next();
      if (r.done) return r.value;
      if (performance.now() >= until) break;
    }
    // setImmediate, not a microtask: pending I/O (requests) runs before the next slice.
    await new Promise<void>(resolve => { setImmediate(resolve); });
  }
}
