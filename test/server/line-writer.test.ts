import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LineWriter } from '../../server/audit/line-writer.js';
import { LineFormatter, lineParts, QuoteCache } from '../../server/audit/line-format.js';

const quotes = new QuoteCache();
const partsOf = (i: number) => lineParts({ decision_id: `id-${i}`, api: 'decide', path: 'p', input: { n: i, pad: 'x'.repeat(i % 7) }, result: true, revision: 'r', latency_ns: i, cached: false }, 1_764_640_000_000 + i, quotes);
const turn = () => new Promise<void>(resolve => setImmediate(resolve));

/**
 * Makes writes to `fd` fail with a full disk while `full()` says so (pino's destination writes
 * with fs.writeSync); returns the function that undoes it.
 */
function failWritesWhile(fd: number, full: () => boolean): () => void {
  const writeSync = fs.writeSync;
  fs.writeSync = function (this: unknown, ...args: Parameters<typeof fs.writeSync>) {
    if (full() && args[0] === fd) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    return (writeSync as (...a: unknown[]) => number).apply(this, args);
  } as typeof fs.writeSync;
  return () => { fs.writeSync = writeSync; };
}

/**
 * A blocking writer encodes chunks into one reused buffer. A write that fails leaves its bytes
 * with the destination, to be written with the next: those bytes must never be overwritten by
 * the next chunk's, or the file would get one chunk twice and lose the other.
 */
test('a blocking writer whose writes fail for a while writes every line once, in order, after they succeed again', async () => {
  const dir = fs.mkdtempSync(join(tmpdir(), 'pol-line-writer-'));
  const path = join(dir, 'decisions.log');
  const fd = fs.openSync(path, 'a');
  const errors: string[] = [];
  const writer = new LineWriter({
    destination: fd, formatter: new LineFormatter([]), flushMs: 0, blocking: true, closeTimeoutMs: 1_000, maxUnwritten: 1 << 20,
    onWriteError: e => errors.push(e.code ?? ''),
  });
  let full = false;
  const restore = failWritesWhile(fd, () => full);
  let n = 0;
  const batch = async (lines: number) => { for (let i = 0; i < lines; i++) writer.push(partsOf(n++)); await turn(); };
  try {
    await batch(3);
    full = true;
    await batch(4);
    await batch(5);
    await batch(2);
    full = false;
    await batch(6);
    await batch(3);
  } finally {
    restore();
  }
  await writer.close();
  const text = fs.readFileSync(path, 'utf8');
  fs.rmSync(dir, { recursive: true, force: true, maxRetries: 2 });
  assert.ok(errors.length >= 3 && errors.every(c => c === 'ENOSPC'), `failed writes reported: ${errors.join(',')}`);
  assert.equal(writer.writeErrors, errors.length);
  assert.equal(writer.dropped, 0);
  assert.equal(writer.written, n);
  assert.ok(text.endsWith('\n'));
  const ids = text.slice(0, -1).split('\n').map(l => (JSON.parse(l) as { decision_id: string }).decision_id);
  assert.deepEqual(ids, Array.from({ length: n }, (_, i) => `id-${i}`));
});

test('a blocking writer counts the lines of chunks its destination drops past the unwritten limit, and goes on once it can write', async () => {
  const dir = fs.mkdtempSync(join(tmpdir(), 'pol-line-writer-'));
  const path = join(dir, 'decisions.log');
  const fd = fs.openSync(path, 'a');
  const writer = new LineWriter({ destination: fd, formatter: new LineFormatter([]), flushMs: 0, blocking: true, closeTimeoutMs: 1_000, maxUnwritten: 2_000 });
  let full = false;
  const restore = failWritesWhile(fd, () => full);
  let n = 0;
  const written: number[] = [];
  const batch = async (lines: number, kept: boolean) => {
    for (let i = 0; i < lines; i++) { if (kept) written.push(n); writer.push(partsOf(n++)); }
    await turn();
  };
  try {
    full = true;
    // About 150 bytes a line: the first batch is held, the next ones go past 2,000 bytes and are dropped.
    await batch(5, true);
    await batch(10, false);
    await batch(10, false);
    full = false;
    await batch(4, true);
  } finally {
    restore();
  }
  await writer.close();
  const text = fs.readFileSync(path, 'utf8');
  fs.rmSync(dir, { recursive: true, force: true, maxRetries: 2 });
  assert.equal(writer.dropped, 20);
  const ids = text.trimEnd().split('\n').map(l => (JSON.parse(l) as { decision_id: string }).decision_id);
  assert.deepEqual(ids, written.map(i => `id-${i}`));
});
