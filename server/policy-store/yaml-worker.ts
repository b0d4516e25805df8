/**
 * A thread that parses a YAML data file for a reload (see `yaml-data.ts`): js-yaml takes about
 * 400 ms for 8 MB and cannot be paused, so the serving thread must not run it. The document
 * comes back in parts (`DataParts`), each its own message, so taking it in costs the serving
 * thread a part at a time rather than one long copy.
 */
import { parentPort, workerData } from 'node:worker_threads';
import yaml from 'js-yaml';
import type { PlainObject } from '../../engine/value.js';
import { DataParts, type DataPart } from '../decision/data-parts.js';

/** What the serving thread passes: the file's name (for messages) and text. */
export interface YamlJob { name: string; text: string }

/** Messages back: the document's parts, then `done`; or `error` (js-yaml's message, which names the file). */
export type YamlReply = { kind: 'part'; part: DataPart } | { kind: 'done'; notObject: boolean } | { kind: 'error'; message: string };

if (parentPort) {
  const port = parentPort;
  const { name, text } = workerData as YamlJob;
  let doc: unknown;
  try {
    doc = yaml.load(text, { schema: yaml.JSON_SCHEMA, filename: name }) ?? {};
  } catch (e) {
    port.postMessage({ kind: 'error', message: e instanceof Error ? e.message : String(e) } satisfies YamlReply);
    doc = undefined;
  }
  if (doc !== undefined) {
    const notObject = typeof doc !== 'object' || doc === null || Array.isArray(doc);
    if (!notObject) {
      // Run to the end here: this thread has nothing else to do.
      const steps = new DataParts(doc as PlainObject).steps(part => port.postMessage({ kind: 'part', part } satisfies YamlReply));
      while (!steps.next().done);
    }
    port.postMessage({ kind: 'done', notObject } satisfies YamlReply);
  }
}
