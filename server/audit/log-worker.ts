/**
 * The decision log's writer thread: receives encoded records from the request thread, formats
 * them as lines and writes them to the log's file descriptor. Reports what it wrote, dropped and
 * failed to write (throttled to one message per `REPORT_MS`), and closes the file on request.
 */
import { openSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { LineFormatter, QuoteCache } from './line-format.js';
import { LineWriter } from './line-writer.js';
import { decodeRecords } from './record-codec.js';

/** What the request thread passes at start. */
export interface WriterThreadData {
  /** A file to append to (opened here: a thread closes only descriptors it opened), or stdout/stderr's descriptor. */
  destination: string | 1 | 2;
  mask: string[]; closeTimeoutMs: number; maxUnwritten: number;
}

/** Messages from the writer thread. */
export type WriterReport =
  | { type: 'progress'; written: number; flushed: number; chars: number; dropped: number; writeErrors: number; errors: { code?: string; message: string }[] }
  | { type: 'closed'; lostOnClose: boolean; written: number; dropped: number; writeErrors: number };

/** Messages to the writer thread: a list of pieces, each a run of encoded records (see `DecisionLog`). */
export type WriterCommand = string[] | { type: 'close' };

/**
 * Longest a failed write waits before it is reported (ms). A message's lines are reported as
 * soon as they are written, in the same turn: a timer of its own woke this thread once more
 * for every message, about as much again as the messages themselves.
 */
const REPORT_MS = 10;

/** Errors described per report at most (the rest are only counted). */
const MAX_REPORTED_ERRORS = 10;

function run(): void {
  const port = parentPort;
  if (!port) throw new Error('log-worker runs as a worker thread');
  const data = workerData as WriterThreadData;
  const formatter = new LineFormatter(data.mask);
  const quotes = new QuoteCache();
  let errors: { code?: string; message: string }[] = [];
  /** Characters of messages taken so far (the request thread bounds what is on its way). */
  let chars = 0;
  let reportTimer: ReturnType<typeof setTimeout> | undefined;
  let reportQueued = false;
  const report = (): void => {
    if (reportTimer) clearTimeout(reportTimer);
    reportTimer = undefined;
    reportQueued = false;
    const msg: WriterReport = { type: 'progress', written: writer.written, flushed: writer.flushed, chars, dropped: writer.dropped, writeErrors: writer.writeErrors, errors };
    errors = [];
    port.postMessage(msg);
  };
  const changed = (): void => { reportTimer ??= setTimeout(report, REPORT_MS); };
  const writer = new LineWriter({
    destination: typeof data.destination === 'string' ? openSync(data.destination, 'a') : data.destination, formatter,
    // Each message is already a batch held back up to the flush interval (see `DecisionLog`):
    // its lines are written as soon as they are made, with blocking writes (this thread has
    // nothing else to do).
    flushMs: 0, blocking: true, closeTimeoutMs: data.closeTimeoutMs, maxUnwritten: data.maxUnwritten,
    onWriteError: err => {
      if (errors.length < MAX_REPORTED_ERRORS) errors.push({ ...(err.code !== undefined ? { code: err.code } : {}), message: err.message });
      changed();
    },
  });
  port.on('message', (cmd: WriterCommand) => {
    if (Array.isArray(cmd)) {
      for (const piece of cmd) {
        const records = decodeRecords(piece, quotes);
        chars += piece.length;
        for (let i = 0; i < records.length; i++) writer.push(records[i]!);
      }
      // After the lines are made and written (the writer's own turn was queued first).
      if (!reportQueued) { reportQueued = true; setImmediate(report); }
      return;
    }
    if (cmd.type === 'close') {
      void writer.close().then(() => {
        if (reportTimer) clearTimeout(reportTimer);
        if (errors.length) report();
        const msg: WriterReport = { type: 'closed', lostOnClose: writer.lostOnClose, written: writer.written, dropped: writer.dropped, writeErrors: writer.writeErrors };
        port.postMessage(msg);
        port.close();
      });
    }
  });
}

run();
