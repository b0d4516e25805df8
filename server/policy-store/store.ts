/**
 * The policy store: the working policy (one compiled generation), the sources it came from, and
 * the last failed load. A load compiles first and swaps only on success, in one assignment, so a
 * request always sees one whole generation and a broken policy never replaces a working one.
 */
import { EventEmitter } from 'node:events';
import { LRUCache } from 'lru-cache';
import { compile, compileInSlices, DataDigests, finish, runInSlices, PolError, type Steps, type BuiltinHost, type Diagnostic, type EntryPoint, type PreparedPolicy } from '../../engine/index.js';
import type { PlainObject } from '../../engine/value.js';
import type { Sources } from './sources.js';
import { applyWriteSteps, DataWrites, MAX_DATA_WRITES, TooManyWrites, type DataWrite } from './data-writes.js';

/** One compiled policy, immutable once published. */
export interface Generation {
  readonly prepared: PreparedPolicy;
  readonly revision: string;
  readonly loadedAt: Date;
  /** How long making it took (s): compiling, in slices for a background change, or giving the compiled policy new data. */
  readonly loadSeconds: number;
  /** Where the base sources came from: `directory`, `bundle` or `none`. */
  readonly origin: string;
  /** The bundle's own revision (from its manifest), when loaded from a bundle. */
  readonly bundleRevision?: string;
  readonly modules: Record<string, string>;
  /** The data it was compiled with: the base data with the Data API's writes over it. */
  readonly data: PlainObject;
  /** How `data` was made from the last generation's by Data API writes, when it was (evaluation workers send only these). */
  readonly dataDelta?: { readonly from: PlainObject; readonly writes: readonly DataWrite[] };
  /** Resolved entry points by path, bounded because paths come from requests. */
  readonly entrypoints: LRUCache<string, EntryPoint>;
}

export interface LoadError {
  at: Date;
  /** What was being loaded: `directory`, `bundle`, `api`. */
  origin: string;
  code: string;
  message: string;
  diagnostics: Diagnostic[];
}

/** Data API writes a reload could not lay over new base data, dropped (see `DataWrites.apply`). */
export interface DroppedWrites { origin: string; writes: { path: string[]; reason: string }[] }

export interface StoreEvents {
  swap: [Generation];
  error: [LoadError];
  dropped: [DroppedWrites];
}

/** Thrown when the engine rejects sources: carries OPA-shaped errors for the HTTP layer. */
export class PolicyLoadError extends Error {
  constructor(readonly detail: LoadError) {
    super(detail.message);
    this.name = 'PolicyLoadError';
  }
}

/** A background change asked of, or still compiling in, a store that was closed. */
export class StoreClosed extends Error {
  constructor() {
    super('the policy store is shutting down');
    this.name = 'StoreClosed';
  }
}

/** More background changes than `MAX_WAITING_CHANGES` were asked for at once. */
export class TooManyChanges extends Error {
  constructor() {
    super(`more than ${MAX_WAITING_CHANGES} policy changes are waiting to be compiled; try again later`);
    this.name = 'TooManyChanges';
  }
}

/** More Data API writes than `MAX_WAITING_WRITES` were waiting for their turn. */
export class WritesBusy extends Error {
  constructor() {
    super(`more than ${MAX_WAITING_WRITES} data writes are waiting to be made; try again later`);
    this.name = 'WritesBusy';
  }
}

/** Data API writes waiting for their turn at most (each holds its body until then). */
export const MAX_WAITING_WRITES = 256;

const MAX_ENTRYPOINTS = 1_000;

/**
 * Background changes queued or compiling at most when a policy API change is asked: each holds
 * its sources until its turn, so a client sending policies faster than they compile is refused
 * rather than let to fill memory.
 */
export const MAX_WAITING_CHANGES = 32;

/** How long a background compile holds the thread at a time (ms): requests are answered in between. */
export const COMPILE_SLICE_MS = 5;

/**
 * A change of the policy modules, worked out against the store as it is when it runs: the
 * sources and data to compile, and what to record once the result is swapped in.
 */
interface ModuleChange {
  sources: Sources;
  data: PlainObject;
  origin: string;
  bundleRevision: string | undefined;
  commit(): void;
  /** After the swap (a reload reports the Data API writes it dropped). */
  after?(): void;
}

