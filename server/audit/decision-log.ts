/**
 * The decision log: one JSON line per decision, in pino's line format (`level`, `time`, the
 * record's fields, `msg`). Requests only hand a record over; the lines are made and written
 * elsewhere, so logging never blocks the request path and costs it little:
 *
 * - to a file, stdout or stderr, a writer thread formats and writes them. The request thread
 *   writes the common record into shared memory in a compact form (`compact-record.ts`), and
 *   lays any other record's fields side by side (`recordFields`). When the input came from the
 *   request's JSON text it passes that text rather than serialising the input (the writer thread
 *   copies it when it is already in written form, and parses it again with the same parser
 *   otherwise); an input without request text (proxy endpoints, AuthZEN) is serialised here with
 *   its masks applied (`InputMasker`), once, and copied there. Serialising on the request thread
 *   cost about 10% of the decision API's throughput. With a flush interval, each record goes
 *   into a ring of shared memory the writer thread reads every interval, and more often under
 *   load (`record-ring.ts`, `read-pace.ts`); a record the ring cannot take (full, or a lone
 *   surrogate UTF-8 cannot carry) goes in a message, and so do the records after it until the
 *   writer thread has taken them all, which keeps the lines in order. With no interval, records
 *   go in messages only;
 * - to a stream (tests, embedding), the lines are made on the request thread after the current
 *   I/O phase (see `LineWriter`).
 *
 * At most `buffer` records wait to be made into lines; past that a record is dropped and counted
 * (exposed as a metric) rather than queued without bound. Should the writer thread fail, the log
 * reports it, counts what it had in hand as dropped, and goes on writing from the request thread.
 */
import { closeSync, openSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { Writable } from 'node:stream';
import { checkMasks, InputMasker, LineFormatter, lineParts, QuoteCache, type DecisionRecord, type LineParts } from './line-format.js';
import { LineWriter, MAX_UNWRITTEN } from './line-writer.js';
import { decodeRing, writeCompact } from './compact-record.js';
import { FIELDS, joinRecords, RecordDecoder, recordFields, recordText, recordTexts, type RecordTexts } from './record-codec.js';
import { allocateRing, RingReader, RingWriter, type RingMemory } from './record-ring.js';
import { allocateProgress, Progress } from './writer-progress.js';
import type { WriterCommand, WriterReport, WriterThreadData } from './log-worker.js';

export type { DecisionRecord } from './line-format.js';

export interface DecisionLogOptions {
  /** `stdout`, `stderr`, a file path, or a stream (tests). */
  destination: string | Writable;
  /** JSON pointers into the record to erase, e.g. `/input/password`, `/input/request/headers/authorization`. */
  mask: string[];
  /** Records held before dropping. */
  buffer: number;
  /** Longest a record waits before it is written (ms); 0 writes after the current I/O phase. Default `DEFAULT_FLUSH_MS`. */
  flushMs?: number;
  /** Told of every failed write (disk full, I/O error); the lines stay queued and are retried with the next write. */
  onWriteError?: (err: Error) => void;
  /** Longest `close` waits for a file that will not take its last lines (ms). Default 5000. */
  closeTimeoutMs?: number;
  /** Characters a file may hold back unwritten before new lines are dropped. Default 16 Mi. */
  maxUnwritten?: number;
  /**
   * Characters of encoded records (inputs included) on their way to the writer thread before
   * further records are dropped: `buffer` alone would let large request bodies pile up.
   * Default 64 Mi. A record arriving when nothing is on its way is always taken.
   */
  maxPendingChars?: number;
  /**
   * Where a file's lines are made: `thread` (default), a writer thread; `inline`, the request
   * thread. Streams are always written inline.
   */
  writer?: 'thread' | 'inline';
}

/** The decision log's file cannot be opened: start-up fails with this rather than later. */
export class DecisionLogOpenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DecisionLogOpenError';
  }
}

