/**
 * The decision log's writer thread: takes encoded records from the request thread (from the
 * shared ring at the pace `ReadPace` sets, and as messages when the ring cannot take them),
 * formats them as lines and writes them to the log's file descriptor. Progress goes into shared
 * counters (`Progress`); failed writes are reported as messages, throttled to one per
 * `REPORT_MS`. Closes the file on request, after taking what the ring still holds.
 */
import { openSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { LineFormatter, QuoteCache } from './line-format.js';
import { LineWriter } from './line-writer.js';
import { RecordDecoder } from './record-codec.js';
import { ReadPace } from './read-pace.js';
import { RecordLines } from './record-lines.js';
import { RingReader, type RingMemory } from './record-ring.js';
import { Progress } from './writer-progress.js';

/** What the request thread passes at start. */
export interface WriterThreadData {
  /** A file to append to (opened here: a thread closes only descriptors it opened), or stdout/stderr's descriptor. */
  destination: string | 1 | 2;
  mask: string[]; closeTimeoutMs: number; maxUnwritten: number;
  /** The counters this thread keeps (see `Progress`). */
  progress: SharedArrayBuffer;
  /** The ring records come through, read every `flushMs`; without it, records come only as messages. */
  ring?: RingMemory;
  flushMs: number;
  /** Bytes the ring holds that end a wait before `flushMs` (see `RingWriter`). */
  wakeAt: number;
}

/** Messages from the writer thread. */
export type WriterReport =
  | { type: 'errors'; writeErrors: number; errors: { code?: string; message: string }[] }
  | { type: 'closed'; writeErrors: number; lostOnClose: boolean };

/** Messages to the writer thread: a list of pieces, each a run of encoded records (see `DecisionLog`). */
export type WriterCommand = string[] | { type: 'close' };

/** Longest a failed write waits before it is reported (ms). */
const REPORT_MS = 10;

/** Errors described per report at most (the rest are only counted). */
const MAX_REPORTED_ERRORS = 10;

function run(): void {
  const port = parentPort;
  if (!port) throw new Error('log-worker runs as a worker thread');
  const data = workerData as WriterThreadData;
  const formatter = new LineFormatter(data.mask);
  const decoder = new RecordDecoder(new QuoteCache());
  const progress = new Float64Array(data.progress);
  let errors: { code?: string; message: string }[] = [];
  let chars = 0;
  let messagesTaken = 0;
  let closing = false;
  let reportTimer: ReturnType<typeof setTimeout> | undefined;
  let publishQueued = false;
  const publish = (): void => {
    publishQueued = false;
    progress[Progress.Written] = writer.written;
    progress[Progress.Flushed] = writer.flushed;
    progress[Progress.Chars] = chars;
    progress[Progress.Dropped] = writer.dropped;
    progress[Progress.MessagesTaken] = messagesTaken;
  };
  // After the lines are made and written (the writer's own turn was queued first).
  const queuePublish = (): void => { if (!publishQueued) { publishQueued = true; setImmediate(publish); } };
  const reportErrors = (): void => {
    reportTimer = undefined;
    publish();
    const msg: WriterReport = { type: 'errors', writeErrors: writer.writeErrors, errors };
    errors = [];
    port.postMessage(msg);
  };
  const writer = new LineWriter({
    destination: typeof data.destination === 'string' ? openSync(data.destination, 'a') : data.destination, formatter,
    // Records come in batches already held back up to the flush interval (see `DecisionLog`):
    // their lines are written as soon as they are made, with blocking writes (this thread has
    // nothing else to do).
    flushMs: 0, blocking: true, closeTimeoutMs: data.closeTimeoutMs, maxUnwritten: data.maxUnwritten,
    onWriteError: err => {
      if (errors.length < MAX_REPORTED_ERRORS) errors.push({ ...(err.code !== undefined ? { code: err.code } : {}), message: err.message });
      reportTimer ??= setTimeout(reportErrors, REPORT_MS);
    },
  });
  const push = (text: string): void => {
    const records = decoder.decode(text);
    for (let i = 0; i < records.length; i++) writer.push(records[i]!);
    queuePublish();
  };

  const ring = data.ring ? new RingReader(data.ring) : undefined;
  const lines = new RecordLines(writer, formatter, decoder);
  const takeLines = (bytes: Buffer, from: number, to: number): void => lines.take(bytes, from, to);
  /** Takes what the ring holds; answers how many bytes that was. */
  const drainRing = (): number => {
    const taken = ring?.read(takeLines) ?? 0;
    if (taken > 0) queuePublish();
    return taken;
  };
  if (ring) {
    const pace = new ReadPace(data.flushMs);
    const readLoop = async (): Promise<void> => {
      for (;;) {
        await ring.wait(pace.next(), data.wakeAt);
        if (closing) return;
        ring.awake();
        pace.read(drainRing());
      }
    };
    void readLoop();
  }

  port.on('message', (cmd: WriterCommand) => {
    if (Array.isArray(cmd)) {
      // What the ring holds was written before this message was sent.
      drainRing();
      for (const piece of cmd) {
        push(piece);
        chars += piece.length;
      }
      messagesTaken++;
      return;
    }
    if (cmd.type === 'close') {
      closing = true;
      drainRing();
      void writer.close().then(() => {
        if (reportTimer) { clearTimeout(reportTimer); reportTimer = undefined; }
        if (errors.length) reportErrors();
        publish();
        const msg: WriterReport = { type: 'closed', writeErrors: writer.writeErrors, lostOnClose: writer.lostOnClose };
        port.postMessage(msg);
        port.close();
      });
    }
  });
}

run();