export class PolicyStore extends EventEmitter<StoreEvents> {
  private current: Generation | undefined;
  private base: Sources = { modules: {}, data: {} };
  private baseBundleRevision: string | undefined;
  /** Policies written through the API: a source, or `null` for a deleted base policy. */
  private overlay = new Map<string, string | null>();
  /** Documents written through the Data API, laid over the base data at every load. */
  private dataWrites = new DataWrites();
  private failure: LoadError | undefined;
  reloads = { success: 0, failure: 0 };
  /**
   * Counters a background change compares before and after its compile: `modulesVersion` moves
   * with every change of the base sources or the API's policies (the change is planned and
   * compiled again), `dataVersion` with every Data API write (the compiled policy is given the
   * new data).
   */
  private modulesVersion = 0;
  private dataVersion = 0;
  /** Background changes, one at a time and in the order asked. */
  private queue: Promise<unknown> = Promise.resolve();
  private waiting = 0;
  /** Data API writes made in steps, one at a time and in the order asked (apart from `queue`). */
  private writeQueue: Promise<unknown> = Promise.resolve();
  private writesWaiting = 0;
  /**
   * The data's share of each revision, reusing the work of earlier ones: the store's data is
   * never changed in place (writes copy), and every copy a write makes is reported here.
   */
  private readonly digests = new DataDigests();
  /** Aborted by `close`: background changes stop between slices, and later ones are refused. */
  private readonly closing = new AbortController();

  /** `host`: services for builtins (the geo database), given to every compiled generation. */
  constructor(private readonly host: BuiltinHost = {}) {
    super();
  }

  /** The working generation, or `undefined` before the first successful load. */
  get generation(): Generation | undefined { return this.current; }
  /** Background changes queued or compiling now. */
  get backgroundChanges(): number { return this.waiting; }
  /** The last failed load since the last success, if any. */
  get lastError(): LoadError | undefined { return this.failure; }

  /** Replaces the base sources (a directory scan or a bundle). Throws `PolicyLoadError` and keeps the working policy on failure. */
  loadBase(sources: Sources, origin: string, bundleRevision?: string): Generation {
    this.learnKeys(sources);
    return this.changeNow(this.baseChange(sources, origin, bundleRevision));
  }

  /**
   * `loadBase` compiled in slices (see `COMPILE_SLICE_MS`) while requests go on being answered
   * with the working policy; queued behind other background changes. Rejects with
   * `PolicyLoadError`, keeping the working policy, on failure.
   */
  loadBaseInBackground(sources: Sources, origin: string, bundleRevision?: string): Promise<Generation> {
    this.learnKeys(sources);
    return this.changeInBackground(() => this.baseChange(sources, origin, bundleRevision), false) as Promise<Generation>;
  }

  /** Hands the keys the parser listed to the digests, and drops them from `sources`, which the store keeps. */
  private learnKeys(sources: Sources): void {
    if (sources.knownKeys === undefined) return;
    this.digests.learnKeys(sources.knownKeys);
    delete sources.knownKeys;
  }

  /**
   * Work that readies a change (parsing a bundle's or a directory's data), run in slices as a
   * background compile is. Rejects with `StoreClosed` once the store closes.
   */
  async prepareInBackground<T>(steps: Steps<T>): Promise<T> {
    const signal = this.closing.signal;
    if (signal.aborted) throw new StoreClosed();
    try {
      return await runInSlices(steps, COMPILE_SLICE_MS, signal);
    } catch (e) {
      if (signal.aborted) throw new StoreClosed();
      throw e;
    }
  }

  private baseChange(sources: Sources, origin: string, bundleRevision: string | undefined): ModuleChange {
    const { data, kept, skipped } = this.dataWrites.apply(sources.data, this.digests);
    return {
      sources: mergeOverlay(sources, this.overlay), data, origin, bundleRevision,
      commit: () => {
        this.base = sources;
        this.baseBundleRevision = bundleRevision;
        this.dataWrites = kept;
        this.modulesVersion++;
      },
      after: () => {
        if (skipped.length && this.listenerCount('dropped') > 0) {
          this.emit('dropped', { origin, writes: skipped.map(s => ({ path: [...s.write.path], reason: s.reason })) });
        }
      },
    };
  }

