/**
 * Writes to OPA's Data API, with OPA's requests and statuses:
 * - `PUT /v1/data/{path}` puts a JSON document there, making missing containing objects
 *   (`If-None-Match: *` leaves an existing one alone: 304);
 * - `PATCH /v1/data/{path}` applies JSON Patch operations (see json-patch.ts);
 * - `DELETE /v1/data/{path}` removes the document (404 when there is none).
 * Success is 204 with no body. Each write compiles a new generation with the new data and swaps
 * it in, so the revision changes and no cached decision survives it. A document a rule defines
 * (a virtual document) is not writable. The writes are kept in memory, laid over the policy
 * directory's data files at every reload; they are refused while a bundle supplies the data, as
 * OPA refuses writes under a bundle's roots. Same access rules as the policy API (`policy_api`).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Value } from '../../engine/index.js';
import type { PlainObject } from '../../engine/value.js';
import { HttpError } from '../errors.js';
import { documentKeys, startsWith } from '../document-path.js';
import { sendJsonText } from '../http.js';
import { documentAt, DocumentNotFound, pathName, removalWrite, TooManyWrites, WriteConflict, type DataWrite } from './data-writes.js';
import { BadPatch, patchWrites } from './json-patch.js';
import { BUSY_RETRY_SECONDS, loadErrorBody, logChange, writeGuard, type WriteAccess } from './routes.js';
import { PolicyLoadError, StoreClosed, WritesBusy, type Generation, type PolicyStore } from './store.js';

const PREFIX = '/v1/data';

export function registerDataWrites(app: FastifyInstance, store: PolicyStore, access: WriteAccess, opts: { bundleOwned: boolean }): void {
  const guard = writeGuard(access, 'data');
  const authorize = (req: FastifyRequest): void => {
    guard(req);
    if (opts.bundleOwned) throw new HttpError('invalid_parameter', 'the data comes from a bundle: writes through the Data API are refused while a bundle is configured');
  };

  for (const url of [PREFIX, `${PREFIX}/*`]) {
    app.put(url, async (req, reply) => {
      authorize(req);
      const path = keysOf(req);
      const value = req.body as Value | undefined;
      if (value === undefined) throw new HttpError('invalid_parameter', 'the request body must be the JSON document to write');
      const onlyNew = req.headers['if-none-match'] === '*';
      return commit(store, req, reply, path, data => onlyNew && documentAt(data, path) !== undefined ? undefined : [{ path, value }]);
    });

    app.patch(url, async (req, reply) => {
      authorize(req);
      const path = keysOf(req);
      const body = req.body as Value | undefined;
      return commit(store, req, reply, path, data => patchWrites(data, path, body));
    });

    app.delete(url, async (req, reply) => {
      authorize(req);
      const path = keysOf(req);
      return commit(store, req, reply, path, data => [removalWrite(data, path)]);
    });
  }
}

function keysOf(req: FastifyRequest): string[] {
  const url = req.url;
  const q = url.indexOf('?');
  return documentKeys((q < 0 ? url : url.slice(0, q)).slice(PREFIX.length));
}

/**
 * Makes the writes `plan` works out from the data when their turn comes (in order with other
 * writes, copies made between requests: see `PolicyStore.writeDataInBackground`), refusing writes
 * into documents rules define, then swaps in the new data. `plan` answers `undefined` when there
 * is nothing to write (`If-None-Match: *` on an existing document: 304).
 */
async function commit(store: PolicyStore, req: FastifyRequest, reply: FastifyReply, path: readonly string[], plan: (data: PlainObject) => DataWrite[] | undefined): Promise<FastifyReply> {
  let gen: Generation | undefined;
  try {
    gen = await store.writeDataInBackground(data => {
      const writes = plan(data);
      if (writes !== undefined) refuseRuleDocuments(store.generation, writes);
      return writes;
    });
  } catch (e) {
    if (e instanceof PolicyLoadError) return sendJsonText(reply, 400, JSON.stringify(loadErrorBody(e.detail)));
    throw writeError(e);
  }
  if (gen === undefined) return reply.code(304).send();
  logChange(req, 'data', pathName(path), gen.revision);
  return reply.code(204).send();
}

/** Throws a 404 `resource_conflict` for a write into (or over) a document a rule defines. */
function refuseRuleDocuments(gen: Generation | undefined, writes: readonly DataWrite[]): void {
  if (!gen) return;
  const rules = gen.prepared.rules();
  for (const w of writes) {
    for (const r of rules) {
      if (startsWith(w.path, r.keys) || (w.value !== undefined && startsWith(r.keys, w.path) && documentAt(w.value, r.keys.slice(w.path.length)) !== undefined)) {
        throw new HttpError('resource_conflict', `write conflict: ${pathName(r.keys)} is defined by a rule (${r.file}:${r.line}), not by data`);
      }
    }
  }
}

function writeError(e: unknown): unknown {
  if (e instanceof DocumentNotFound) return new HttpError('resource_not_found', e.message);
  if (e instanceof WriteConflict) return new HttpError('resource_conflict', `write conflict: ${e.message}`);
  if (e instanceof BadPatch || e instanceof TooManyWrites) return new HttpError('invalid_parameter', e.message);
  if (e instanceof StoreClosed) return new HttpError('not_ready', e.message);
  if (e instanceof WritesBusy) return new HttpError('not_ready', e.message).retryAfter(BUSY_RETRY_SECONDS);
  return e;
}
