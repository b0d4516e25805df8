/**
 * Policies from a directory: every `.pol`/`.rego` file (tests excluded) and `data.json`/`data.yaml`
 * found under it, and a watcher that reloads after changes settle.
 *
 * Symbolic links are followed, to files and to directories, so a Kubernetes ConfigMap mount
 * (`cm.pol -> ..data/cm.pol`, `..data -> ..2026_11_30_...`) loads: hidden directories (ConfigMap's
 * `..data` and `..<timestamp>`) are never walked, so each file is found once, under its visible
 * name; a file or directory reached twice (two links, a link loop) is read once.
 */
import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync, realpathSync, statSync, watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { finish, type Steps } from '../../engine/index.js';
import type { PolicyStore } from './store.js';
import { PolicyLoadError, StoreClosed } from './store.js';
import { isDataFile, isPolicyFile, sourcesFromFiles, sourcesFromFilesSteps, type Sources } from './sources.js';
import { parseYamlFilesInBackground } from './yaml-data.js';

const SKIP_DIRS = new Set(['node_modules', '.git']);
/** Bounds on what a directory may hold, so a wrong `--policies` path fails fast. */
const MAX_FILES = 10_000;
/** The shortest interval at which a missing directory is looked for. */
const MIN_POLL_MS = 50;

interface Scan {
  /** Policy and data files: id (path relative to the directory, `/`-separated) → text. */
  files: Map<string, string>;
  /** Real paths of the directories read and of those holding link targets: what a watcher watches. */
  dirs: Set<string>;
}

/** A directory listed: its policy and data files by id (→ real path), and the directories to watch. */
interface Listing {
  paths: Map<string, string>;
  dirs: Set<string>;
}

function errno(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException | undefined)?.code;
}

/** Whether `dir` is (or links to) a directory. */
function isDirectory(dir: string): boolean {
  try { return statSync(dir).isDirectory(); } catch { return false; }
}

/** Reads every policy and data file of `dir` now. */
function scanDirectory(dir: string): Scan {
  const { paths, dirs } = listDirectory(dir);
  const files = new Map<string, string>();
  for (const [id, real] of paths) files.set(id, readFileSync(real, 'utf8'));
  return { files, dirs };
}

/** `scanDirectory` with the files read on libuv's thread pool (megabytes of data take tens of milliseconds to read). */
async function scanDirectoryInBackground(dir: string): Promise<Scan> {
  const { paths, dirs } = listDirectory(dir);
  const texts = await Promise.all([...paths.values()].map(real => readFile(real, 'utf8')));
  const files = new Map<string, string>();
  let i = 0;
  for (const id of paths.keys()) files.set(id, texts[i++]!);
  return { files, dirs };
}

function listDirectory(dir: string): Listing {
  let root: string;
  try {
    root = realpathSync(dir);
  } catch (e) {
    if (errno(e) === 'ENOENT') throw new Error(`policy directory ${dir} does not exist`);
    throw e;
  }
  if (!isDirectory(root)) throw new Error(`policy directory ${dir} is not a directory`);
  const paths = new Map<string, string>();
  const seenFiles = new Set<string>();
  const seenDirs = new Set<string>([root]);
  const dirs = new Set<string>([root]);
  const walk = (d: string, prefix: string): void => {
    const entries = readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const ent of entries) {
      const abs = join(d, ent.name);
      const id = prefix + ent.name;
      let real = abs;
      let isDir = ent.isDirectory();
      let isFile = ent.isFile();
      if (ent.isSymbolicLink()) {
        try {
          real = realpathSync(abs);
          const st = statSync(real);
          isDir = st.isDirectory();
          isFile = st.isFile();
        } catch {
          continue; // a dangling link or a link loop: nothing to read
        }
      }
      if (isDir) {
        if (SKIP_DIRS.has(ent.name) || ent.name.startsWith('.')) continue;
        if (seenDirs.has(real)) continue; // reached before (a loop, or two links to one directory)
        seenDirs.add(real);
        dirs.add(real);
        walk(real, `${id}/`);
        continue;
      }
      if (!isFile || (!isPolicyFile(id) && !isDataFile(id))) continue;
      if (seenFiles.has(real)) continue; // two names for one file: read once, under the first name
      seenFiles.add(real);
      if (real !== abs) dirs.add(dirname(real));
      if (paths.size >= MAX_FILES) throw new Error(`${dir}: more than ${MAX_FILES} policy and data files`);
      paths.set(id, real);
    }
  };
  walk(root, '');
  return { paths, dirs };
}