  /**
   * Lays `writes` over the data (after the ones already made) and swaps in the result, or throws
   * and keeps everything as it was: `WriteConflict`/`DocumentNotFound` for a write that does not
   * fit, `TooManyWrites` past `MAX_DATA_WRITES`, `PolicyLoadError` when the policies do not
   * compile with the new data.
   */
  writeData(writes: readonly DataWrite[]): Generation {
    const next = this.withWrites(writes);
    const from = this.data;
    return this.swapWritten(from, finish(this.writtenSteps(from, writes)), writes, next);
  }

  /** The Data API's writes with `writes` after them; throws `TooManyWrites` past `MAX_DATA_WRITES`. */
  private withWrites(writes: readonly DataWrite[]): DataWrites {
    const next = this.dataWrites.with(writes);
    if (next.size > MAX_DATA_WRITES) throw new TooManyWrites(`more than ${MAX_DATA_WRITES} separately written documents; write a containing document instead`);
    return next;
  }

  /** `from` with `writes` made (only the new writes: replaying every earlier one gives the same data). */
  private *writtenSteps(from: PlainObject, writes: readonly DataWrite[]): Steps<PlainObject> {
    const fresh = new Set<object>();
    let data = from;
    for (const w of writes) data = yield* applyWriteSteps(data, w, fresh, this.digests);
    return data;
  }

  /** Swaps in `data`, made by `writes` over `from`, the Data API's writes becoming `next`. */
  private swapWritten(from: PlainObject, data: PlainObject, writes: readonly DataWrite[], next: DataWrites): Generation {
    return this.compileAndSwap(mergeOverlay(this.base, this.overlay), data, 'api', this.baseBundleRevision, () => { this.dataWrites = next; this.dataVersion++; }, { from, writes });
  }

  /**
   * An object's own keys (in code point order) when the data's digests hold them: for walks of
   * large data that would otherwise list them again (about 17 ms for 100,000 keys).
   */
  knownKeys(o: object): readonly string[] | undefined {
    return this.digests.knownKeys(o);
  }

  /**
   * `writeData` made a step at a time, requests being answered in between: copying a container of
   * 100,000 keys on a write's way takes tens of milliseconds. `plan` gives the writes (or
   * `undefined`: nothing to write) when their turn comes, from the data as it is then, so writes
   * worked out from the data (a patch, an array element's removal) never miss one made before
   * them; it is asked again if the data changes while the copies are made (a reload). Resolves
   * with the new generation (`undefined` when nothing was written); rejects as `writeData` throws,
   * with `StoreClosed` once the store closes, and with `WritesBusy` past `MAX_WAITING_WRITES`.
   */
  writeDataInBackground(plan: (data: PlainObject) => readonly DataWrite[] | undefined): Promise<Generation | undefined> {
    if (this.closing.signal.aborted) return Promise.reject(new StoreClosed());
    if (this.writesWaiting >= MAX_WAITING_WRITES) return Promise.reject(new WritesBusy());
    const run = async (): Promise<Generation | undefined> => {
      for (;;) {
        const current = this.current;
        const from = this.data;
        const writes = plan(from);
        if (writes === undefined) return undefined;
        // No policy yet: nothing is served, and nothing to reuse.
        if (current === undefined) return this.writeData(writes);
        const next = this.withWrites(writes);
        const data = await this.prepareInBackground(this.writtenSteps(from, writes));
        await this.prepareInBackground(this.digests.warmSteps(data));
        // Another generation came meanwhile (a reload, a write made without waiting): plan again
        // over its data. Otherwise the Data API's writes are still those `next` was made from.
        if (this.current !== current) continue;
        return this.swapWritten(from, data, writes, next);
      }
    };
    this.writesWaiting++;
    const result = this.writeQueue.then(run, run).finally(() => { this.writesWaiting--; });
    this.writeQueue = result.catch(() => undefined);
    return result;
  }

  /** The data requests read now: the base data with the Data API's writes over it. */
  get data(): PlainObject {
    return this.current?.data ?? this.dataWrites.apply(this.base.data).data;
  }

  /** Records a failure that happened before compilation (unreadable file, bad signature, ...). */
  recordFailure(origin: string, code: string, message: string): LoadError {
    const err: LoadError = { at: new Date(), origin, code, message, diagnostics: [] };
    this.fail(err);
    return err;
  }

  /**
   * Forgets the last failure if it came from `origin`: the source is healthy again and serves
   * what is loaded (a bundle server answering 304 after an error), so there is nothing to reload.
   */
  clearFailure(origin: string): void {
    if (this.failure?.origin === origin) this.failure = undefined;
  }

