/** JSON and YAML encoding, JSON path filtering/removal, JSON Patch and JSON Schema builtins. */
import jsYaml from 'js-yaml';
import { decls } from '../../dsl/builtins/decls/json.js';
import { JsonParseError, parseJson, serializeJson, serializeJsonIndented } from '../json.js';
import {
  defineKey, equal, isObject, keyOf, makeObject, objectEntries, objectGet, PolObject, PolSet, toJSON,
  type PlainObject, type Value,
} from '../value.js';
import { builtinError, withChecks } from './check.js';
import { matchSchema, verifySchema } from './json-schema.js';
import { BuiltinError, type BuiltinImpl } from './types.js';

type Obj = PlainObject | PolObject;

// ---- marshal / unmarshal --------------------------------------------------------------------

const MARSHAL_OPTIONS = new Set(['pretty', 'indent', 'prefix']);

function marshalWithOptions(x: Value, opts: Obj): string {
  let pretty: boolean | undefined, indent: string | undefined, prefix: string | undefined;
  for (const [k, v] of objectEntries(opts)) {
    if (typeof k !== 'string' || !MARSHAL_OPTIONS.has(k)) {
      throw new BuiltinError(`json.marshal_with_options: object contained unknown key ${typeof k === 'string' ? JSON.stringify(k) : serializeJson(k)}`, 'eval_type_error');
    }
    if (k === 'pretty') {
      if (typeof v !== 'boolean') throw new BuiltinError('json.marshal_with_options: "pretty" option must be a boolean', 'eval_type_error');
      pretty = v;
    } else {
      if (typeof v !== 'string') throw new BuiltinError(`json.marshal_with_options: "${k}" option must be a string`, 'eval_type_error');
      if (k === 'indent') indent = v; else prefix = v;
    }
  }
  if (pretty === false || (pretty === undefined && indent === undefined && prefix === undefined)) return serializeJson(x);
  return serializeJsonIndented(x, prefix ?? '', indent ?? '\t');
}

function unmarshal(name: string, s: string): Value {
  try {
    return parseJson(s);
  } catch (e) {
    if (e instanceof JsonParseError) throw builtinError(name, e.message);
    throw e;
  }
}

// ---- YAML -----------------------------------------------------------------------------------

/**
 * Most nodes one YAML document may expand to. Aliases are shared by reference in the parsed
 * tree, so a small "billion laughs" document would otherwise expand exponentially here.
 */
const MAX_YAML_NODES = 1_000_000;

/** Plain YAML data to values: own keys only, integers kept as numbers, no special YAML types. */
function fromYaml(v: unknown, budget: { nodes: number }, depth = 0): Value {
  if (depth > 512) throw builtinError('yaml.unmarshal', 'document nested too deeply');
  if (++budget.nodes > MAX_YAML_NODES) throw builtinError('yaml.unmarshal', `document expands to more than ${MAX_YAML_NODES} nodes`);
  if (v === undefined || v === null) return null;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw builtinError('yaml.unmarshal', 'non-finite numbers are not JSON');
    return v;
  }
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (Array.isArray(v)) return v.map(x => fromYaml(x, budget, depth + 1));
  if (typeof v === 'object') {
    const out: PlainObject = {};
    for (const k of Object.keys(v)) defineKey(out, k, fromYaml((v as Record<string, unknown>)[k], budget, depth + 1));
    return out;
  }
  return String(v);
}

function yamlLoad(name: string, s: string): Value {
  try {
    return fromYaml(jsYaml.load(s, { schema: jsYaml.CORE_SCHEMA, json: true }), { nodes: 0 });
  } catch (e) {
    if (e instanceof BuiltinError) throw e;
    const err = e as { mark?: { line: number }; reason?: string; message: string };
    // js-yaml counts a phantom last line at end of input; Go's parser reports the last real one.
    const lines = s.split('\n').length;
    const line = err.mark ? Math.min(err.mark.line + 1, lines) : 1;
    throw builtinError(name, `yaml: line ${line}: ${goYamlReason(err.reason ?? err.message)}`);
  }
}