/**
 * Records sent as messages are joined into pieces of at most `PIECE_RECORDS` records or about
 * `PIECE_CHARS` characters as they come, and the pieces go to the writer thread together, as one
 * message, `flushMs` after the first record of the message (or as soon as they hold
 * `MESSAGE_CHARS`). The writer thread writes each message's lines, and each read of the ring's,
 * as soon as it has made them, so `flushMs` is the log's flush interval.
 *
 * How often to send (and to read the ring) is measured, not derived, and the machine decides.
 * On a busy AMD VM a message every 10 ms or 24 Ki characters cost the writer thread 12-38% more
 * CPU than one every 20-50 ms (posting to the idle thread also cost the request thread 60-290 µs
 * of CPU, waking it). On a quiet one serving 50-60 k decisions/s, the opposite held for
 * throughput, which is what the log must not take: cached `/v1/decide` with the log served 88%
 * of the bare route with a message every 2 ms, 85-89% every 5 ms, 81% every 10 ms and 80-83%
 * every 20-50 ms, the same in four interleaved runs, while the threads' CPU a line barely moved.
 * Pieces keep what the request thread makes small: one string of a whole message's records
 * (120 Ki characters for `/v1/decide`, 210 Ki for forward-auth) is a large object in fresh
 * memory, and cost the request thread about 1 µs a request more than pieces of 24 Ki
 * (interleaved A/B, Intel Xeon, 2 cores). See bench/FINDINGS.md.
 */
const PIECE_RECORDS = 512;
const PIECE_CHARS = 24 * 1024;
const MESSAGE_CHARS = 1024 * 1024;

const MAX_PENDING_CHARS = 64 * 1024 * 1024;

/**
 * Bytes of the ring records take to the writer thread (at most `maxPendingChars`). Small on
 * purpose: writing a record into memory last touched 8 MiB of records ago cost the request
 * thread about three times what writing into a 512 KiB ring did (1.6% against 0.5% of its time
 * in profiles of cached `/v1/decide`, four and three runs). At 50 k decisions/s of 300-byte
 * inputs a flush interval of 20 ms would fill about 300 KiB: under load the writer thread reads
 * every 8 ms (`ReadPace`), a burst wakes it (`WAKE_BYTES`), and a record that finds the ring
 * full goes as a message.
 */
const RING_BYTES = 512 * 1024;

/**
 * Bytes of records in the ring that wake the writer thread before its next read is due: a
 * quarter of the ring, for bursts. Under steady load the writer thread reads often enough on its
 * own timer (`ReadPace`), so the request thread does not wake it: waking it at 32 KiB (every
 * 5-8 ms at the benchmark's rates) took about 2% of the request thread's time in profiles of
 * cached `/v1/decide`. See bench/FINDINGS.md.
 */
const WAKE_BYTES = 128 * 1024;

/**
 * The flush interval unless configured (ms): how long a line waits at most under light load
 * (under load the writer thread reads more often, see `ReadPace`). Every read of the ring wakes
 * the writer thread, and on the 2-core AMD VMs these benchmarks run on a wake costs about 180 µs
 * of CPU (a thread that only sleeps 5 ms at a time takes 35-40 ms of CPU a second, by the
 * scheduler's own count): with the log alone at 2 k records/s the writer thread took about
 * 12 µs a record reading every 20 ms and 28 reading every 5 ms. See bench/FINDINGS.md.
 */
export const DEFAULT_FLUSH_MS = 20;

/** How long `close` waits for the writer thread beyond the destination's own close timeout (ms). */
const THREAD_CLOSE_MARGIN_MS = 2_000;

