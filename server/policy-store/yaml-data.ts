/**
 * YAML data files parsed off the serving thread, for reloads: a thread of their own parses one
 * (`yaml-worker.ts`) and sends the document back in parts, put together here as they come, a
 * part per turn of the event loop. The value and the errors are those of `parseDataFileSteps`.
 */
import { Worker } from 'node:worker_threads';
import type { PlainObject } from '../../engine/value.js';
import { DataAssembler } from '../decision/data-parts.js';
import { isYamlDataFile } from './sources.js';
import type { YamlJob, YamlReply } from './yaml-worker.js';

/**
 * Parses the YAML data files among `files` (by name), each on a thread of its own, one at a time.
 * `listed`, when given, gets the own keys of the objects put together from parts (the root and
 * those too large for a part), so that they are not listed again (see `Sources.knownKeys`).
 */
export async function parseYamlFilesInBackground(files: Map<string, string>, listed?: Map<object, string[]>): Promise<Map<string, PlainObject>> {
  const out = new Map<string, PlainObject>();
  for (const [name, text] of files) if (isYamlDataFile(name)) out.set(name, await parseYamlInBackground(name, text, listed));
  return out;
}

export function parseYamlInBackground(name: string, text: string, listed?: Map<object, string[]>): Promise<PlainObject> {
  return new Promise<PlainObject>((resolve, reject) => {
    const data = new DataAssembler({ listKeys: listed !== undefined });
    let settled = false;
    const settle = (err: Error | undefined): void => {
      if (settled) return;
      settled = true;
      void worker.terminate();
      if (err) { reject(err); return; }
      for (const [o, keys] of data.listed ?? []) listed!.set(o, keys);
      resolve(data.root);
    };
    const worker = new Worker(new URL('./yaml-worker.js', import.meta.url), { workerData: { name, text } satisfies YamlJob });
    worker.on('message', (m: YamlReply) => {
      if (m.kind === 'part') {
        try { data.add(m.part); } catch (e) { settle(e as Error); }
      } else if (m.kind === 'error') {
        settle(new Error(m.message));
      } else {
        settle(m.notObject ? new Error(`${name}: the data document must be an object`) : undefined);
      }
    });
    worker.on('error', e => settle(new Error(`${name}: ${e.message}`)));
    worker.on('exit', code => settle(new Error(`${name}: the YAML parser thread exited (code ${code}) before it was done`)));
  });
}