  /**
   * Shows `err` again as the last failure in place of a later one from the same origin, without
   * counting or reporting it twice: a bundle still rejected after a passing fetch error.
   */
  reinstateFailure(err: LoadError): void {
    if (this.failure?.origin === err.origin) this.failure = err;
  }

  /** Adds or replaces one policy (validated against everything else before it is kept). */
  putPolicy(id: string, source: string): Generation {
    return this.changeNow(this.putChange(id, source));
  }

  /** `putPolicy` compiled in the background, as `loadBaseInBackground`. */
  putPolicyInBackground(id: string, source: string): Promise<Generation> {
    return this.changeInBackground(() => this.putChange(id, source), true) as Promise<Generation>;
  }

  /** Removes one policy; `false` when there is no such policy. */
  deletePolicy(id: string): Generation | false {
    const change = this.deleteChange(id);
    return change === false ? false : this.changeNow(change);
  }

  /** `deletePolicy` compiled in the background, as `loadBaseInBackground`. */
  deletePolicyInBackground(id: string): Promise<Generation | false> {
    return this.changeInBackground(() => this.deleteChange(id), true);
  }

  private putChange(id: string, source: string): ModuleChange {
    const overlay = new Map(this.overlay).set(id, source);
    return this.overlayChange(overlay);
  }

  private deleteChange(id: string): ModuleChange | false {
    const modules = this.current?.modules ?? {};
    if (!Object.prototype.hasOwnProperty.call(modules, id)) return false;
    const overlay = new Map(this.overlay);
    if (Object.prototype.hasOwnProperty.call(this.base.modules, id)) overlay.set(id, null);
    else overlay.delete(id);
    return this.overlayChange(overlay);
  }

  private overlayChange(overlay: Map<string, string | null>): ModuleChange {
    return {
      sources: mergeOverlay(this.base, overlay), data: this.data, origin: 'api', bundleRevision: this.baseBundleRevision,
      commit: () => { this.overlay = overlay; this.modulesVersion++; },
    };
  }

  private changeNow(change: ModuleChange): Generation {
    const gen = this.compileAndSwap(change.sources, change.data, change.origin, change.bundleRevision, () => change.commit());
    change.after?.();
    return gen;
  }

  /**
   * Runs a module change after the background changes before it, compiling in slices. `plan`
   * works the change out against the store as it is then, and again if the store changed while
   * it compiled: over new data (a Data API write), the compiled policy is only given that data;
   * over new sources (a change made without waiting, such as `loadBase`), it is compiled again.
   */
  private changeInBackground(plan: () => ModuleChange | false, capped: boolean): Promise<Generation | false> {
    if (this.closing.signal.aborted) return Promise.reject(new StoreClosed());
    // API changes are refused past the bound; a directory or bundle never has more than one of
    // its own waiting (each waits for its last), and must not lose a load to a busy API.
    if (capped && this.waiting >= MAX_WAITING_CHANGES) return Promise.reject(new TooManyChanges());
    const run = async (): Promise<Generation | false> => {
      for (;;) {
        if (this.closing.signal.aborted) throw new StoreClosed();
        let change = plan();
        if (change === false) return false;
        const current = this.current;
        const modulesVersion = this.modulesVersion, dataVersion = this.dataVersion;
        if (current && sameModules(current.modules, change.sources.modules)) {
          // New data for the compiled policy: its digest (the revision) is made in slices first,
          // so that giving it to the policy costs little (a data file of megabytes, a bundle).
          if (change.data !== current.data) {
            try {
              await runInSlices(this.digests.warmSteps(change.data), COMPILE_SLICE_MS, this.closing.signal);
            } catch (e) {
              if (this.closing.signal.aborted) throw new StoreClosed();
              throw e;
            }
            if (this.modulesVersion !== modulesVersion || this.dataVersion !== dataVersion) continue;
          }
          return this.changeNow(change);
        }
        const started = performance.now();
        let prepared: PreparedPolicy;
        try {
          prepared = await compileInSlices({ modules: change.sources.modules, data: change.data, host: this.host, dataDigests: this.digests }, COMPILE_SLICE_MS, this.closing.signal);
        } catch (e) {
          if (this.closing.signal.aborted) throw new StoreClosed();
          if (this.modulesVersion !== modulesVersion) continue;
          this.failLoad(e, change.origin);
        }
        if (this.modulesVersion !== modulesVersion) continue;
        if (this.dataVersion !== dataVersion) {
          change = plan() as ModuleChange;
          prepared = prepared.withData(change.data, this.digests);
        }
        const gen = this.swap(prepared, started, change.sources, change.data, change.origin, change.bundleRevision, () => change.commit());
        change.after?.();
        return gen;
      }
    };
    this.waiting++;
    const result = this.queue.then(run, run).finally(() => { this.waiting--; });
    this.queue = result.catch(() => undefined);
    return result;
  }

