/**
 * Evaluation worker threads for slow decisions. Evaluation is synchronous: a decision that takes
 * 200 ms on the request thread holds every other request (cache hits, health checks) for 200 ms.
 * The decision service hands the entry points it has seen run long to this pool instead, so they
 * wait on other cores while the request thread goes on answering.
 *
 * Each thread compiles its own copy of the policy (compiled closures cannot cross threads). A
 * thread takes evaluations of a generation only once it has said it holds it compiled: until then
 * (a thread starting, a new generation compiling) the service evaluates on the request thread as
 * it always did, so no request waits on a thread's start-up or compile. Threads start when first
 * wanted and stay; one still busy `stallGraceMs` after a request's deadline is stopped, and its
 * requests fail (closed).
 */
import { Worker } from 'node:worker_threads';
import { runInSlices, type Value } from '../../engine/index.js';
import type { PlainObject } from '../../engine/value.js';
import { sameModules } from '../policy-store/store.js';
import type { DataWrite } from '../policy-store/data-writes.js';
import type { DataPartMessage, EvalMessage, EvalWorkerData, ExplainMessage, FailurePlace, FromWorker, LoadMessage } from './eval-worker.js';
import { DataParts, PART_NODES } from './data-parts.js';
import type { ExplainMode } from './explain.js';

/** What the pool needs of a generation. */
export interface PoolGeneration {
  readonly revision: string;
  readonly modules: Record<string, string>;
  readonly data: PlainObject;
  /** `data` as writes over an earlier generation's data: sent instead of `data` to a thread holding that one. */
  readonly dataDelta?: { readonly from: PlainObject; readonly writes: readonly DataWrite[] };
}

export type PoolAnswer =
  | { ok: true; result: Value | undefined; evalNs: number }
  | { ok: false; code: string; message: string; place?: FailurePlace };

export type PoolExplanation = { ok: true; lines: string[] } | { ok: false; code: string; message: string; place?: FailurePlace };

/** The code of an answer refused because `maxPending` evaluations are already waiting. */
export const POOL_BUSY = 'eval_workers_busy';

export interface EvalPoolOptions {
  /** The most threads started. */
  threads: number;
  /** The most evaluations waiting or running across the pool; more are refused (`POOL_BUSY`). */
  maxPending: number;
  /** How long past an evaluation's deadline a busy thread is given before it is stopped (ms). */
  stallGraceMs: number;
  geoDatabasePath?: string;
  /** Told when a thread is stopped, dies or cannot load a generation, with why. */
  onFailure?: (reason: string) => void;
  /** An object's own keys when already known (the data's digests hold them), spared listing when data is sent. */
  knownKeys?: (o: object) => readonly string[] | undefined;
}

interface Waiting { resolve: (a: PoolAnswer) => void; deadlineMs: number }

interface Thread {
  worker: Worker;
  /**
   * The revision last sent to the thread, and the sources it holds (to send only what changed);
   * no sources after a failed load, so the next generation goes whole.
   */
  sent: { revision: string; modules?: Record<string, string>; data?: PlainObject } | undefined;
  /** The revision the thread has said it holds compiled. */
  ready: string | undefined;
  waiting: Map<number, Waiting>;
  /**
   * Loads still being sent (data going in parts, and loads queued behind it): later loads wait
   * for them, so the thread gets every load in order.
   */
  sending: Promise<void> | undefined;
  /** Stops sending when the thread is stopped or lost. */
  readonly stop: AbortController;
}

const WATCH_MS = 250;
/** How long data is sent to a thread before requests get the request thread again (ms). */
const SEND_SLICE_MS = 5;
/** How long after a thread is lost no new one is started (ms). */
const RESTART_PAUSE_MS = 1_000;

export class EvalPool {
  private readonly threads: Thread[] = [];
  private nextId = 1;
  /** Names the parts of one load's data (see `DataPartMessage`). */
  private nextPartsId = 1;
  private pending = 0;
  private watch: NodeJS.Timeout | undefined;
  private closed = false;
  private noStartBefore = 0;
  /** Threads stopped or lost so far. */
  lost = 0;

  constructor(private readonly opts: EvalPoolOptions) {}

  /** Evaluations waiting or running. */
  get waiting(): number { return this.pending; }
  /** Threads running. */
  get size(): number { return this.threads.length; }

  /**
   * Whether a thread holds `gen` compiled and can take its evaluations now. When none does, one is
   * started or given `gen`, to be ready for a later request.
   */
  readyFor(gen: PoolGeneration): boolean {
    if (this.holds(gen)) return true;
    this.warm(gen);
    return false;
  }

  /** Whether a thread holds `gen` compiled (nothing is started). */
  holds(gen: PoolGeneration): boolean {
    for (const t of this.threads) if (t.ready === gen.revision) return true;
    return false;
  }

