/**
 * Loads what `-d` points at, as `opa` does: policy files (`.pol`, `.rego`) and `data.json` files
 * found under directories (a `data.json` in `a/b/` lands at `data.a.b`); a `.json` file named
 * directly is merged at the root of `data`.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve, sep, isAbsolute } from 'node:path';
import type { Value } from '../engine/index.js';
// NOTE: engine/index.ts does not re-export the lossless JSON codec yet.
import { parseJson } from '../engine/json.js';
import { UsageError } from './io.js';

export const POLICY_EXTENSIONS = ['.pol', '.rego'];

export interface Loaded {
  /** Module sources keyed by the path shown in diagnostics (relative to the working directory). */
  modules: Record<string, string>;
  data: Record<string, Value>;
}

/** Directories never worth descending into. */
const SKIP_DIRS = new Set(['node_modules', '.git']);

export function isPolicyFile(name: string): boolean {
  return POLICY_EXTENSIONS.some(ext => name.endsWith(ext));
}

/** Every policy file under `paths` (files named directly are kept whatever their extension). */
export function policyFiles(paths: string[], cwd: string): string[] {
  const out: string[] = [];
  for (const p of paths) {
    const abs = resolve(cwd, p);
    const st = statOrThrow(abs, p);
    if (st.isDirectory()) walk(abs, f => { if (isPolicyFile(f)) out.push(f); });
    else out.push(abs);
  }
  return [...new Set(out)].sort();
}

/** Loads policies and data from `-d` paths plus explicit `--data` files. */
export function loadPaths(paths: string[], cwd: string, dataFiles: string[] = []): Loaded {
  const loaded: Loaded = { modules: {}, data: {} };
  for (const p of paths) {
    const abs = resolve(cwd, p);
    const st = statOrThrow(abs, p);
    if (st.isDirectory()) {
      walk(abs, file => {
        if (isPolicyFile(file)) addModule(loaded, file, cwd);
        else if (file.endsWith(`${sep}data.json`)) {
          const rel = relative(abs, file).split(sep).slice(0, -1);
          mergeAt(loaded.data, rel, readJsonFile(file, cwd), displayPath(file, cwd));
        }
      });
    } else if (p.endsWith('.json')) {
      mergeAt(loaded.data, [], readJsonFile(abs, cwd), displayPath(abs, cwd));
    } else {
      addModule(loaded, abs, cwd);
    }
  }
  for (const f of dataFiles) {
    const abs = resolve(cwd, f);
    statOrThrow(abs, f);
    mergeAt(loaded.data, [], readJsonFile(abs, cwd), displayPath(abs, cwd));
  }
  return loaded;
}

/** A path relative to the working directory when it is inside it, so messages stay short. */
export function displayPath(abs: string, cwd: string): string {
  const rel = relative(cwd, abs);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : abs;
}

function addModule(loaded: Loaded, abs: string, cwd: string): void {
  loaded.modules[displayPath(abs, cwd)] = readFileSync(abs, 'utf8');
}

function statOrThrow(abs: string, shown: string) {
  try {
    return statSync(abs);
  } catch {
    throw new UsageError(`no such file or directory: ${shown}`);
  }
}

function walk(dir: string, visit: (file: string) => void): void {
  const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1));
  for (const e of entries) {
    const full = join(dir, e.name);
    if (e.isDirectory()) {
      if (!SKIP_DIRS.has(e.name) && !e.name.startsWith('.')) walk(full, visit);
    } else if (e.isFile()) {
      visit(full);
    }
  }
}

/** Reads a JSON document; a malformed one is a usage error naming the file. */
export function readJsonFile(abs: string, cwd: string): Value {
  const text = readFileSync(abs, 'utf8');
  try {
    return parseJsonText(text);
  } catch (e) {
    throw new UsageError(`${displayPath(abs, cwd)}: invalid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** JSON text to a value: integers beyond 2^53 stay exact, nesting is bounded. */
export function parseJsonText(text: string): Value {
  return parseJson(text);
}

const hasOwn = Object.prototype.hasOwnProperty;

function isRecord(v: unknown): v is Record<string, Value> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Own-property write that treats `__proto__` as an ordinary key. */
function setKey(o: Record<string, Value>, key: string, v: Value): void {
  Object.defineProperty(o, key, { value: v, enumerable: true, writable: true, configurable: true });
}

/** Deep-merges `value` into `root` at `path`; two files defining the same leaf is an error. */
function mergeAt(root: Record<string, Value>, path: string[], value: Value, file: string): void {
  let target = root;
  for (const seg of path) {
    const next = hasOwn.call(target, seg) ? target[seg] : undefined;
    if (next === undefined) { const o: Record<string, Value> = {}; setKey(target, seg, o); target = o; continue; }
    if (!isRecord(next)) throw new UsageError(`${file}: data at ${['data', ...path].join('.')} conflicts with another file`);
    target = next;
  }
  if (!isRecord(value)) {
    if (path.length === 0) throw new UsageError(`${file}: the root of a data file must be an object`);
    throw new UsageError(`${file}: data.json must hold an object`);
  }
  mergeInto(target, value, file, ['data', ...path]);
}

function mergeInto(target: Record<string, Value>, src: Record<string, Value>, file: string, at: string[]): void {
  for (const k of Object.keys(src)) {
    const v = src[k]!;
    const prev = hasOwn.call(target, k) ? target[k] : undefined;
    if (prev === undefined) { setKey(target, k, v); continue; }
    if (isRecord(prev) && isRecord(v)) { mergeInto(prev, v, file, [...at, k]); continue; }
    throw new UsageError(`${file}: ${[...at, k].join('.')} is defined by more than one data file`);
  }
}
