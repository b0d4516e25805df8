/**
 * Policies from a directory: every `.pol`/`.rego` file (tests excluded) and `data.json`/`data.yaml`
 * found under it, and a watcher that reloads after changes settle.
 */
import { existsSync, readdirSync, readFileSync, watch, type FSWatcher } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { PolicyStore } from './store.js';
import { PolicyLoadError } from './store.js';
import { isDataFile, isPolicyFile, sourcesFromFiles, type Sources } from './sources.js';

const SKIP_DIRS = new Set(['node_modules', '.git']);
/** Bounds on what a directory may hold, so a wrong `--policies` path fails fast. */
const MAX_FILES = 10_000;

/** Reads every policy and data file under `dir`. Throws on unreadable files or bad data. */
export function readPolicyDirectory(dir: string): Sources {
  const files = new Map<string, string>();
  const walk = (d: string): void => {
    for (const ent of readdirSync(d, { withFileTypes: true })) {
      const abs = join(d, ent.name);
      if (ent.isDirectory()) { if (!SKIP_DIRS.has(ent.name) && !ent.name.startsWith('.')) walk(abs); continue; }
      if (!ent.isFile()) continue;
      const rel = relative(dir, abs).split(sep).join('/');
      if (!isPolicyFile(rel) && !isDataFile(rel)) continue;
      if (files.size >= MAX_FILES) throw new Error(`${dir}: more than ${MAX_FILES} policy and data files`);
      files.set(rel, readFileSync(abs, 'utf8'));
    }
  };
  walk(dir);
  return sourcesFromFiles(files);
}

/** Loads `dir` into the store; returns false (and records why) when it could not. */
export function loadDirectory(store: PolicyStore, dir: string): boolean {
  let sources: Sources;
  try {
    sources = readPolicyDirectory(dir);
  } catch (e) {
    store.recordFailure('directory', 'load_error', e instanceof Error ? e.message : String(e));
    return false;
  }
  try {
    store.loadBase(sources, 'directory');
    return true;
  } catch (e) {
    if (e instanceof PolicyLoadError) return false;
    throw e;
  }
}

/**
 * Watches `dir` recursively and reloads after `debounceMs` without further changes. Returns a
 * function that stops watching.
 */
export function watchDirectory(store: PolicyStore, dir: string, debounceMs: number, onReload?: (ok: boolean) => void): () => void {
  let timer: NodeJS.Timeout | undefined;
  const fire = (): void => {
    timer = undefined;
    const ok = loadDirectory(store, dir);
    onReload?.(ok);
  };
  let watcher: FSWatcher | undefined;
  // A missing directory is already reported by the load; watching it would only bury that error.
  if (!existsSync(dir)) return () => {};
  try {
    watcher = watch(dir, { recursive: true, persistent: false }, (_event, name) => {
      if (name && !isPolicyFile(String(name).split(sep).join('/')) && !isDataFile(String(name).split(sep).join('/'))) return;
      if (timer) clearTimeout(timer);
      timer = setTimeout(fire, debounceMs);
    });
    watcher.on('error', e => { store.recordFailure('directory', 'watch_error', e.message); });
  } catch (e) {
    store.recordFailure('directory', 'watch_error', e instanceof Error ? e.message : String(e));
  }
  return () => {
    if (timer) clearTimeout(timer);
    watcher?.close();
  };
}
