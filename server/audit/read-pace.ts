/**
 * How long the log's writer thread waits between reads of the ring. Under load it reads every
 * `BUSY_READ_MS`, on its own timer: short spells of work cost the server less throughput than
 * long ones, and a timer costs the request thread nothing, where waking the writer thread (a
 * futex and an interrupt to the idle core, on these VMs) took about 2% of its time in profiles of
 * cached `/v1/decide`. Under light load it reads every flush interval, so wakes stay few, and
 * once the ring has stayed empty a while it waits for the next record (see `RingReader.wait`).
 */

/**
 * Records arriving at this many bytes a millisecond or more (about 5 k `/v1/decide` records a
 * second) mean load: the next read comes sooner. Measured over the wait before each read, so
 * that a rate keeps the pace it set.
 */
export const BUSY_BYTES_PER_MS = 1024;

/**
 * The wait between reads under load (ms), at most the flush interval: spells of 150-250
 * `/v1/decide` records at 20-30 k a second. Each read costs the writer thread about what a wake
 * did; every 5 ms took a quarter more of its CPU a record (see bench/FINDINGS.md).
 */
export const BUSY_READ_MS = 8;

/** How long the ring stays empty before the reader waits for the next record instead of the next interval (ms). */
export const IDLE_AFTER_MS = 50;

export class ReadPace {
  private readonly idleAfter: number;
  private emptyReads = 0;
  private busy = false;
  /** The wait `next` last gave (ms; undefined while idle). */
  private waited: number | undefined;

  constructor(private readonly flushMs: number) {
    this.idleAfter = Math.max(1, Math.ceil(IDLE_AFTER_MS / flushMs));
  }

  /** Notes what the read after the last wait took (bytes; 0 when the ring was empty). */
  read(bytes: number): void {
    this.emptyReads = bytes === 0 ? this.emptyReads + 1 : 0;
    this.busy = this.waited !== undefined && bytes >= BUSY_BYTES_PER_MS * this.waited;
  }

  /** The wait before the next read (ms), or undefined to wait for the next record. */
  next(): number | undefined {
    this.waited = this.emptyReads >= this.idleAfter ? undefined : this.busy ? Math.min(BUSY_READ_MS, this.flushMs) : this.flushMs;
    return this.waited;
  }
}