/** Characters of file text hashed in one step of `fingerprintSteps` (about a millisecond). */
const HASH_CHARS = 1 << 20;

function* fingerprintSteps(dir: string, files: Map<string, string>): Steps<string> {
  const h = createHash('sha256').update(dir).update('\0');
  for (const [id, text] of files) {
    h.update(id).update('\0');
    if (text.length <= HASH_CHARS) h.update(text);
    else {
      for (let i = 0; i < text.length;) {
        let end = Math.min(i + HASH_CHARS, text.length);
        // Never between the halves of a surrogate pair: each would hash as a replacement character.
        const last = text.charCodeAt(end - 1);
        if (end < text.length && last >= 0xd800 && last <= 0xdbff) end++;
        h.update(text.slice(i, end));
        i = end;
        yield;
      }
    }
    h.update('\0');
  }
  return h.digest('hex');
}

function fingerprint(dir: string, files: Map<string, string>): string {
  return finish(fingerprintSteps(dir, files));
}

/** What each store last loaded successfully from a directory, so a watcher skips no-op reloads. */
const lastLoaded = new WeakMap<PolicyStore, string>();

/** Reads every policy and data file under `dir`. Throws on unreadable files or bad data. */
export function readPolicyDirectory(dir: string): Sources {
  return sourcesFromFiles(scanDirectory(dir).files);
}

type Reloaded = { ok: boolean; dirs?: Set<string> };

function readFailed(store: PolicyStore, e: unknown): Reloaded {
  lastLoaded.delete(store);
  store.recordFailure('directory', 'load_error', e instanceof Error ? e.message : String(e));
  return { ok: false };
}

function loadFailed(store: PolicyStore, scan: Scan, e: unknown): Reloaded {
  lastLoaded.delete(store);
  if (e instanceof PolicyLoadError) return { ok: false, dirs: scan.dirs };
  throw e;
}

/** Loads `dir` into the store now (start-up: nothing is served yet). */
function reloadNow(store: PolicyStore, dir: string): Reloaded {
  let scan: Scan, sources: Sources;
  try {
    scan = scanDirectory(dir);
    sources = sourcesFromFiles(scan.files);
  } catch (e) {
    return readFailed(store, e);
  }
  lastLoaded.set(store, fingerprint(dir, scan.files));
  try {
    store.loadBase(sources, 'directory');
    return { ok: true, dirs: scan.dirs };
  } catch (e) {
    return loadFailed(store, scan, e);
  }
}

/**
 * A watcher's reload: unless the files are those of the last successful load, their data parsed
 * and the policy compiled in slices, so a serving thread is never held for the whole of either.
 */
async function reloadInBackground(store: PolicyStore, dir: string): Promise<Reloaded> {
  let scan: Scan;
  try {
    scan = await scanDirectoryInBackground(dir);
  } catch (e) {
    return readFailed(store, e);
  }
  const fp = await store.prepareInBackground(fingerprintSteps(dir, scan.files));
  if (lastLoaded.get(store) === fp) return { ok: true, dirs: scan.dirs };
  let sources: Sources;
  try {
    // YAML is parsed on a thread of its own; JSON in pieces here.
    const yamlKeys = new Map<object, string[]>();
    const yamlDocs = await parseYamlFilesInBackground(scan.files, yamlKeys);
    sources = await store.prepareInBackground(sourcesFromFilesSteps(scan.files, yamlDocs, yamlKeys));
  } catch (e) {
    if (e instanceof StoreClosed) throw e;
    return readFailed(store, e);
  }
  lastLoaded.set(store, fp);
  try {
    await store.loadBaseInBackground(sources, 'directory');
    return { ok: true, dirs: scan.dirs };
  } catch (e) {
    return loadFailed(store, scan, e);
  }
}

/** Loads `dir` into the store; returns false (and records why) when it could not. */
export function loadDirectory(store: PolicyStore, dir: string): boolean {
  return reloadNow(store, dir).ok;
}

/**
 * Watches `dir` and reloads after `debounceMs` without further changes. Every directory read (link
 * targets included) is watched on its own, so a swapped link (a ConfigMap update replaces `..data`)
 * and a linked directory outside `dir` are both noticed; a reload whose files did not change is
 * skipped. A missing directory is looked for every `debounceMs` and loaded once it appears.
 * Returns a function that stops watching.
 */