export class DecisionLog {
  private readonly max: number;
  private readonly maxPendingChars: number;
  private readonly opts: DecisionLogOptions;
  /** The writer's settings with their defaults, for either kind of writer. */
  private readonly writerSettings: { mask: string[]; flushMs: number; closeTimeoutMs: number; maxUnwritten: number };
  private readonly fd: number | undefined;
  private readonly quotes = new QuoteCache();
  /** Serialises inputs that came without request text, masked, for the writer thread to copy. */
  private readonly masker: InputMasker;
  /** Writing on the request thread (streams, `writer: 'inline'`, or after the writer thread failed). */
  private inline: LineWriter | undefined;
  private thread: Worker | undefined;
  /** Fields of the records of the piece being laid out (see `PIECE_RECORDS`). */
  private batch: (string | number)[] = [];
  /** Characters the piece's records will take in their message (about). */
  private batchChars = 0;
  /** Pieces waiting to go to the writer thread as one message, their records and characters. */
  private pieces: string[] = [];
  private piecesRecords = 0;
  private piecesChars = 0;
  /** The ring records go through to the writer thread (see `record-ring.ts`), while it has room. */
  private ringMemory: RingMemory | undefined;
  private ring: RingWriter | undefined;
  /** Records go as messages until those sent are taken (the ring was full, or a record could not go through it). */
  private viaMessages = false;
  private messagesSent = 0;
  /** The writer thread's counters (see `Progress`). */
  private readonly progress = new Float64Array(allocateProgress());
  /**
   * The last record's time and its decimal text, which the records of one millisecond share:
   * turning a time into text costs about 150 ns, a quarter of laying out the rest of a record.
   */
  private lastTime = -1;
  private lastTimeText = '';
  /** One record's input and result texts, reused. */
  private readonly texts: RecordTexts = { kind: '', input: '', result: '' };
  /** One record's fields, reused. */
  private readonly fields: (string | number)[] = new Array<string | number>(FIELDS).fill('');
  private sendTimer: ReturnType<typeof setTimeout> | undefined;
  /** Records handed to the writer thread (through the ring or in messages). */
  private sent = 0;
  /** Characters of messages sent to the writer thread. */
  private charsSent = 0;
  private threadLost = false;
  /** Failed writes, as the writer thread last reported them (with their errors, in one message). */
  private threadWriteErrors = 0;
  private closing: Promise<void> | undefined;
  /** Records this side dropped (buffer full, or in the hands of a writer thread that failed). */
  private droppedHere = 0;
  /** Lines written before the writer in use now took over. */
  private writtenBefore = 0;

  constructor(opts: DecisionLogOptions) {
    checkMasks(opts.mask);
    this.masker = new InputMasker(opts.mask);
    this.opts = opts;
    this.max = opts.buffer;
    this.maxPendingChars = opts.maxPendingChars ?? MAX_PENDING_CHARS;
    this.writerSettings = { mask: opts.mask, flushMs: opts.flushMs ?? DEFAULT_FLUSH_MS, closeTimeoutMs: opts.closeTimeoutMs ?? 5_000, maxUnwritten: opts.maxUnwritten ?? MAX_UNWRITTEN };
    if (typeof opts.destination !== 'string') {
      this.fd = undefined;
      this.inline = this.inlineWriter(opts.destination);
      return;
    }
    const std = opts.destination === 'stdout' ? 1 : opts.destination === 'stderr' ? 2 : undefined;
    // Opened here, synchronously: a path that cannot be written fails start-up with a clear
    // error instead of an unhandled error event once the server is already answering.
    this.fd = std ?? openForAppend(opts.destination);
    if (opts.writer === 'inline') this.inline = this.inlineWriter(this.fd);
    // The writer thread opens the file again for itself; this descriptor stays for a fallback.
    else this.thread = this.startThread(std ?? opts.destination);
  }

  /** Records dropped: buffer full, refused by a destination past its unwritten limit, or lost with a failed writer thread. */
  get dropped(): number { return this.droppedHere + this.progress[Progress.Dropped]! + (this.inline?.dropped ?? 0); }
  /** Records made into lines. */
  get written(): number { return this.writtenBefore + (this.inline ? this.inline.written : this.progress[Progress.Written]!); }
  /** Writes the destination failed (each is retried with the next). */
  get writeErrors(): number { return this.threadWriteErrors + (this.inline?.writeErrors ?? 0); }
  /** Whether `close` gave up on a destination that would not take the last lines. */
  get lostOnClose(): boolean { return this.threadLost || (this.inline?.lostOnClose ?? false); }

