/**
 * Writes decision records as lines: records are queued, turned into text right after the I/O
 * phase that queued them, joined into chunks of about `WRITE_CHUNK` characters and written every
 * `flushMs` through pino's destination (or a stream): on the log's writer thread with blocking
 * writes of the chunks' UTF-8 bytes, on the request thread (stream destinations, the inline
 * writer) with asynchronous writes of the text.
 */
import pino from 'pino';
import type { Writable } from 'node:stream';
import type { LineFormatter, LineParts } from './line-format.js';

/**
 * Characters per write. Joining a whole flush's lines into one string cost about 1 µs a line
 * here: a string (or the buffer a write converts it to) past 128 KiB is a large object in fresh
 * memory, and the page faults on it dominate. Chunks below that are made in reused memory, and
 * pino's destination writes each as it comes (it merges only writes under 16 KiB).
 */
const WRITE_CHUNK = 64 * 1024;

/**
 * Characters written but not yet accepted by the destination before further chunks are dropped
 * (counted): a destination that keeps failing or stalls must not grow memory without bound.
 */
export const MAX_UNWRITTEN = 16 * 1024 * 1024;

/**
 * Characters a chunk may have for the reused byte buffer of a blocking destination (a chunk is
 * cut past `WRITE_CHUNK`, so only one with a very long line is larger and gets a buffer of its own).
 */
const SCRATCH_CHARS = 96 * 1024;

export interface LineWriterOptions {
  /** A file descriptor (written through pino's destination) or a stream. */
  destination: number | Writable;
  formatter: LineFormatter;
  /** Longest a line waits before it is written (ms); 0 writes after the current I/O phase. */
  flushMs: number;
  /** Told of every failed write (disk full, I/O error); the lines stay queued and are retried with the next write. */
  onWriteError?: (err: NodeJS.ErrnoException) => void;
  /** Longest `close` waits for a file that will not take its last lines (ms). */
  closeTimeoutMs: number;
  /** Characters a file may hold back unwritten before new lines are dropped. */
  maxUnwritten: number;
  /**
   * Write a file descriptor with blocking writes, on this thread: for the log's own writer
   * thread, where nothing else waits. Asynchronous writes go through libuv's thread pool, two
   * thread wake-ups a write.
   */
  blocking?: boolean;
}

export class LineWriter {
  private readonly sink: { write(text: string): unknown };
  private readonly dest: ReturnType<typeof pino.destination> | undefined;
  /**
   * A blocking destination takes bytes, not strings: given a string, pino's destination measures
   * it, converts it to UTF-8 to write it, then converts it again into a fresh buffer to find what
   * is left after the write (about 110 µs a 64 Ki chunk here, against 15 µs for encoding it once
   * into reused memory and writing that). The chunk is encoded into `scratch` while the
   * destination holds none of what it was given (every byte written or dropped), else into a
   * buffer of its own, which the destination keeps until it is written.
   */
  private readonly scratch: Buffer | undefined;
  /** Bytes given to a blocking destination, less those it dropped, and bytes it wrote. */
  private bytesGiven = 0;
  private bytesWritten = 0;
  private readonly formatter: LineFormatter;
  private readonly flushMs: number;
  private readonly closeTimeoutMs: number;
  private queue: LineParts[] = [];
  /** Serialised chunks waiting for the next write. */
  private pending: string[] = [];
  /** Lines of the chunk being filled, and their length. */
  private chunk: string[] = [];
  private chunkLength = 0;
  private flushTimer: ReturnType<typeof setTimeout> | undefined;
  private scheduled = false;
  /** Lines made into text. */
  written = 0;
  /** Lines handed to the destination (the rest are still in memory here). */
  flushed = 0;
  /** Lines the destination dropped (past `maxUnwritten`). */
  dropped = 0;
  /** Writes the destination failed (each is retried with the next). */
  writeErrors = 0;
  /** Whether `close` gave up on a destination that would not take the last lines. */
  lostOnClose = false;
  private brokenPipe = false;

  constructor(opts: LineWriterOptions) {
    this.formatter = opts.formatter;
    this.flushMs = opts.flushMs;
    this.closeTimeoutMs = opts.closeTimeoutMs;
    if (typeof opts.destination === 'number') {
      const blocking = opts.blocking === true;
      const dest = pino.destination({ dest: opts.destination, sync: blocking, minLength: 0, maxLength: opts.maxUnwritten, ...(blocking ? { contentMode: 'buffer' as const } : {}) });
      dest.on('error', (err: NodeJS.ErrnoException) => {
        this.writeErrors++;
        // pino's destination stops writing for good on a broken pipe (its reader is gone).
        if (err.code === 'EPIPE') this.brokenPipe = true;
        opts.onWriteError?.(err);
      });
      dest.on('drop', (data: string | Buffer) => {
        this.dropped += countLines(data);
        if (typeof data !== 'string') this.bytesGiven -= data.length;
      });
      this.dest = dest;
      if (blocking) {
        // UTF-8 takes at most three bytes per UTF-16 code unit.
        this.scratch = Buffer.allocUnsafeSlow(3 * SCRATCH_CHARS);
        dest.on('write', (n: number) => { this.bytesWritten += n; });
        // In buffer mode the destination's `write` takes a Buffer (its type says string).
        this.sink = { write: text => dest.write(this.bytesOf(text) as unknown as string) };
      } else {
        this.sink = dest;
      }
    } else {
      this.sink = opts.destination;
    }
  }

