/**
 * An evaluation worker thread (see `eval-pool.ts`): it holds its own compiled copy of one policy
 * generation and evaluates the decisions the request thread hands it. Messages are handled in the
 * order they arrive, so an evaluation posted after a `load` always sees that load's generation.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { compile, DataDigests, DEADLINE_EXCEEDED, PolError, type PreparedPolicy, type Value } from '../../engine/index.js';
import { loadGeoDatabase } from '../../engine/builtins/geo.js';
import type { PlainObject } from '../../engine/value.js';
import { applyWrite, type DataWrite } from '../policy-store/data-writes.js';
import { explainDecision, type ExplainMode } from './explain.js';
import { DataAssembler, type DataPart } from './data-parts.js';

export interface EvalWorkerData {
  /** The `geo_database` file the request thread loaded (absolute), if any. */
  geoDatabasePath?: string;
}

/**
 * A generation to hold from now on (replacing the last). Modules or data absent: as in the last
 * load; `writes`: Data API writes to make over the last load's data instead.
 */
export interface LoadMessage {
  kind: 'load'; revision: string; modules?: Record<string, string>; data?: PlainObject; writes?: readonly DataWrite[];
  /** The data came before, as the parts of this number (see `DataPartMessage`). */
  dataParts?: number;
}
/** A part of the data of the load that follows (large data goes in parts: see `data-parts.ts`). */
export interface DataPartMessage { kind: 'data-part'; parts: number; part: DataPart }
export interface EvalMessage { kind: 'eval'; id: number; revision: string; path: string; input: Value | undefined; deadlineMs: number; strictBuiltinErrors: boolean }
/** An explanation of a decision (`explainDecision`); answered with its lines as the result. */
export interface ExplainMessage { kind: 'explain'; id: number; revision: string; path: string; input: Value | undefined; mode: ExplainMode; deadlineMs: number; evalTimeoutMs: number }
export type ToWorker = LoadMessage | DataPartMessage | EvalMessage | ExplainMessage;

/** Where in the policy an evaluation failed, when the engine says. */
export interface FailurePlace { file: string; row: number; col: number; text: string }
export type Answer =
  | { kind: 'answer'; id: number; ok: true; result: Value | undefined; evalNs: number }
  | { kind: 'answer'; id: number; ok: false; code: string; message: string; place?: FailurePlace };
/** After every load: the generation is compiled and evaluations of it are answered, or why not. */
export interface Loaded { kind: 'loaded'; revision: string; error?: string }
export type FromWorker = Answer | Loaded;

class Holder {
  private revision = '';
  private prepared: PreparedPolicy | undefined;
  private modules: Record<string, string> = {};
  private data: PlainObject = {};
  private loadError: string | undefined;
  /** As the request thread's store keeps them: a write hashes only what it changed. */
  private readonly digests = new DataDigests();

  /** The parts of the data of the next load, as they come. */
  private assembling: { parts: number; data: DataAssembler; error?: string } | undefined;

  /** `host`: the builtins' services, or why they could not be set up. */
  constructor(private readonly host: Record<string, unknown> | string) {}

  /** Takes a part of the next load's data. */
  addPart(m: DataPartMessage): void {
    if (this.assembling?.parts !== m.parts) this.assembling = { parts: m.parts, data: new DataAssembler() };
    if (this.assembling.error !== undefined) return;
    try {
      this.assembling.data.add(m.part);
    } catch (e) {
      this.assembling.error = e instanceof Error ? e.message : String(e);
    }
  }

  /** The data of a load sent in parts; throws when they did not all come, or did not fit. */
  private assembled(parts: number): PlainObject {
    const a = this.assembling;
    this.assembling = undefined;
    if (a?.parts !== parts) throw new Error(`the data of this revision did not arrive (parts ${parts})`);
    if (a.error !== undefined) throw new Error(`the data of this revision did not fit together: ${a.error}`);
    return a.data.root;
  }

