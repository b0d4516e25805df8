/**
 * The decision log: one JSON line per decision, in pino's line format (`level`, `time`, the
 * record's fields, `msg`), written through pino's asynchronous destination. Requests only push a
 * record into a bounded in-memory buffer, drained every `flushMs` (or after the current I/O phase
 * when 0), so logging never blocks or slows the request path. When the buffer is full the record is dropped
 * and counted (exposed as a metric) rather than queued without bound.
 *
 * Lines are serialised here rather than by a pino logger: the record's shape is fixed, and pino's
 * generic per-field serialisation cost several microseconds per line, more than the decision.
 * Lines are joined into chunks of about `WRITE_CHUNK` characters, each one write: a write costs a
 * system call, and draining on a short timer rather than after every I/O phase keeps those to a
 * few per `flushMs` under any load (lines reach the file at most `flushMs` late).
 */
import pino from 'pino';
import { openSync } from 'node:fs';
import type { Writable } from 'node:stream';
import type { Value } from '../../engine/index.js';
import { compactJson } from '../../engine/json.js';
import { quoteJsonString } from '../../engine/value.js';

export interface DecisionRecord {
  decision_id: string;
  /** Which API made the decision: decide, data, authzen, forward_auth, ext_authz. */
  api: string;
  path: string;
  input: Value | undefined;
  result: Value | undefined;
  revision: string | undefined;
  latency_ns: number;
  cached: boolean;
  error?: string;
}

export interface DecisionLogOptions {
  /** `stdout`, `stderr`, a file path, or a stream (tests). */
  destination: string | Writable;
  /** JSON pointers into the record to erase, e.g. `/input/password`, `/input/request/headers/authorization`. */
  mask: string[];
  /** Records held before dropping. */
  buffer: number;
  /** Longest a record waits before it is written (ms); 0 drains after the current I/O phase. Default 20. */
  flushMs?: number;
  /** Told of every failed write (disk full, I/O error); the lines stay queued and are retried with the next write. */
  onWriteError?: (err: Error) => void;
  /** Longest `close` waits for a file that will not take its last lines (ms). Default 5000. */
  closeTimeoutMs?: number;
  /** Characters a file may hold back unwritten before new lines are dropped. Default 16 Mi. */
  maxUnwritten?: number;
}

/** The decision log's file cannot be opened: start-up fails with this rather than later. */
export class DecisionLogOpenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DecisionLogOpenError';
  }
}

/** pino's level number for `info`. */
const INFO = 30;

/**
 * Characters per write. Joining a whole flush's lines into one string cost about 1 µs a line
 * here: a string (or the buffer a write converts it to) past 128 KiB is a large object in fresh
 * memory, and the page faults on it dominate. Chunks below that are made in reused memory, and
 * pino's destination writes each as it comes (it merges only writes under 16 KiB).
 */
const WRITE_CHUNK = 64 * 1024;

/**
 * Characters written but not yet accepted by the destination before further chunks are dropped
 * (counted in `dropped`): a destination that keeps failing or stalls must not grow memory without bound.
 */
const MAX_UNWRITTEN = 16 * 1024 * 1024;

/** Repeated strings remembered quoted: paths come from requests, so their number is bounded. */
const MAX_QUOTES = 256;

/** A queued record and when it was made (ms since epoch). */
interface Queued { record: DecisionRecord; time: number }

export class DecisionLog {
  private readonly sink: { write(text: string): unknown };
  private readonly dest: ReturnType<typeof pino.destination> | undefined;
  /** The masks as trees, one per root: what to leave out while serialising (see `maskedJson`). */
  private inputMask: MaskNode | undefined;
  private resultMask: MaskNode | undefined;
  private readonly max: number;
  private readonly flushMs: number;
  private queue: Queued[] = [];
  /** Serialised chunks waiting for the next write. */
  private pending: string[] = [];
  /** Lines of the chunk being filled, and their length. */
  private chunk: string[] = [];
  private chunkLength = 0;
  private flushTimer: ReturnType<typeof setTimeout> | undefined;
  private scheduled = false;
  /** The ISO text of the last timestamp formatted: records of one millisecond share it. */
  private lastTime = -1;
  private lastTimeText = '';
  /** The masks `line` applied, reused line to line (lines are made one at a time). */
  private readonly erased: Erased[] = [];
  /** Quoted forms of repeated strings (see `quoted`). */
  private readonly quotes = new Map<string, string>();
  dropped = 0;
  written = 0;
  /** Writes the destination failed (each is retried with the next). */
  writeErrors = 0;
  /** Whether `close` gave up on a destination that would not take the last lines. */
  lostOnClose = false;
  private brokenPipe = false;
  private readonly closeTimeoutMs: number;