  /** Queues a record; returns false when it was dropped because the buffer is full. */
  record(r: DecisionRecord): boolean {
    const inline = this.inline;
    if (inline) {
      if (inline.queued >= this.max) { this.droppedHere++; return false; }
      inline.push(lineParts(r, Date.now(), this.quotes));
      return true;
    }
    const progress = this.progress;
    if (this.sent - progress[Progress.Written]! + this.piecesRecords + this.batch.length / FIELDS >= this.max || this.closing) { this.droppedHere++; return false; }
    const now = Date.now();
    const ring = this.ring;
    const viaRing = ring !== undefined && (!this.viaMessages || this.messagesTaken());
    const texts = recordTexts(r, this.masker, this.texts);
    if (viaRing && writeCompact(ring, r, now, texts)) { this.viaMessages = false; this.sent++; return true; }
    // Laid out now, so the record and its input die young.
    const fields = this.fields;
    if (now !== this.lastTime) { this.lastTime = now; this.lastTimeText = String(now); }
    const size = recordFields(r, this.lastTimeText, fields, texts);
    if (viaRing) {
      this.viaMessages = false;
      const text = recordText(fields);
      if (text.isWellFormed() && ring.write(text)) { this.sent++; return true; }
      // After this, records go as messages until the writer thread has taken them all, so
      // that it writes them in order: it empties the ring before each message.
      this.viaMessages = true;
    }
    const pending = this.charsSent + this.piecesChars + this.batchChars - progress[Progress.Chars]! + (ring !== undefined ? ring.used() : 0);
    if (pending > 0 && pending + size > this.maxPendingChars) { this.droppedHere++; return false; }
    this.batchChars += size;
    const batch = this.batch;
    for (let i = 0; i < FIELDS; i++) batch.push(fields[i]!);
    if (batch.length >= PIECE_RECORDS * FIELDS || this.batchChars >= PIECE_CHARS) {
      this.cutPiece();
      if (this.piecesChars >= MESSAGE_CHARS) { this.send(); return true; }
    }
    this.sendTimer ??= setTimeout(() => this.send(), this.writerSettings.flushMs);
    return true;
  }

  /** Whether every record sent as a message has been taken by the writer thread (none waits to be sent). */
  private messagesTaken(): boolean {
    return this.batch.length === 0 && this.pieces.length === 0 && this.progress[Progress.MessagesTaken] === this.messagesSent;
  }

  /** Joins the piece being laid out; the next record starts a new one. */
  private cutPiece(): void {
    const batch = this.takeBatch();
    if (batch.length === 0) return;
    const piece = joinRecords(batch);
    this.pieces.push(piece);
    this.piecesChars += piece.length;
    this.piecesRecords += batch.length / FIELDS;
  }

  /** Sends the waiting records to the writer thread as one message. */
  private send(): void {
    if (this.sendTimer) { clearTimeout(this.sendTimer); this.sendTimer = undefined; }
    const { pieces, records, chars } = this.takePieces();
    if (pieces.length === 0 || !this.thread) return;
    this.thread.postMessage(pieces satisfies WriterCommand);
    this.messagesSent++;
    this.charsSent += chars;
    this.sent += records;
  }

  /** The waiting records as pieces, leaving none: the next record starts a new message. */
  private takePieces(): { pieces: string[]; records: number; chars: number } {
    this.cutPiece();
    const taken = { pieces: this.pieces, records: this.piecesRecords, chars: this.piecesChars };
    this.pieces = [];
    this.piecesRecords = 0;
    this.piecesChars = 0;
    return taken;
  }

  /** The piece's records' fields, leaving none: the next record starts a new piece. */
  private takeBatch(): (string | number)[] {
    const batch = this.batch;
    this.batch = [];
    this.batchChars = 0;
    return batch;
  }

  private inlineWriter(destination: number | Writable): LineWriter {
    return new LineWriter({
      ...this.writerSettings, destination, formatter: new LineFormatter(this.opts.mask),
      onWriteError: err => this.opts.onWriteError?.(err),
    });
  }

