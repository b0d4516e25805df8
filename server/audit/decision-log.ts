/**
 * The decision log: one pino JSON line per decision. Requests only push a record into a bounded
 * in-memory buffer; the buffer is drained after the current I/O phase into pino's asynchronous
 * destination, so logging never blocks or slows the request path. When the buffer is full the
 * record is dropped and counted (exposed as a metric) rather than queued without bound.
 */
import pino, { type Logger } from 'pino';
import type { Writable } from 'node:stream';
import { toJSON, type Value } from '../../engine/index.js';

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
}

export class DecisionLog {
  private readonly logger: Logger;
  private readonly dest: ReturnType<typeof pino.destination> | undefined;
  private readonly ownsFile: boolean = false;
  private readonly masks: string[][];
  private readonly max: number;
  private queue: DecisionRecord[] = [];
  private scheduled = false;
  dropped = 0;
  written = 0;

  constructor(opts: DecisionLogOptions) {
    if (typeof opts.destination === 'string') {
      const fd = opts.destination === 'stdout' ? 1 : opts.destination === 'stderr' ? 2 : opts.destination;
      // No minimum length: lines must not sit in a buffer on a quiet server; batching comes from
      // draining many records per tick, and sonic-boom coalesces writes while one is in flight.
      this.dest = pino.destination({ dest: fd, sync: false, minLength: 0 });
      this.ownsFile = typeof fd === 'string';
      this.logger = pino({ base: null, messageKey: 'msg', timestamp: pino.stdTimeFunctions.isoTime }, this.dest);
    } else {
      this.logger = pino({ base: null, timestamp: pino.stdTimeFunctions.isoTime }, opts.destination);
    }
    this.masks = opts.mask.map(parsePointer);
    this.max = opts.buffer;
  }

  /** Queues a record; returns false when it was dropped because the buffer is full. */
  record(r: DecisionRecord): boolean {
    if (this.queue.length >= this.max) { this.dropped++; return false; }
    this.queue.push(r);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.drain());
    }
    return true;
  }

  private drain(): void {
    this.scheduled = false;
    const batch = this.queue;
    this.queue = [];
    for (const r of batch) {
      const line: Record<string, unknown> = {
        decision_id: r.decision_id, api: r.api, path: r.path,
        input: r.input === undefined ? undefined : toJSON(r.input),
        result: r.result === undefined ? undefined : toJSON(r.result),
        revision: r.revision, latency_ns: r.latency_ns, cached: r.cached,
      };
      if (r.error !== undefined) line.error = r.error;
      const erased = this.applyMasks(line);
      if (erased.length) line.erased = erased;
      this.logger.info(line, 'decision');
      this.written++;
    }
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
