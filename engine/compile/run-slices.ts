/** Running paused work (`Steps`) a few milliseconds at a time, with the event loop turning in between. */
import type { Steps } from '../../dsl/steps.js';

/** How long a slice runs by default before other work gets the thread (ms). */
export const DEFAULT_SLICE_MS = 5;

/**
 * The result of `steps`, run in slices of about `sliceMs` (a slice ends after the step that passes
 * it). Rejects with what a step throws, or with `signal`'s reason once it is aborted (checked
 * between slices).
 */
export async function runInSlices<T>(steps: Steps<T>, sliceMs = DEFAULT_SLICE_MS, signal?: AbortSignal): Promise<T> {
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