  load(m: LoadMessage): Loaded {
    this.revision = m.revision;
    this.loadError = undefined;
    const modulesChanged = m.modules !== undefined;
    if (m.modules !== undefined) this.modules = m.modules;
    try {
      let data = m.dataParts !== undefined ? this.assembled(m.dataParts) : m.data ?? this.data;
      if (m.writes !== undefined) {
        const fresh = new Set<object>();
        for (const w of m.writes) data = applyWrite(data, w, fresh, this.digests);
      }
      this.data = data;
      if (typeof this.host === 'string') throw new Error(this.host);
      // Data-only changes reuse the compiled modules, as the request thread's store does.
      const prepared = this.prepared && !modulesChanged
        ? this.prepared.withData(this.data, this.digests)
        : compile({ modules: this.modules, data: this.data, host: this.host, dataDigests: this.digests });
      if (prepared.revision !== m.revision) throw new Error(`compiled revision ${prepared.revision} differs from the request thread's ${m.revision}`);
      this.prepared = prepared;
      return { kind: 'loaded', revision: m.revision };
    } catch (e) {
      this.prepared = undefined;
      this.loadError = e instanceof Error ? e.message : String(e);
      return { kind: 'loaded', revision: m.revision, error: this.loadError };
    }
  }

  explain(m: ExplainMessage): Answer {
    if (m.revision !== this.revision || this.prepared === undefined) return this.notLoaded(m);
    const t0 = process.hrtime.bigint();
    try {
      const lines = explainDecision(this.prepared, this.prepared.entrypoint(m.path), m.path, m.input, m.mode, m.deadlineMs, m.evalTimeoutMs);
      return { kind: 'answer', id: m.id, ok: true, result: lines, evalNs: Number(process.hrtime.bigint() - t0) };
    } catch (e) {
      return failure(m.id, e);
    }
  }

  private notLoaded(m: EvalMessage | ExplainMessage): Answer {
    return { kind: 'answer', id: m.id, ok: false, code: 'internal_error', message: `evaluation worker could not load revision ${m.revision}${this.loadError ? `: ${this.loadError}` : ''}` };
  }

  evaluate(m: EvalMessage): Answer {
    if (m.revision !== this.revision || this.prepared === undefined) return this.notLoaded(m);
    const t0 = process.hrtime.bigint();
    try {
      if (Date.now() > m.deadlineMs) throw new PolError(DEADLINE_EXCEEDED.code, DEADLINE_EXCEEDED.message);
      const result = this.prepared.entrypoint(m.path).evaluate(m.input, { deadlineMs: m.deadlineMs, ...(m.strictBuiltinErrors ? { strictBuiltinErrors: true } : {}) });
      return { kind: 'answer', id: m.id, ok: true, result, evalNs: Number(process.hrtime.bigint() - t0) };
    } catch (e) {
      return failure(m.id, e);
    }
  }
}

/** An evaluation's error as an answer: the engine's code and place, or an internal error. */
function failure(id: number, e: unknown): Answer {
  if (e instanceof PolError) {
    const d = e.diagnostics[0];
    return { kind: 'answer', id, ok: false, code: String(e.code), message: e.message, ...(d && d.line > 0 ? { place: { file: d.file, row: d.line, col: d.col, text: d.message } } : {}) };
  }
  return { kind: 'answer', id, ok: false, code: 'internal_error', message: e instanceof Error ? e.message : String(e) };
}

if (parentPort) {
  const port = parentPort;
  const settings = workerData as EvalWorkerData;
  // A database that cannot be read leaves the thread unable to load anything (it says so at every
  // load) rather than dying: the pool would only start it again.
  let host: Record<string, unknown> | string = {};
  try {
    if (settings.geoDatabasePath) host = { geoDatabase: loadGeoDatabase(settings.geoDatabasePath) };
  } catch (e) {
    host = `geo_database: ${e instanceof Error ? e.message : String(e)}`;
  }
  const holder = new Holder(host);
  port.on('message', (m: ToWorker) => {
    if (m.kind === 'data-part') { holder.addPart(m); return; }
    port.postMessage(m.kind === 'load' ? holder.load(m) : m.kind === 'eval' ? holder.evaluate(m) : holder.explain(m));
  });
}
