/**
 * `PATCH /v1/data/{path}`: JSON Patch operations (RFC 6902) turned into data writes, as OPA reads
 * them. An operation's `path` is joined to the URL's path (a leading `/` is optional; `~1` and
 * `~0` stand for `/` and `~`), and OPA's three operations are taken: `add` (into an object, or
 * into an array at an index or at its end, `-`), `remove` and `replace` (both of a document that
 * exists). The parent of every operation's document must exist. Operations apply in order, each
 * seeing the ones before it; the whole patch is kept or none of it.
 */
import { isPlainObject, type PlainObject, type Value } from '../../engine/value.js';
import { own } from '../body.js';
import { applyWrite, arrayIndex, documentAt, DocumentNotFound, pathName, removalWrite, WriteConflict, type DataWrite } from './data-writes.js';

/** The patch is malformed (not an array of operations, an unknown operation, a missing `value`). */
export class BadPatch extends Error {
  constructor(message: string) { super(message); this.name = 'BadPatch'; }
}

/** Operations in one patch at most. */
export const MAX_PATCH_OPERATIONS = 1_000;

/** The writes `patch` makes to `data` under `base` (the URL's keys). Throws `BadPatch`, `DocumentNotFound` or `WriteConflict`. */
export function patchWrites(data: PlainObject, base: readonly string[], patch: Value | undefined): DataWrite[] {
  if (!Array.isArray(patch)) throw new BadPatch('the request body must be a JSON array of patch operations');
  if (patch.length > MAX_PATCH_OPERATIONS) throw new BadPatch(`a patch has at most ${MAX_PATCH_OPERATIONS} operations`);
  const writes: DataWrite[] = [];
  const fresh = new Set<object>();
  let work = data;
  patch.forEach((raw, n) => {
    const where = `operation ${n}`;
    if (!isPlainObject(raw)) throw new BadPatch(`${where} is not an object`);
    const op = own(raw, 'op'), rel = own(raw, 'path'), value = own(raw, 'value');
    if (typeof rel !== 'string') throw new BadPatch(`${where} has no string \`path\``);
    const path = [...base, ...pointerKeys(rel)];
    let write: DataWrite;
    switch (op) {
      case 'add':
        if (value === undefined) throw new BadPatch(`${where} (add) has no \`value\``);
        write = addWrite(work, path, value);
        break;
      case 'replace':
        if (value === undefined) throw new BadPatch(`${where} (replace) has no \`value\``);
        if (documentAt(work, path) === undefined) throw new DocumentNotFound(`document ${pathName(path)} does not exist`);
        write = { path, value };
        break;
      case 'remove':
        write = removalWrite(work, path);
        break;
      default:
        throw new BadPatch(`${where} has op ${typeof op === 'string' ? `\`${op.slice(0, 40)}\`` : 'missing'}; use add, remove or replace`);
    }
    work = applyWrite(work, write, fresh);
    writes.push(write);
  });
  return writes;
}

/** `add`: into an object, a new array element at an index or the end (the array is written whole), or the root. */
function addWrite(data: PlainObject, path: string[], value: Value): DataWrite {
  if (path.length === 0) return { path, value };
  const parentPath = path.slice(0, -1);
  const parent = documentAt(data, parentPath);
  if (parent === undefined) throw new DocumentNotFound(`document ${pathName(parentPath)} does not exist`);
  const last = path[path.length - 1]!;
  if (Array.isArray(parent)) {
    const at = last === '-' ? parent.length : last === String(parent.length) ? parent.length : arrayIndex(parent, last);
    if (at === undefined) throw new WriteConflict(`${pathName(parentPath)} is an array without a position \`${last}\``);
    const next = parent.slice();
    next.splice(at, 0, value);
    return { path: parentPath, value: next };
  }
  if (!isPlainObject(parent)) throw new WriteConflict(`${pathName(parentPath)} is not an object or array`);
  return { path, value };
}

/** A patch path's keys: slashes around it dropped, split at `/`, `~1` → `/` and `~0` → `~`. */
function pointerKeys(pointer: string): string[] {
  const trimmed = pointer.replace(/^\/+|\/+$/g, '');
  if (trimmed === '') return [];
  return trimmed.split('/').map(k => k.replace(/~1/g, '/').replace(/~0/g, '~'));
}
