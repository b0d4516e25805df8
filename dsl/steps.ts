/**
 * Work that can be paused: a generator that `yield`s between units of work (a statement parsed, a
 * module checked, a rule compiled) and returns the result. `finish` runs it in one go; the engine's
 * `compileInSlices` runs it a few milliseconds at a time, so a server compiling a large policy
 * goes on answering requests in between. No unit may depend on state another unit could change
 * while paused: each works on its own program.
 */
export type Steps<T> = Generator<void, T, void>;

/** Runs `steps` to the end and returns the result. */
export function finish<T>(steps: Steps<T>): T {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}