  constructor(opts: DecisionLogOptions) {
    if (typeof opts.destination === 'string') {
      const std = opts.destination === 'stdout' ? 1 : opts.destination === 'stderr' ? 2 : undefined;
      // Opened here, synchronously: a path that cannot be written fails start-up with a clear
      // error instead of an unhandled error event once the server is already answering.
      const fd = std ?? openForAppend(opts.destination);
      const dest = pino.destination({ dest: fd, sync: false, minLength: 0, maxLength: opts.maxUnwritten ?? MAX_UNWRITTEN });
      dest.on('error', (err: NodeJS.ErrnoException) => {
        this.writeErrors++;
        // pino's destination stops writing for good on a broken pipe (its reader is gone).
        if (err.code === 'EPIPE') this.brokenPipe = true;
        opts.onWriteError?.(err);
      });
      dest.on('drop', (text: string) => { this.dropped += countLines(text); });
      this.dest = dest;
      this.sink = dest;
    } else {
      this.sink = opts.destination;
    }
    opts.mask.forEach((pointer, order) => {
      const [root, ...rest] = parsePointer(pointer);
      if (root !== 'input' && root !== 'result') throw new Error(`decision log mask \`${pointer}\` must point under /input or /result`);
      const text = '/' + [root, ...rest].map(escapePointer).join('/');
      let node = root === 'input' ? (this.inputMask ??= newMaskNode()) : (this.resultMask ??= newMaskNode());
      for (const key of rest) {
        let child = node.children.get(key);
        if (!child) node.children.set(key, child = newMaskNode());
        node = child;
      }
      node.erase ??= { text, order };
    });
    this.max = opts.buffer;
    this.flushMs = opts.flushMs ?? 20;
    this.closeTimeoutMs = opts.closeTimeoutMs ?? 5_000;
  }

  /** Queues a record; returns false when it was dropped because the buffer is full. */
  record(r: DecisionRecord): boolean {
    if (this.queue.length >= this.max) { this.dropped++; return false; }
    this.queue.push({ record: r, time: Date.now() });
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.serialize());
    }
    return true;
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
      const line = this.line(batch[i]!);
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
    this.cutChunk();
    const pending = this.pending;
    if (pending.length === 0) return;
    this.pending = [];
    for (let i = 0; i < pending.length; i++) this.sink.write(pending[i]!);
  }

  /** One record as a JSON line. */
  private line({ record: r, time }: Queued): string {
    const erased = this.erased;
    erased.length = 0;
    let out = `{"level":${INFO},"time":"${this.timeText(time)}","decision_id":${quoteJsonString(r.decision_id)}`
      + `,"api":${this.quoted(r.api)},"path":${this.quoted(r.path)}`;
    const input = fieldJson(r.input, this.inputMask, erased), result = fieldJson(r.result, this.resultMask, erased);
    if (input !== undefined) out += `,"input":${input}`;
    if (result !== undefined) out += `,"result":${result}`;
    if (r.revision !== undefined) out += `,"revision":${this.quoted(r.revision)}`;
    out += `,"latency_ns":${r.latency_ns},"cached":${r.cached}`;
    if (r.error !== undefined) out += `,"error":${quoteJsonString(r.error)}`;
    if (erased.length) out += `,"erased":[${erased.sort((x, y) => x.order - y.order).map(e => quoteJsonString(e.text)).join(',')}]`;
    return out + ',"msg":"decision"}\n';
  }

  /**
   * A quoted string from the few that repeat in every line (API names, policy paths, revisions):
   * quoted once each, as long as there are few of them.
   */
  private quoted(s: string): string {
    let q = this.quotes.get(s);
    if (q === undefined) {
      q = quoteJsonString(s);
      if (this.quotes.size >= MAX_QUOTES) this.quotes.clear();
      this.quotes.set(s, q);
    }
    return q;
  }

  /** ISO 8601 text of a timestamp (no characters that need escaping); one per millisecond. */
  private timeText(ms: number): string {
    if (ms !== this.lastTime) { this.lastTime = ms; this.lastTimeText = new Date(ms).toISOString(); }
    return this.lastTimeText;
  }

  /**
   * Writes what is buffered and ends the destination (a file is closed). One whose writes keep
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

function openForAppend(path: string): number {
  try {
    return openSync(path, 'a');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new DecisionLogOpenError(`cannot open \`${path}\` for appending (${err.message.split(',')[0]})`);
  }
}

function countLines(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

function parsePointer(p: string): string[] {
  return p.split('/').slice(1).map(s => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function escapePointer(s: string): string {
  return s.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** A mask in the order configured; `text` is its JSON pointer. */
interface Erased { text: string; order: number }

/** A level of the masks: fields below it to leave out (`erase`) or to look into (`children`). */
interface MaskNode { erase: Erased | undefined; children: Map<string, MaskNode> }

function newMaskNode(): MaskNode {
  return { erase: undefined, children: new Map() };
}

/** A record's field as JSON with its masked parts left out (noted in `erased`); undefined when absent or masked whole. */
function fieldJson(v: Value | undefined, mask: MaskNode | undefined, erased: Erased[]): string | undefined {
  if (v === undefined) return undefined;
  if (mask === undefined) return compactJson(v);
  if (mask.erase) { erased.push(mask.erase); return undefined; }
  return maskedJson(v, mask, erased);
}

/**
 * `compactJson` of `v` without the own properties the mask erases, written as it goes: the
 * input is never copied or changed. Masks reach only through plain objects (not arrays).
 */
function maskedJson(v: Value, mask: MaskNode, erased: Erased[]): string {
  if (typeof v !== 'object' || v === null || !isPlainRecord(v)) return compactJson(v);
  const o = v as Record<string, Value>;
  let out = '{', first = true;
  for (const k of Object.keys(o)) {
    const child = mask.children.get(k);
    let text: string;
    if (child === undefined) text = compactJson(o[k]!);
    else if (child.erase) { erased.push(child.erase); continue; }
    else text = maskedJson(o[k]!, child, erased);
    out += (first ? '' : ',') + quoteJsonString(k) + ':' + text;
    first = false;
  }
  return out + '}';
}

/** Objects whose own string keys are their entries (not arrays, sets or non-string-keyed objects). */
function isPlainRecord(v: object): boolean {
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}