  /**
   * Evaluates `path` of `gen` on a thread that holds it (ask `readyFor` first). Never rejects:
   * failures are answers with `ok: false`.
   */
  evaluate(gen: PoolGeneration, path: string, input: Value | undefined, deadlineMs: number, strictBuiltinErrors: boolean): Promise<PoolAnswer> {
    return this.post(gen, deadlineMs, id => ({ kind: 'eval', id, revision: gen.revision, path, input, deadlineMs, strictBuiltinErrors }));
  }

  /** An explanation of the decision at `path` (`explainDecision`) made on a thread that holds `gen`. */
  async explain(gen: PoolGeneration, path: string, input: Value | undefined, mode: ExplainMode, deadlineMs: number, evalTimeoutMs: number): Promise<PoolExplanation> {
    const a = await this.post(gen, deadlineMs, id => ({ kind: 'explain', id, revision: gen.revision, path, input, mode, deadlineMs, evalTimeoutMs }));
    return a.ok ? { ok: true, lines: a.result as string[] } : a;
  }

  private post(gen: PoolGeneration, deadlineMs: number, message: (id: number) => EvalMessage | ExplainMessage): Promise<PoolAnswer> {
    if (this.closed) return Promise.resolve({ ok: false, code: 'internal_error', message: 'the evaluation workers are shut down' });
    if (this.pending >= this.opts.maxPending) {
      return Promise.resolve({ ok: false, code: POOL_BUSY, message: `${this.pending} evaluations are already waiting for an evaluation worker; try again later` });
    }
    let thread: Thread | undefined;
    for (const t of this.threads) if (t.ready === gen.revision && (thread === undefined || t.waiting.size < thread.waiting.size)) thread = t;
    if (thread === undefined) return Promise.resolve({ ok: false, code: 'internal_error', message: `no evaluation worker holds revision ${gen.revision}` });
    // Every ready thread has work: another one, if there is room, for the requests after this.
    if (thread.waiting.size > 0 && this.threads.length < this.opts.threads) this.startWith(gen);
    const id = this.nextId++;
    try {
      thread.worker.postMessage(message(id));
    } catch (e) {
      // Inputs are parsed JSON, so one that cannot be cloned is a bug, not the request's fault.
      return Promise.resolve({ ok: false, code: 'internal_error', message: `input could not be passed to an evaluation worker: ${e instanceof Error ? e.message : String(e)}` });
    }
    const chosen = thread;
    return new Promise<PoolAnswer>(resolve => {
      chosen.waiting.set(id, { resolve, deadlineMs });
      this.pending++;
      this.watch ??= setInterval(() => this.stopStalled(), WATCH_MS).unref();
    });
  }

  /** Gives the running threads `gen` now (a swap), so it is compiled before requests want it. */
  preload(gen: PoolGeneration): void {
    for (const t of this.threads) this.send(t, gen);
  }

  /** Stops every thread; what is waiting fails. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.watch) clearInterval(this.watch);
    this.watch = undefined;
    const threads = this.threads.splice(0);
    for (const t of threads) { t.stop.abort(); this.failAll(t, 'internal_error', 'the server is shutting down'); }
    await Promise.all(threads.map(t => t.worker.terminate()));
  }

  /** Puts a thread on its way to holding `gen`: one already sent it, else every running one, else a new one. */
  warm(gen: PoolGeneration): void {
    if (this.closed) return;
    for (const t of this.threads) if (t.sent?.revision === gen.revision) return;
    if (this.threads.length > 0) this.preload(gen);
    else this.startWith(gen);
  }

  private startWith(gen: PoolGeneration): void {
    // After a thread died, a while before the next: what killed it may come again at once.
    if (Date.now() < this.noStartBefore) return;
    let worker: Worker;
    try {
      const data: EvalWorkerData = this.opts.geoDatabasePath !== undefined ? { geoDatabasePath: this.opts.geoDatabasePath } : {};
      worker = new Worker(new URL('./eval-worker.js', import.meta.url), { workerData: data });
    } catch (e) {
      // Decisions go on on the request thread.
      this.opts.onFailure?.(`an evaluation worker could not be started: ${e instanceof Error ? e.message : String(e)}`);
      return;
    }
    // A running thread keeps the process alive (its message listener holds the port): `close`
    // ends the threads, as the server's `onClose` does.
    const thread: Thread = { worker, sent: undefined, ready: undefined, waiting: new Map(), sending: undefined, stop: new AbortController() };
    worker.on('message', (m: FromWorker) => this.received(thread, m));
    worker.on('error', err => this.lose(thread, `an evaluation worker failed: ${err.message}`));
    worker.on('exit', code => this.lose(thread, `an evaluation worker exited with code ${code}`));
    this.threads.push(thread);
    this.send(thread, gen);
  }

