/**
 * The decision log writer thread's counters, in shared memory so that reporting progress takes
 * no messages (a message woke the request thread once per batch). Each counter is written by the
 * writer thread alone and read by the request thread; an aligned 8-byte load never sees half of
 * a store on the platforms Node runs on, and a count read a little late only delays room.
 */
export const Progress = {
  /** Records made into lines. */
  Written: 0,
  /** Lines handed to the destination. */
  Flushed: 1,
  /** Characters of messages taken (the request thread bounds what is on its way). */
  Chars: 2,
  /** Records the destination refused (past its unwritten limit). */
  Dropped: 3,
  /** Messages taken, for the request thread to know when none is on its way. */
  MessagesTaken: 4,
} as const;

const COUNTERS = Object.keys(Progress).length;

export function allocateProgress(): SharedArrayBuffer {
  return new SharedArrayBuffer(COUNTERS * Float64Array.BYTES_PER_ELEMENT);
}