  /** A chunk's UTF-8 bytes for a blocking destination (see `scratch`). */
  private bytesOf(text: string): Buffer {
    const scratch = this.scratch!;
    const bytes = this.bytesGiven === this.bytesWritten && text.length <= SCRATCH_CHARS
      ? scratch.subarray(0, scratch.write(text, 0, 'utf8'))
      : Buffer.from(text, 'utf8');
    this.bytesGiven += bytes.length;
    return bytes;
  }

  /**
   * Memory to make lines in as UTF-8 for `writeBytes` (blocking destinations only), after the
   * lines queued before them are written: the reused scratch while the destination holds none of
   * it (see `scratch`), else memory of its own. Nothing else may be written until `writeBytes`.
   */
  lineSpace(): Buffer {
    const scratch = this.scratch;
    if (!scratch) throw new Error('lines as bytes need a blocking destination');
    this.writeQueued();
    return this.bytesGiven === this.bytesWritten ? scratch : Buffer.allocUnsafe(scratch.length);
  }

  /** Writes `lines` finished lines given as their UTF-8 `bytes`, made in `lineSpace`. */
  writeBytes(bytes: Buffer, lines: number): void {
    this.written += lines;
    this.flushed = this.written;
    this.bytesGiven += bytes.length;
    // In buffer mode the destination's `write` takes a Buffer (its type says string).
    this.dest!.write(bytes as unknown as string);
  }

  /** Writes one finished line now, after the lines queued before it. */
  writeLine(text: string): void {
    this.writeQueued();
    this.written++;
    this.flushed = this.written;
    this.sink.write(text);
  }

  /** Makes the queued records into lines and writes them now. */
  private writeQueued(): void {
    if (this.queue.length) this.serialize();
    if (this.pending.length || this.chunk.length) this.flush();
  }

  /** Records queued and not yet made into text. */
  get queued(): number { return this.queue.length; }

  push(parts: LineParts): void {
    this.queue.push(parts);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.serialize());
    }
  }

  /**
   * Turns the queued records into text right after the I/O phase that made them (records, and
   * the inputs they hold, die young), and writes the text now or within `flushMs`.
   */
  private serialize(): void {
    this.scheduled = false;
    const batch = this.queue;
    this.queue = [];
    // Lines are joined while they are young and in the CPU's caches: joining them only when a
    // chunk was full, milliseconds later, cost about 900 ns a line in the server against about
    // 300 ns here.
    let lines: string[] = [];
    let length = 0;
    for (let i = 0; i < batch.length; i++) {
      const line = this.formatter.line(batch[i]!);
      lines.push(line);
      length += line.length;
      if (this.chunkLength + length >= WRITE_CHUNK) {
        this.addToChunk(lines.join(''));
        this.cutChunk();
        lines = [];
        length = 0;
      }
    }
    if (lines.length) this.addToChunk(lines.join(''));
    this.written += batch.length;
    if (this.flushMs === 0) this.flush();
    else this.flushTimer ??= setTimeout(() => this.flush(), this.flushMs);
  }

  private addToChunk(text: string): void {
    this.chunk.push(text);
    this.chunkLength += text.length;
  }

  /** Ends the chunk being filled: its lines become one string waiting to be written. */
  private cutChunk(): void {
    if (this.chunk.length === 0) return;
    this.pending.push(this.chunk.join(''));
    this.chunk = [];
    this.chunkLength = 0;
  }

  private flush(): void {
    this.flushTimer = undefined;
    this.flushed = this.written;
    this.cutChunk();
    const pending = this.pending;
    if (pending.length === 0) return;
    this.pending = [];
    for (let i = 0; i < pending.length; i++) this.sink.write(pending[i]!);
  }

  /**
   * Writes what is queued and ends the destination (a file is closed). One whose writes keep
   * failing is given `closeTimeoutMs` and then closed with its unwritten lines lost (noted in
   * `lostOnClose`): shutdown must not wait on a full disk or a stalled pipe forever.
   */
  async close(): Promise<void> {
    if (this.queue.length) this.serialize();
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flush();
    const dest = this.dest;
    if (!dest || this.brokenPipe) return;
    await new Promise<void>(resolve => {
      dest.flush(() => resolve());
    });
    // stdout and stderr are ended too (sonic-boom leaves their descriptors open): a destination
    // still open at exit is flushed by a loop that never ends on a broken pipe.
    const closed = new Promise<boolean>(resolve => { dest.once('close', () => resolve(true)); });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const gaveUp = new Promise<boolean>(resolve => { timer = setTimeout(() => resolve(false), this.closeTimeoutMs); });
    dest.end();
    const done = await Promise.race([closed, gaveUp]);
    clearTimeout(timer);
    if (!done) {
      this.lostOnClose = true;
      dest.destroy();
    }
  }
}

function countLines(data: string | Buffer): number {
  let n = 0;
  // As a string or as bytes: the newline is one code unit or one byte either way.
  if (typeof data === 'string') for (let i = data.indexOf('\n'); i !== -1; i = data.indexOf('\n', i + 1)) n++;
  else for (let i = data.indexOf(10); i !== -1; i = data.indexOf(10, i + 1)) n++;
  return n;
}