  private send(thread: Thread, gen: PoolGeneration): void {
    const last = thread.sent;
    if (last?.revision === gen.revision) return;
    // Modules and data go over only when they changed: a data write sends no sources (and the
    // thread reuses its compiled modules), a policy change no data. Copying data to a thread costs
    // 12–25 ms a megabyte here, so a Data API write over the data the thread holds goes as the
    // write alone, made there the same way, and new data of more than a part goes in parts,
    // between requests (see `data-parts.ts`).
    const sendModules = last?.modules === undefined || !sameModules(last.modules, gen.modules);
    const changed = last?.data === undefined || last.data !== gen.data;
    const writes = changed && last?.data !== undefined && gen.dataDelta?.from === last.data ? gen.dataDelta.writes : undefined;
    thread.sent = { revision: gen.revision, modules: gen.modules, data: gen.data };
    const modules = sendModules ? { modules: gen.modules } : {};
    const split = changed && !writes ? new DataParts(gen.data, PART_NODES, this.opts.knownKeys) : undefined;
    if (split?.large) {
      const parts = this.nextPartsId++;
      this.sendAfter(thread, async () => {
        const post = (m: DataPartMessage | LoadMessage): void => { thread.worker.postMessage(m); };
        await runInSlices(split.steps(part => post({ kind: 'data-part', parts, part })), SEND_SLICE_MS, thread.stop.signal);
        post({ kind: 'load', revision: gen.revision, ...modules, dataParts: parts });
      });
      return;
    }
    const msg: LoadMessage = { kind: 'load', revision: gen.revision, ...modules, ...(writes ? { writes } : changed ? { data: gen.data } : {}) };
    if (thread.sending) this.sendAfter(thread, () => { thread.worker.postMessage(msg); });
    else thread.worker.postMessage(msg);
  }

  /** Runs `send` once what is being sent to the thread has gone. */
  private sendAfter(thread: Thread, send: () => Promise<void> | void): void {
    const sending: Promise<void> = (thread.sending ?? Promise.resolve()).then(send).catch((e: unknown) => {
      // Stopped with the thread; anything else leaves it unsure what it holds: it is replaced.
      if (!thread.stop.signal.aborted) this.lose(thread, `data could not be sent to an evaluation worker: ${e instanceof Error ? e.message : String(e)}`);
    }).finally(() => { if (thread.sending === sending) thread.sending = undefined; });
    thread.sending = sending;
  }

  private received(thread: Thread, m: FromWorker): void {
    if (m.kind === 'loaded') {
      if (m.error === undefined) {
        thread.ready = m.revision;
      } else {
        // Not tried again for this revision (the failure would repeat on every request); the
        // next generation is sent whole, whatever the thread holds now.
        if (thread.sent) thread.sent = { revision: thread.sent.revision };
        this.opts.onFailure?.(`an evaluation worker could not load revision ${m.revision}: ${m.error}`);
      }
      return;
    }
    const w = thread.waiting.get(m.id);
    if (w === undefined) return;
    thread.waiting.delete(m.id);
    this.pending--;
    w.resolve(m.ok ? { ok: true, result: m.result, evalNs: m.evalNs } : { ok: false, code: m.code, message: m.message, ...(m.place ? { place: m.place } : {}) });
  }

  /** Stops threads holding an evaluation well past its deadline (the engine checks deadlines, so this is a last resort). */
  private stopStalled(): void {
    const now = Date.now();
    for (const t of [...this.threads]) {
      for (const w of t.waiting.values()) {
        if (now > w.deadlineMs + this.opts.stallGraceMs) {
          this.lose(t, `an evaluation worker was stopped: it was still busy ${this.opts.stallGraceMs} ms after a request's deadline`, 'eval_cancel_error');
          void t.worker.terminate();
          break;
        }
      }
    }
    if (this.pending === 0 && this.watch) {
      clearInterval(this.watch);
      this.watch = undefined;
    }
  }

  private lose(thread: Thread, reason: string, code = 'internal_error'): void {
    const i = this.threads.indexOf(thread);
    if (i === -1) return;
    this.threads.splice(i, 1);
    thread.stop.abort();
    this.lost++;
    this.noStartBefore = Date.now() + RESTART_PAUSE_MS;
    this.failAll(thread, code, reason);
    if (!this.closed) this.opts.onFailure?.(reason);
  }

  private failAll(thread: Thread, code: string, message: string): void {
    for (const w of thread.waiting.values()) w.resolve({ ok: false, code, message });
    this.pending -= thread.waiting.size;
    thread.waiting.clear();
  }
}
