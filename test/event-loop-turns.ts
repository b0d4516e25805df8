/**
 * Counts turns of the event loop (what a server answering requests needs between slices of
 * work) until `stop()`, which answers the count. Stop it in a `finally`: a test that fails while
 * it runs would otherwise never exit.
 */
export function countTurns(): { stop(): number } {
  let turns = 0, stopped = false;
  const tick = (): void => { if (!stopped) { turns++; setImmediate(tick); } };
  setImmediate(tick);
  return { stop: () => { stopped = true; return turns; } };
}