  /** Stops background changes (between slices) and refuses later ones with `StoreClosed`: the server is shutting down. */
  close(): void {
    this.closing.abort();
  }

  /** The entry point for `path` in the working generation (resolved once per generation). */
  entrypoint(gen: Generation, path: string): EntryPoint {
    let ep = gen.entrypoints.get(path);
    if (ep === undefined) {
      ep = gen.prepared.entrypoint(path);
      gen.entrypoints.set(path, ep);
    }
    return ep;
  }

  /**
   * Compiles `sources` over `data` and swaps the result in. When the modules are those of the
   * working generation (a data write, a reload where only data files changed), its compiled
   * policy is reused over the new data instead (`PreparedPolicy.withData`): nothing is parsed or
   * compiled again.
   */
  private compileAndSwap(
    sources: Sources, data: PlainObject, origin: string, bundleRevision: string | undefined, commit: () => void,
    dataDelta?: Generation['dataDelta'],
  ): Generation {
    const started = performance.now();
    let prepared: PreparedPolicy;
    try {
      const current = this.current;
      prepared = current && sameModules(current.modules, sources.modules)
        ? current.prepared.withData(data, this.digests)
        : compile({ modules: sources.modules, data, host: this.host, dataDigests: this.digests });
    } catch (e) {
      this.failLoad(e, origin);
    }
    return this.swap(prepared, started, sources, data, origin, bundleRevision, commit, dataDelta);
  }

  /** Records a compilation that failed and throws it as a `PolicyLoadError`. */
  private failLoad(e: unknown, origin: string): never {
    const err: LoadError = e instanceof PolError
      ? { at: new Date(), origin, code: String(e.code), message: e.message, diagnostics: e.diagnostics }
      : { at: new Date(), origin, code: 'internal_error', message: e instanceof Error ? e.message : String(e), diagnostics: [] };
    this.fail(err);
    throw new PolicyLoadError(err);
  }

  /** Publishes a compiled policy as the working generation, in one assignment. */
  private swap(
    prepared: PreparedPolicy, started: number, sources: Sources, data: PlainObject, origin: string, bundleRevision: string | undefined, commit: () => void,
    dataDelta?: Generation['dataDelta'],
  ): Generation {
    commit();
    const gen: Generation = {
      prepared,
      revision: prepared.revision,
      loadedAt: new Date(),
      loadSeconds: (performance.now() - started) / 1000,
      origin,
      ...(bundleRevision !== undefined ? { bundleRevision } : {}),
      modules: sources.modules,
      data,
      ...(dataDelta ? { dataDelta } : {}),
      entrypoints: new LRUCache<string, EntryPoint>({ max: MAX_ENTRYPOINTS }),
    };
    this.current = gen;
    this.failure = undefined;
    this.reloads.success++;
    this.emit('swap', gen);
    return gen;
  }

  private fail(err: LoadError): void {
    this.failure = err;
    this.reloads.failure++;
    // EventEmitter throws on an unhandled 'error' event; a failed load is not a crash.
    if (this.listenerCount('error') > 0) this.emit('error', err);
  }
}

/** Whether two module sets have the same ids and sources. */
export function sameModules(a: Record<string, string>, b: Record<string, string>): boolean {
  if (a === b) return true;
  const ids = Object.keys(a);
  if (ids.length !== Object.keys(b).length) return false;
  for (const id of ids) if (!Object.prototype.hasOwnProperty.call(b, id) || a[id] !== b[id]) return false;
  return true;
}

function mergeOverlay(base: Sources, overlay: Map<string, string | null>): Sources {
  if (overlay.size === 0) return base;
  const modules: Record<string, string> = { ...base.modules };
  for (const [id, src] of overlay) {
    if (src === null) delete modules[id];
    else Object.defineProperty(modules, id, { value: src, enumerable: true, writable: true, configurable: true });
  }
  return { modules, data: base.data };
}
