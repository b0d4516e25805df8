/**
 * What a policy is made of: module sources keyed by id (a relative path such as `rbac.pol`) and
 * the base data document. Directories and bundles both produce `Sources`; the store compiles them.
 */
import yaml from 'js-yaml';
import { defineKey, type PlainObject, type Value } from '../../engine/value.js';
import { finish, parseJsonSteps, type Steps } from '../../engine/index.js';

export interface Sources {
  modules: Record<string, string>;
  data: PlainObject;
  /**
   * The own keys of wide objects of `data` as the parser defined them (see `parseJsonSteps`), so
   * the store need not list them again. Only for objects nothing changed after they were parsed.
   */
  knownKeys?: Map<object, string[]>;
}

export const POLICY_EXTENSIONS = ['.pol', '.rego'];
export const DATA_FILES = ['data.json', 'data.yaml', 'data.yml'];

export function isPolicyFile(name: string): boolean {
  return POLICY_EXTENSIONS.some(ext => name.endsWith(ext)) && !name.endsWith('_test.pol') && !name.endsWith('_test.rego');
}

/** `data.yaml` or `data.yml`. */
export function isYamlDataFile(name: string): boolean {
  return isDataFile(name) && !name.endsWith('.json');
}

export function isDataFile(name: string): boolean {
  const base = name.slice(name.lastIndexOf('/') + 1);
  return DATA_FILES.includes(base);
}

/** A policy id is a relative path: no `..`, no absolute path, no control characters. */
export function validPolicyId(id: string): boolean {
  if (id.length === 0 || id.length > 512 || id.startsWith('/')) return false;
  if (/[\u0000-\u001f\u007f\\]/.test(id)) return false;
  return id.split('/').every(seg => seg !== '..' && seg !== '.' && seg !== '');
}

/**
 * Parses a data file (`data.json` or `data.yaml`); the document must be an object. JSON is parsed
 * a piece at a time (see `parseJsonSteps`); YAML in one go, unless it was parsed already (`parsed`,
 * off the serving thread: see `yaml-data.ts`).
 */
export function* parseDataFileSteps(name: string, text: string, parsed?: PlainObject, listed?: Map<object, string[]>): Steps<PlainObject> {
  if (parsed !== undefined) return parsed;
  let v: unknown;
  if (name.endsWith('.json')) {
    // The parser's message does not say which file it was reading.
    try { v = yield* parseJsonSteps(text, { maxDepth: 512 }, undefined, listed); } catch (e) { throw new Error(`${name}: invalid JSON: ${(e as Error).message}`); }
  } else {
    v = yaml.load(text, { schema: yaml.JSON_SCHEMA, filename: name }) ?? {}; // js-yaml names the file itself
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error(`${name}: the data document must be an object`);
  return v as PlainObject;
}

/**
 * Merges `doc` into `root` at the directory path of `file` (`a/b/data.json` lands at `data.a.b`),
 * refusing to overwrite a value with a conflicting one.
 */
export function mergeDataAt(root: PlainObject, file: string, doc: PlainObject, changed?: Set<object>): void {
  const dirs = file.split('/').slice(0, -1);
  let cur = root;
  for (const seg of dirs) {
    const next = Object.prototype.hasOwnProperty.call(cur, seg) ? cur[seg] : undefined;
    if (next === undefined) { const o: PlainObject = {}; defineKey(cur, seg, o); changed?.add(cur); cur = o; }
    else if (typeof next === 'object' && next !== null && !Array.isArray(next)) cur = next as PlainObject;
    else throw new Error(`${file}: data path \`${dirs.join('.')}\` conflicts with another data file`);
  }
  mergeObjects(cur, doc, file, changed);
}

/** Merges `from` into `into`; each object given keys goes in `changed`. */
function mergeObjects(into: PlainObject, from: PlainObject, file: string, changed: Set<object> | undefined): void {
  for (const key of Object.keys(from)) {
    const v = from[key] as Value;
    const have = Object.prototype.hasOwnProperty.call(into, key) ? into[key] : undefined;
    if (have === undefined) { defineKey(into, key, v); changed?.add(into); }
    else if (isObj(have) && isObj(v)) mergeObjects(have, v, file, changed);
    else throw new Error(`${file}: data key \`${key}\` is defined twice`);
  }
}

function isObj(v: unknown): v is PlainObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Builds `Sources` from a list of files (relative path → text), as found in a directory or bundle,
 * in steps: a server reloading megabytes of data parses them between requests. `parsedYaml`: YAML
 * data files already parsed, by name (see `yaml-data.ts`), with `yamlKeys` the keys listed as
 * they were put together.
 */
export function* sourcesFromFilesSteps(files: Map<string, string>, parsedYaml?: Map<string, PlainObject>, yamlKeys?: Map<object, string[]>): Steps<Sources> {
  const out: Sources = { modules: {}, data: {} };
  const listed = new Map<object, string[]>(yamlKeys ?? []), changed = new Set<object>();
  for (const name of [...files.keys()].sort()) {
    const text = files.get(name)!;
    if (isPolicyFile(name)) Object.defineProperty(out.modules, name, { value: text, enumerable: true, writable: true, configurable: true });
    else if (isDataFile(name)) {
      const doc = yield* parseDataFileSteps(name, text, parsedYaml?.get(name), listed);
      // The only data so far, at the root: taken as it is rather than copied key by key (the
      // common single data file, whose top level may hold many thousands of keys).
      if (!name.includes('/') && Object.keys(out.data).length === 0) out.data = doc;
      else mergeDataAt(out.data, name, doc, changed);
    }
  }
  // Keys listed by the parser hold only for objects no later file added keys to.
  for (const o of changed) listed.delete(o);
  if (listed.size > 0) out.knownKeys = listed;
  return out;
}

/** `sourcesFromFilesSteps` in one go. */
export function sourcesFromFiles(files: Map<string, string>): Sources {
  return finish(sourcesFromFilesSteps(files));
}
