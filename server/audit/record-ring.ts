/**
 * A ring of shared memory carrying encoded decision records from the request thread (the only
 * writer) to the log's writer thread (the only reader), with no message per batch: the reader
 * takes what is there every flush interval or sooner (`ReadPace`), and the request thread only
 * writes each record in (its text as UTF-8, or its compact form, see `compact-record.ts`) and
 * moves the write position. Posting each batch to the writer thread cost the request thread
 * about as much as everything else the log does (see bench/FINDINGS.md).
 *
 * Positions are byte offsets in `[0, size]`. A record is never split: one that does not fit
 * before the end is written at the start, and the end of the data before it is kept in
 * `WRAP_AT`. One byte stays free, so that equal positions always mean an empty ring.
 *
 * Between reads the reader waits on `WAITING`: for a time (`TIMED`, see `ReadPace`), woken early
 * only when the ring holds `wakeAt` bytes, or, once the ring has stayed empty a while, for the
 * next record (`IDLE`). So the request thread wakes it once per idle spell, not once per batch.
 */

/** Indexes into the control block's `Int32Array`. */
const WRITE = 0, READ = 1, WRAP_AT = 2, WAITING = 3;
const CONTROL_INTS = 4;
/** States of `WAITING`. */
const AWAKE = 0, IDLE = 1, TIMED = 2;

/** The memory both ends share. */
export interface RingMemory { control: SharedArrayBuffer; data: SharedArrayBuffer }

export function allocateRing(bytes: number): RingMemory {
  return { control: new SharedArrayBuffer(CONTROL_INTS * 4), data: new SharedArrayBuffer(bytes) };
}

/** Bytes between the reader's position and `write` (the writer's), across the wrap. */
function bytesHeld(control: Int32Array, write: number): number {
  const read = Atomics.load(control, READ);
  return write >= read ? write - read : write + Atomics.load(control, WRAP_AT) - read;
}

/** The request thread's end. */
export class RingWriter {
  private readonly control: Int32Array;
  /** The ring's memory, which records are written into between `reserve` and `commit`. */
  readonly bytes: Buffer;
  private readonly size: number;
  /** The write position (the shared one is only ever set from this). */
  private at = 0;
  /** Bytes written since the ring's fill was last looked at, and how often to look. */
  private unchecked = 0;
  private readonly checkEvery: number;

  /** Bytes held that wake a reader waiting out its interval: as asked, and at most half the ring. */
  readonly wakeAt: number;

  constructor(memory: RingMemory, wakeAt: number) {
    this.control = new Int32Array(memory.control);
    this.bytes = Buffer.from(memory.data);
    this.size = memory.data.byteLength;
    this.wakeAt = Math.min(wakeAt, this.size >> 1);
    this.checkEvery = Math.max(1, this.wakeAt >> 4);
  }

  /** Bytes written and not yet taken by the reader. */
  used(): number {
    return bytesHeld(this.control, this.at);
  }

  /**
   * Writes `text` and a NUL after it; false (nothing written) when the ring lacks room for its
   * longest UTF-8 form (three bytes a UTF-16 unit). The text must be well formed (no lone
   * surrogates): UTF-8 cannot carry those.
   */
  write(text: string): boolean {
    const at = this.reserve(text.length * 3 + 1);
    if (at < 0) return false;
    const n = this.bytes.write(text, at);
    this.bytes[at + n] = 0;
    this.commit(at + n + 1);
    return true;
  }

  /**
   * Room for a record of at most `need` bytes, written in place (into `bytes`) and then passed on
   * with `commit`: where it starts, or -1 when the ring lacks the room. Nothing else may be
   * written in between.
   */
  reserve(need: number): number {
    const read = Atomics.load(this.control, READ);
    const at = this.at;
    if (at >= read) {
      // Free: from here to the end, and from the start to just before the reader.
      if (this.size - at >= need) return at;
      if (read - 1 < need) return -1;
      Atomics.store(this.control, WRAP_AT, at);
      return 0;
    }
    return read - 1 - at < need ? -1 : at;
  }

  /** Passes on the record written from the reserved place up to `end` (exclusive). */
  commit(end: number): void {
    // A record that did not fit before the end starts at 0.
    const written = end > this.at ? end - this.at : end;
    this.at = end;
    Atomics.store(this.control, WRITE, end);
    const waiting = Atomics.load(this.control, WAITING);
    if (waiting !== AWAKE) {
      if (waiting === IDLE) this.wake();
      else if ((this.unchecked += written) >= this.checkEvery) {
        this.unchecked = 0;
        if (this.used() >= this.wakeAt) this.wake();
      }
    }
  }

  private wake(): void {
    Atomics.store(this.control, WAITING, AWAKE);
    Atomics.notify(this.control, WAITING);
  }
}

/** The writer thread's end (also the request thread's, to take over what a failed writer thread left). */
export class RingReader {
  private readonly control: Int32Array;
  private readonly bytes: Buffer;

  constructor(memory: RingMemory) {
    this.control = new Int32Array(memory.control);
    this.bytes = Buffer.from(memory.data);
  }

  /**
   * Hands the bytes of every record written and not yet taken to `visit`, in one or two runs of
   * whole records, then gives their room back; answers how many
   * bytes that was (0 when there were none). The room is given back even when `visit` throws: no
   * record is read twice.
   */
  read(visit: (bytes: Buffer, from: number, to: number) => void): number {
    const write = Atomics.load(this.control, WRITE);
    const read = Atomics.load(this.control, READ);
    const held = bytesHeld(this.control, write);
    if (held === 0) return 0;
    try {
      if (write > read) {
        visit(this.bytes, read, write);
      } else {
        visit(this.bytes, read, Atomics.load(this.control, WRAP_AT));
        visit(this.bytes, 0, write);
      }
    } finally {
      Atomics.store(this.control, READ, write);
    }
    return held;
  }

  /**
   * Resolves after `ms`, or sooner once the ring holds `wakeAt` bytes (the writer's); with `ms`
   * undefined (idle), once a record is written. Marks the wait first and then looks again, so a
   * record written in between is never missed (both ends use sequentially consistent atomics).
   */
  wait(ms: number | undefined, wakeAt: number): Promise<unknown> {
    const state = ms === undefined ? IDLE : TIMED;
    Atomics.store(this.control, WAITING, state);
    const held = this.held();
    if (state === IDLE ? held > 0 : held >= wakeAt) {
      Atomics.store(this.control, WAITING, AWAKE);
      return Promise.resolve();
    }
    const wait = Atomics.waitAsync(this.control, WAITING, state, ms);
    return wait.async ? wait.value : Promise.resolve();
  }

  /** Bytes written and not yet taken. */
  private held(): number {
    return bytesHeld(this.control, Atomics.load(this.control, WRITE));
  }

  /** Marks the reader awake (reading): records written meanwhile wake nothing. */
  awake(): void {
    Atomics.store(this.control, WAITING, AWAKE);
  }
}