export function watchDirectory(store: PolicyStore, dir: string, debounceMs: number, onReload?: (ok: boolean) => void): () => void {
  const watchers = new Map<string, { watcher: FSWatcher; ino: number }>();
  let timer: NodeJS.Timeout | undefined;
  let poll: NodeJS.Timeout | undefined;
  let stopped = false;

  const schedule = (): void => {
    if (stopped) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(fire, debounceMs);
  };
  const onEvent = (d: string, name: string | Buffer | null): void => {
    if (name) {
      const n = String(name);
      // Other regular files (editor backups, READMEs) never matter; anything else (a link, a
      // directory, a name that is gone) may hide policies.
      if (!isPolicyFile(n) && !isDataFile(n)) {
        try { if (lstatSync(join(d, n)).isFile()) return; } catch { /* gone */ }
      }
    }
    schedule();
  };
  const unwatch = (d: string): void => {
    watchers.get(d)?.watcher.close();
    watchers.delete(d);
  };
  const add = (d: string, isRoot: boolean): boolean => {
    try {
      const ino = statSync(d).ino;
      const watcher = watch(d, { persistent: false }, (_event, name) => onEvent(d, name));
      watcher.on('error', () => { if (watchers.get(d)?.watcher === watcher) unwatch(d); schedule(); });
      watchers.set(d, { watcher, ino });
      return true;
    } catch (e) {
      // A directory gone since it was read is noticed by the next reload.
      if (isRoot) store.recordFailure('directory', 'watch_error', e instanceof Error ? e.message : String(e));
      return false;
    }
  };
  const startPolling = (): void => {
    if (poll || stopped) return;
    poll = setInterval(() => {
      if (!isDirectory(dir)) return;
      clearInterval(poll);
      poll = undefined;
      // Watch first, then read: a file written meanwhile is either read or seen.
      sync(undefined);
      schedule();
    }, Math.max(debounceMs, MIN_POLL_MS));
    poll.unref();
  };
  /** Watches exactly `dirs` (or, without a list, what is watched now plus `dir`); true when it added one. */
  const sync = (dirs: Set<string> | undefined): boolean => {
    if (stopped) return false;
    let root: string | undefined;
    try { root = realpathSync(dir); } catch { root = undefined; }
    if (root === undefined || !isDirectory(root)) {
      for (const d of [...watchers.keys()]) unwatch(d);
      startPolling();
      return false;
    }
    const want = new Set(dirs ?? watchers.keys());
    want.add(root);
    for (const [d, w] of [...watchers]) {
      let ino: number | undefined;
      try { ino = statSync(d).ino; } catch { ino = undefined; }
      // Gone, no longer wanted, or replaced by a new directory of the same name.
      if (!want.has(d) || ino !== w.ino) unwatch(d);
    }
    let added = false;
    for (const d of want) if (!watchers.has(d) && add(d, d === root)) added = true;
    return added;
  };
  // One reload at a time: changes seen while one compiles make one more reload after it, of the
  // directory as it is then, rather than a queue of compiles of states already gone.
  let reloading = false;
  let again = false;
  const fire = (): void => {
    timer = undefined;
    if (stopped) return;
    if (reloading) { again = true; return; }
    reloading = true;
    reloadInBackground(store, dir).then(r => {
      // A directory watched only now may have changed between the read and the watch: look again
      // (a no-op when nothing changed).
      if (sync(r.dirs) && r.dirs) again = true;
      onReload?.(r.ok);
    }, (e: unknown) => {
      // The store is shutting down, or failed in a way a load error does not cover.
      if (!(e instanceof StoreClosed)) store.recordFailure('directory', 'internal_error', e instanceof Error ? e.message : String(e));
      onReload?.(false);
    }).finally(() => {
      reloading = false;
      if (again) { again = false; schedule(); }
    });
  };

  let initial: Scan | undefined;
  try { initial = scanDirectory(dir); } catch { initial = undefined; }
  sync(initial?.dirs);
  // Changed since the initial load (which happened before the watch began): reload.
  if (initial && lastLoaded.has(store) && lastLoaded.get(store) !== fingerprint(dir, initial.files)) schedule();

  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    if (poll) clearInterval(poll);
    for (const d of [...watchers.keys()]) unwatch(d);
  };
}