  private startThread(destination: string | 1 | 2): Worker {
    const { mask, closeTimeoutMs, maxUnwritten, flushMs } = this.writerSettings;
    // With a flush interval the writer thread reads the ring on its own timer; with none, every
    // batch is sent as a message as soon as the current I/O phase ends.
    if (flushMs > 0) {
      this.ringMemory = allocateRing(Math.min(RING_BYTES, this.maxPendingChars));
      this.ring = new RingWriter(this.ringMemory, WAKE_BYTES);
    }
    const data: WriterThreadData = { mask, closeTimeoutMs, maxUnwritten, destination, progress: this.progress.buffer as SharedArrayBuffer, flushMs, wakeAt: this.ring?.wakeAt ?? 0, ...(this.ringMemory ? { ring: this.ringMemory } : {}) };
    const thread = new Worker(new URL('./log-worker.js', import.meta.url), { workerData: data });
    thread.on('message', (m: WriterReport) => this.onReport(m));
    thread.on('error', err => this.threadFailed(err));
    thread.on('exit', code => { if (this.thread === thread && !this.closing) this.threadFailed(new Error(`the writer thread exited with code ${code}`)); });
    // The server's lifetime is not the log's business: `close` ends the thread (and waits for
    // it). Unref'd after the listeners: a `message` listener refs the thread again.
    thread.unref();
    return thread;
  }

  private onReport(m: WriterReport): void {
    this.threadWriteErrors = m.writeErrors;
    if (m.type === 'closed') { this.threadLost = m.lostOnClose; return; }
    for (const e of m.errors) {
      const err = new Error(e.message) as NodeJS.ErrnoException;
      if (e.code !== undefined) err.code = e.code;
      this.opts.onWriteError?.(err);
    }
  }

  /**
   * The writer thread failed: the records it had taken and not written are counted as dropped,
   * the failure is reported, and the lines are made on the request thread from now on (same
   * descriptor), starting with the records it had not taken yet.
   */
  private threadFailed(err: Error): void {
    if (!this.thread || this.fd === undefined) return;
    const thread = this.thread;
    this.thread = undefined;
    void thread.terminate();
    // The thread no longer runs: what the ring holds is read here. The ring takes no more.
    const decoder = new RecordDecoder(this.quotes);
    const untaken: LineParts[] = [];
    if (this.ringMemory) new RingReader(this.ringMemory).read((bytes, from, to) => decodeRing(bytes, from, to, decoder, untaken));
    this.ring = undefined;
    const flushed = this.progress[Progress.Flushed]!;
    this.droppedHere += this.sent - flushed - untaken.length;
    this.writtenBefore = flushed;
    this.opts.onWriteError?.(new Error(`decision log writer thread failed (${err.message}); writing from the request thread`));
    const inline = this.inline = this.inlineWriter(this.fd);
    for (const parts of untaken) inline.push(parts);
    // Records not yet sent are written from here.
    for (const piece of this.takePieces().pieces) for (const parts of decoder.decode(piece)) inline.push(parts);
  }

  /**
   * Writes what is buffered and ends the destination (a file is closed). One whose writes keep
   * failing is given `closeTimeoutMs` and then closed with its unwritten lines lost (noted in
   * `lostOnClose`): shutdown must not wait on a full disk or a stalled pipe forever.
   */
  close(): Promise<void> {
    this.closing ??= this.closeNow();
    return this.closing;
  }

  private async closeNow(): Promise<void> {
    const thread = this.thread;
    if (!thread) { await this.inline?.close(); return; }
    // The descriptor kept for a fallback (stdout and stderr stay open).
    if (this.fd !== undefined && this.fd > 2) closeSync(this.fd);
    this.send();
    const closed = new Promise<boolean>(resolve => {
      thread.on('message', (m: WriterReport) => { if (m.type === 'closed') resolve(true); });
      thread.once('exit', () => resolve(false));
    });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const gaveUp = new Promise<boolean>(resolve => { timer = setTimeout(() => resolve(false), this.writerSettings.closeTimeoutMs + THREAD_CLOSE_MARGIN_MS); });
    thread.postMessage({ type: 'close' } satisfies WriterCommand);
    const done = await Promise.race([closed, gaveUp]);
    clearTimeout(timer);
    this.thread = undefined;
    if (!done) this.threadLost = true;
    await thread.terminate();
  }
}

function openForAppend(path: string): number {
  try {
    return openSync(path, 'a');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new DecisionLogOpenError(`cannot open \`${path}\` for appending (${err.message.split(',')[0]})`);
  }
}