/** go-yaml's wording for the js-yaml failures policies meet most (unclosed flow collections). */
function goYamlReason(reason: string): string {
  if (/within a flow collection/.test(reason)) return "did not find expected ',' or ']'";
  if (/missed comma between flow collection entries/.test(reason)) return "did not find expected ',' or '}'";
  return reason;
}

function yamlDump(x: Value): string {
  return jsYaml.dump(toJSON(x), { sortKeys: true, noArrayIndent: true, lineWidth: -1, schema: jsYaml.CORE_SCHEMA });
}

// ---- json.filter / json.remove --------------------------------------------------------------

interface PathNode { terminal: boolean; children: Map<string, PathNode> }

/** Key under which a path segment or a document key is compared: `"0"` meets index 0. */
const segKey = (v: Value): string => (typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'bigint' ? String(v) : keyOf(v));

function parseStringPath(p: string): string[] {
  if (p === '') return [];
  const s = p.startsWith('/') ? p.slice(1) : p;
  return s.split('/').map(x => x.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function pathTrie(name: string, paths: Value): PathNode {
  const root: PathNode = { terminal: false, children: new Map() };
  const list = paths instanceof PolSet ? [...paths.values()] : paths as Value[];
  for (const p of list) {
    let segs: Value[];
    if (typeof p === 'string') segs = parseStringPath(p);
    else if (Array.isArray(p)) segs = p;
    else throw new BuiltinError(`${name}: operand 2 must be one of {set, array} containing string paths or array of path segments but got ${p === null ? 'null' : Array.isArray(p) ? 'array' : p instanceof PolSet ? 'set' : typeof p === 'object' ? 'object' : typeof p === 'bigint' ? 'number' : typeof p}`, 'eval_type_error');
    let node = root;
    for (const seg of segs) {
      const k = segKey(seg);
      let next = node.children.get(k);
      if (!next) { next = { terminal: false, children: new Map() }; node.children.set(k, next); }
      node = next;
    }
    node.terminal = true;
  }
  return root;
}

function filterDoc(v: Value, node: PathNode): Value | undefined {
  if (node.terminal) return v;
  if (Array.isArray(v)) {
    const out: Value[] = [];
    for (let i = 0; i < v.length; i++) {
      const child = node.children.get(String(i));
      if (!child) continue;
      const x = filterDoc(v[i]!, child);
      if (x !== undefined) out.push(x);
    }
    return out;
  }
  if (v instanceof PolSet) {
    const out = new PolSet();
    for (const m of v.values()) {
      const child = node.children.get(segKey(m));
      if (!child) continue;
      const x = filterDoc(m, child);
      if (x !== undefined) out.add(x);
    }
    return out;
  }
  if (isObject(v)) {
    const out: [Value, Value][] = [];
    for (const [k, x] of objectEntries(v)) {
      const child = node.children.get(segKey(k));
      if (!child) continue;
      const y = filterDoc(x, child);
      if (y !== undefined) out.push([k, y]);
    }
    return makeObject(out);
  }
  return undefined;
}

function removeDoc(v: Value, node: PathNode): Value | undefined {
  if (node.terminal) return undefined;
  if (node.children.size === 0) return v;
  if (Array.isArray(v)) {
    const out: Value[] = [];
    for (let i = 0; i < v.length; i++) {
      const child = node.children.get(String(i));
      const x = child ? removeDoc(v[i]!, child) : v[i]!;
      if (x !== undefined) out.push(x);
    }
    return out;
  }
  if (v instanceof PolSet) {
    const out = new PolSet();
    for (const m of v.values()) {
      const child = node.children.get(segKey(m));
      const x = child ? removeDoc(m, child) : m;
      if (x !== undefined) out.add(x);
    }
    return out;
  }
  if (isObject(v)) {
    const out: [Value, Value][] = [];
    for (const [k, x] of objectEntries(v)) {
      const child = node.children.get(segKey(k));
      const y = child ? removeDoc(x, child) : x;
      if (y !== undefined) out.push([k, y]);
    }
    return makeObject(out);
  }
  return v;
}

// ---- json.patch -----------------------------------------------------------------------------

class PatchError extends Error {}

function patchPath(p: Value | undefined, field: string): Value[] {
  if (typeof p === 'string') return parseStringPath(p);
  if (Array.isArray(p)) return p;
  throw new PatchError(`${field} must be a string or an array`);
}

function arrayIndex(seg: Value, len: number, allowEnd: boolean): number {
  if (allowEnd && seg === '-') return len;
  const s = typeof seg === 'string' ? seg : typeof seg === 'number' ? String(seg) : '';
  if (!/^(0|[1-9]\d*)$/.test(s)) throw new PatchError(`invalid array index ${JSON.stringify(s)}`);
  const i = Number(s);
  if (i > len || (!allowEnd && i >= len)) throw new PatchError(`array index ${i} out of range`);
  return i;
}

function setMember(set: PolSet, seg: Value): Value | undefined {
  const k = segKey(seg);
  for (const m of set.values()) if (segKey(m) === k) return m;
  return undefined;
}

function getAt(doc: Value, path: Value[]): Value {
  let v = doc;
  for (const seg of path) {
    let next: Value | undefined;
    if (Array.isArray(v)) next = v[arrayIndex(seg, v.length, false)];
    else if (v instanceof PolSet) next = setMember(v, seg);
    else if (isObject(v)) next = objectGet(v, seg);
    if (next === undefined) throw new PatchError(`path ${JSON.stringify(segKey(seg))} does not exist`);
    v = next;
  }
  return v;
}

function objectWith(o: Obj, key: Value, value: Value | undefined): Obj {
  const entries = objectEntries(o).filter(e => !equal(e[0], key));
  if (value !== undefined) entries.push([key, value]);
  return makeObject(entries);
}

/** Applies `f` to the container holding the last segment, copying along the path. */
function updateAt(doc: Value, path: Value[], f: (parent: Value, last: Value) => Value): Value {
  if (path.length === 0) throw new PatchError('empty path');
  const rec = (v: Value, i: number): Value => {
    if (i === path.length - 1) return f(v, path[i]!);
    const seg = path[i]!;
    if (Array.isArray(v)) {
      const j = arrayIndex(seg, v.length, false);
      const out = v.slice();
      out[j] = rec(v[j]!, i + 1);
      return out;
    }
    if (v instanceof PolSet) {
      const m = setMember(v, seg);
      if (m === undefined) throw new PatchError('path does not exist');
      const out = new PolSet([...v.values()].filter(x => x !== m));
      out.add(rec(m, i + 1));
      return out;
    }
    if (isObject(v)) {
      const x = objectGet(v, seg);
      if (x === undefined) throw new PatchError(`path /${path.slice(0, i + 1).map(segKey).join('/')} does not exist -- missing objects are not created recursively`);
      return objectWith(v, seg, rec(x, i + 1));
    }
    throw new PatchError('path does not exist');
  };
  return rec(doc, 0);
}

function addAt(doc: Value, path: Value[], value: Value): Value {
  if (path.length === 0) return value;
  return updateAt(doc, path, (parent, last) => {
    if (Array.isArray(parent)) {
      const i = arrayIndex(last, parent.length, true);
      const out = parent.slice();
      out.splice(i, 0, value);
      return out;
    }
    if (parent instanceof PolSet) {
      if (segKey(last) !== segKey(value) && !equal(last, value)) throw new PatchError('set member must equal the last path segment');
      const out = new PolSet(parent.values());
      out.add(value);
      return out;
    }
    if (isObject(parent)) return objectWith(parent, last, value);
    throw new PatchError('cannot add to a scalar');
  });
}

function removeAt(doc: Value, path: Value[]): Value {
  if (path.length === 0) throw new PatchError('cannot remove the whole document');
  return updateAt(doc, path, (parent, last) => {
    if (Array.isArray(parent)) {
      const i = arrayIndex(last, parent.length, false);
      const out = parent.slice();
      out.splice(i, 1);
      return out;
    }
    if (parent instanceof PolSet) {
      const m = setMember(parent, last);
      if (m === undefined) throw new PatchError('set member does not exist');
      return new PolSet([...parent.values()].filter(x => x !== m));
    }
    if (isObject(parent)) {
      if (objectGet(parent, last) === undefined) throw new PatchError('path does not exist');
      return objectWith(parent, last, undefined);
    }
    throw new PatchError('cannot remove from a scalar');
  });
}

function applyPatch(doc: Value, patches: Value[]): Value {
  let d = doc;
  for (const p of patches) {
    if (!isObject(p)) throw new PatchError('patch must be an object');
    const op = objectGet(p, 'op');
    const path = patchPath(objectGet(p, 'path'), 'path');
    const value = objectGet(p, 'value');
    switch (op) {
      case 'add':
        if (value === undefined) throw new PatchError('missing value');
        d = addAt(d, path, value);
        break;
      case 'remove': d = removeAt(d, path); break;
      case 'replace':
        if (value === undefined) throw new PatchError('missing value');
        getAt(d, path);
        d = path.length === 0 ? value : addAt(removeAt(d, path), path, value);
        break;
      case 'move': {
        const from = patchPath(objectGet(p, 'from'), 'from');
        const v = getAt(d, from);
        if (from.length < path.length && from.every((s, i) => segKey(s) === segKey(path[i]!))) throw new PatchError('cannot move a value into itself');
        d = addAt(removeAt(d, from), path, v);
        break;
      }
      case 'copy': d = addAt(d, path, getAt(d, patchPath(objectGet(p, 'from'), 'from'))); break;
      case 'test':
        if (value === undefined) throw new PatchError('missing value');
        if (!equal(getAt(d, path), value)) throw new PatchError('test failed');
        break;
      default: throw new PatchError(`unknown op ${JSON.stringify(op)}`);
    }
  }
  return d;
}

// ---- registry -------------------------------------------------------------------------------

export const impls: Record<string, BuiltinImpl> = withChecks(decls, {
  'json.marshal': ([x]) => serializeJson(x!),
  'json.marshal_with_options': ([x, opts]) => marshalWithOptions(x!, opts as Obj),
  'json.unmarshal': ([s]) => unmarshal('json.unmarshal', s as string),
  'json.is_valid': ([s]) => {
    if (typeof s !== 'string') return false;
    try { parseJson(s); return true; } catch { return false; }
  },
  'yaml.marshal': ([x]) => yamlDump(x!),
  'yaml.unmarshal': ([s]) => yamlLoad('yaml.unmarshal', s as string),
  'yaml.is_valid': ([s]) => {
    if (typeof s !== 'string') return false;
    try { yamlLoad('yaml.is_valid', s); return true; } catch { return false; }
  },
  'json.filter': ([o, paths]) => filterDoc(o!, pathTrie('json.filter', paths!)),
  'json.remove': ([o, paths]) => removeDoc(o!, pathTrie('json.remove', paths!)) ?? {},
  'json.patch': ([doc, patches]) => {
    try {
      return applyPatch(doc!, patches as Value[]);
    } catch (e) {
      if (e instanceof PatchError) throw builtinError('json.patch', e.message);
      throw e;
    }
  },
  'json.verify_schema': ([schema]) => verifySchema(schema!),
  'json.match_schema': ([doc, schema]) => matchSchema(doc!, schema!),
});
