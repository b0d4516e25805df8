/**
 * The decision log: one JSON line per decision, in pino's line format (`level`, `time`, the
 * record's fields, `msg`), written through pino's asynchronous destination. Requests only push a
 * record into a bounded in-memory buffer, drained every `flushMs` (or after the current I/O phase
 * when 0), so logging never blocks or slows the request path. When the buffer is full the record is dropped
 * and counted (exposed as a metric) rather than queued without bound.
 *
 * Lines are serialised here rather than by a pino logger: the record's shape is fixed, and pino's
 * generic per-field serialisation cost several microseconds per line, more than the decision.
 * A drained batch goes to the destination as one write: a write costs a system call, and
 * draining on a short timer rather than after every I/O phase keeps those to a few per
 * `flushMs` under any load (lines reach the file at most `flushMs` late).
 */
import pino from 'pino';
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
}

/** pino's level number for `info`. */
const INFO = 30;

/** A queued record and when it was made (ms since epoch). */
interface Queued { record: DecisionRecord; time: number }

export class DecisionLog {
  private readonly sink: { write(text: string): unknown };
  private readonly dest: ReturnType<typeof pino.destination> | undefined;
  private readonly ownsFile: boolean = false;
  private readonly masks: string[][];
  private readonly max: number;
  private readonly flushMs: number;
  private queue: Queued[] = [];
  private scheduled = false;
  /** The ISO text of the last timestamp formatted: records of one millisecond share it. */
  private lastTime = -1;
  private lastTimeText = '';
  dropped = 0;
  written = 0;

  constructor(opts: DecisionLogOptions) {
    if (typeof opts.destination === 'string') {
      const fd = opts.destination === 'stdout' ? 1 : opts.destination === 'stderr' ? 2 : opts.destination;
      this.dest = pino.destination({ dest: fd, sync: false, minLength: 0 });
      this.ownsFile = typeof fd === 'string';
      this.sink = this.dest;
    } else {
      this.sink = opts.destination;
    }
    this.masks = opts.mask.map(parsePointer);
    this.max = opts.buffer;
    this.flushMs = opts.flushMs ?? 20;
  }

  /** Queues a record; returns false when it was dropped because the buffer is full. */
  record(r: DecisionRecord): boolean {
    if (this.queue.length >= this.max) { this.dropped++; return false; }
    this.queue.push({ record: r, time: Date.now() });
    if (!this.scheduled) {
      this.scheduled = true;
      if (this.flushMs > 0) setTimeout(() => this.drain(), this.flushMs);
      else setImmediate(() => this.drain());
    }
    return true;
  }

  private drain(): void {
    this.scheduled = false;
    const batch = this.queue;
    this.queue = [];
    let text = '';
    for (const q of batch) text += this.line(q);
    if (text) this.sink.write(text);
    this.written += batch.length;
  }

  /** One record as a JSON line. */
  private line({ record: r, time }: Queued): string {
    let input = r.input, result = r.result;
    let erased: string[] | undefined;
    if (this.masks.length) {
      const masked: Record<string, unknown> = { input, result };
      erased = this.applyMasks(masked);
      input = masked.input as Value | undefined;
      result = masked.result as Value | undefined;
    }
    let out = `{"level":${INFO},"time":${quoteJsonString(this.timeText(time))},"decision_id":${quoteJsonString(r.decision_id)}`
      + `,"api":${quoteJsonString(r.api)},"path":${quoteJsonString(r.path)}`;
    if (input !== undefined) out += `,"input":${compactJson(input)}`;
    if (result !== undefined) out += `,"result":${compactJson(result)}`;
    if (r.revision !== undefined) out += `,"revision":${quoteJsonString(r.revision)}`;
    out += `,"latency_ns":${r.latency_ns},"cached":${r.cached}`;
    if (r.error !== undefined) out += `,"error":${quoteJsonString(r.error)}`;
    if (erased && erased.length) out += `,"erased":[${erased.map(quoteJsonString).join(',')}]`;
    return out + ',"msg":"decision"}\n';
  }

  private timeText(ms: number): string {
    if (ms !== this.lastTime) { this.lastTime = ms; this.lastTimeText = new Date(ms).toISOString(); }
    return this.lastTimeText;
  }

  /** Removes masked fields (copying only the objects on the way to each), returns what was erased. */
  private applyMasks(line: Record<string, unknown>): string[] {
    const erased: string[] = [];
    for (const path of this.masks) if (eraseAt(line, path)) erased.push('/' + path.map(escapePointer).join('/'));
    return erased;
  }

  /** Writes what is buffered and flushes the destination. */
  async close(): Promise<void> {
    if (this.queue.length) this.drain();
    const dest = this.dest;
    if (!dest) return;
    await new Promise<void>(resolve => {
      dest.flush(() => resolve());
    });
    if (this.ownsFile) await new Promise<void>(resolve => { dest.once('close', () => resolve()); dest.end(); });
  }
}

function parsePointer(p: string): string[] {
  return p.split('/').slice(1).map(s => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function escapePointer(s: string): string {
  return s.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Whether `path` names an own property inside `root` (checked before copying anything). */
function hasPath(root: Record<string, unknown>, path: string[]): boolean {
  let cur: unknown = root;
  for (const key of path) {
    if (typeof cur !== 'object' || cur === null || Array.isArray(cur) || !Object.prototype.hasOwnProperty.call(cur, key)) return false;
    cur = (cur as Record<string, unknown>)[key];
  }
  return true;
}

/** Deletes `path` from `root`, copying every object along the way so shared input is never mutated. */
function eraseAt(root: Record<string, unknown>, path: string[]): boolean {
  if (path.length === 0 || !hasPath(root, path)) return false;
  let cur: Record<string, unknown> = root;
  for (let i = 0; i < path.length - 1; i++) {
    const key = path[i]!;
    const next = Object.prototype.hasOwnProperty.call(cur, key) ? cur[key] : undefined;
    if (typeof next !== 'object' || next === null || Array.isArray(next)) return false;
    const copy = Object.create(null) as Record<string, unknown>;
    for (const k of Object.keys(next)) copy[k] = (next as Record<string, unknown>)[k]; // null prototype: `__proto__` is a plain key
    Object.defineProperty(cur, key, { value: copy, enumerable: true, writable: true, configurable: true });
    cur = copy;
  }
  const last = path[path.length - 1]!;
  if (!Object.prototype.hasOwnProperty.call(cur, last)) return false;
  delete cur[last];
  return true;
}
