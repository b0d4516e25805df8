/**
 * The writer thread copies records from the ring's bytes straight into their lines
 * (`RecordLines`) when nothing needs more than copying, and hands the rest to the formatter.
 * Either way a line must be the formatter's line for the record, byte for byte, and lines must
 * keep the records' order, also around lines queued before them and writes that fail.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputMasker, LineFormatter, lineParts, QuoteCache, type DecisionRecord } from '../../server/audit/line-format.js';
import { LineWriter } from '../../server/audit/line-writer.js';
import { FIELDS, RecordDecoder, recordFields, recordText, recordTexts } from '../../server/audit/record-codec.js';
import { RecordLines } from '../../server/audit/record-lines.js';
import { allocateRing, RingReader, RingWriter } from '../../server/audit/record-ring.js';
import { COMPACT_MARK, writeCompact } from '../../server/audit/compact-record.js';

const MASK = ['/input/password', '/input/request/headers/authorization'];
const T0 = 1_764_640_000_000;
const BODY = JSON.stringify({ path: 'bench/allow', input: { user: 'bob', action: 'read', resource: { type: 'document', id: '42' } } });

const base: DecisionRecord = {
  decision_id: '6f1c2a9e-3b7d-4c1e-9a55-0d2f7e8b1c43', api: 'decide', path: 'bench/allow', input: undefined, result: true,
  result_json: 'true', input_text: BODY, input_member: true, revision: 'rev-1', latency_ns: 1234, cached: true,
};

/** Records of every shape, and whether each can be copied (with `MASK`, no result mask). */
const RECORDS: [DecisionRecord, boolean][] = [
  [base, true],
  [{ ...base, revision: undefined, cached: false, latency_ns: 98_765 }, true],
  [{ ...base, input_text: '{"user":"ann","n":[1,2.5,-3]}', input_member: false, api: 'data', path: 'rbac/allow' }, true],
  [{ ...base, input_text: undefined, input: { user: 'bob', password: 'hunter2' } }, false],
  [{ ...base, input_text: undefined, input: { user: 'bob', headers: { authorization: 'kept: not under /input/request' } } }, true],
  [{ ...base, input_text: undefined, input: undefined }, true],
  [{ ...base, result_json: undefined, result: { allow: true, reasons: ['a', 'b'] } }, true],
  [{ ...base, result_json: undefined, result: undefined }, true],
  [{ ...base, error: 'evaluation timed out' }, false],
  [{ ...base, decision_id: 'id "with" quotes' }, false],
  [{ ...base, decision_id: 'tab\there' }, false],
  [{ ...base, path: 'über/allow€', revision: 'rév' }, true],
  [{ ...base, path: 'nul\u0000path' }, false],
  [{ ...base, input_text: '{"input": {"user":"bob"}}' }, true],
  [{ ...base, input_text: '{"input":{"user": "bob"}}' }, false],
  [{ ...base, input_text: '{"input":{"user":"bob","password":"x"}}' }, false],
  [{ ...base, input_text: '{"input":{"user":"😀"}}' }, false],
  [{ ...base, input_text: '{"input":{"a":1,"a":2}}' }, false],
  [{ ...base, input_text: '{"path":"x"}' }, false],
  [{ ...base, input_text: '{"input":{"s":"ünïcode \\"q\\" \\n"}}', api: 'forward_auth', path: 'gateway/decision' }, true],
];

/** How records go through the ring: all as text, or compact where they can (the request thread's way). */
type Encoding = 'text' | 'compact';
const ENCODINGS: Encoding[] = ['text', 'compact'];

/**
 * The ring's bytes for records, one after another, as the request thread writes them; each
 * record's text (what a text record holds: its fields with a NUL after each), and where each
 * record's bytes end.
 */
function ringBytes(records: DecisionRecord[], time: (i: number) => number, masker: InputMasker, encoding: Encoding): { bytes: Buffer; texts: string[]; ends: number[] } {
  const fields: (string | number)[] = new Array(FIELDS);
  const memory = allocateRing(4 << 20);
  const writer = new RingWriter(memory, 1 << 30), reader = new RingReader(memory);
  const chunks: Buffer[] = [], ends: number[] = [];
  let length = 0;
  const texts = records.map((r, i) => {
    const input = recordTexts(r, masker, { kind: '', input: '', result: '' });
    recordFields(r, String(time(i)), fields, input);
    const text = recordText(fields);
    if (encoding === 'text' || !writeCompact(writer, r, time(i), input)) assert.ok(writer.write(text));
    reader.read((b, from, to) => { chunks.push(Buffer.from(b.subarray(from, to))); length += to - from; });
    ends.push(length);
    return text + '\u0000';
  });
  return { bytes: Buffer.concat(chunks), texts, ends };
}

/** The formatter's lines for the records' texts: what the copies must equal. */
function expectedLines(texts: string[], mask: string[]): string {
  const formatter = new LineFormatter(mask);
  const decoder = new RecordDecoder(new QuoteCache());
  return texts.map(t => formatter.line(decoder.decode(t)[0]!)).join('');
}

function tempLog(): { path: string; fd: number; done(): string } {
  const dir = fs.mkdtempSync(join(tmpdir(), 'pol-record-lines-'));
  const path = join(dir, 'decisions.log');
  const fd = fs.openSync(path, 'a');
  return { path, fd, done: () => { const text = fs.readFileSync(path, 'utf8'); fs.rmSync(dir, { recursive: true, force: true, maxRetries: 2 }); return text; } };
}

function linesFor(fd: number, mask: string[]): { writer: LineWriter; lines: RecordLines; formatter: LineFormatter } {
  const formatter = new LineFormatter(mask);
  const writer = new LineWriter({ destination: fd, formatter, flushMs: 0, blocking: true, closeTimeoutMs: 1_000, maxUnwritten: 64 << 20 });
  return { writer, lines: new RecordLines(writer, formatter, new RecordDecoder(new QuoteCache())), formatter };
}

for (const encoding of ENCODINGS) {
  test(`every record gives the formatter's line, copied when nothing needs more than copying (${encoding} records)`, async () => {
    for (const mask of [MASK, [...MASK, '/result/reasons']]) {
      const log = tempLog();
      const { writer, lines } = linesFor(log.fd, mask);
      const records = RECORDS.map(([r]) => r);
      // Records in one millisecond share the time's text; later ones do not.
      const { bytes, texts, ends } = ringBytes(records, i => T0 + (i >> 2), new InputMasker(mask), encoding);
      // In two runs, as a wrapped ring hands them.
      const cut = ends[6]!;
      lines.take(bytes, 0, cut);
      lines.take(bytes, cut, bytes.length);
      await writer.close();
      assert.equal(log.done(), expectedLines(texts, mask));
      const copyable = RECORDS.filter(([r, copied]) => copied && (mask.length === MASK.length || r.result_json === undefined && r.result === undefined)).length;
      assert.equal(lines.copied, copyable, `with masks ${mask.join(' ')}`);
      assert.equal(writer.written, records.length);
      // Compact where the request thread writes them so: no error, ASCII only.
      const compact = records.filter(r => r.error === undefined
        && /^[\x00-\x7f]*$/.test(r.decision_id + r.api + r.path + (r.revision ?? '') + (r.input_text ?? JSON.stringify(r.input) ?? '') + JSON.stringify(r.result))).length;
      assert.ok(compact > 10);
      assert.equal(ends.filter((_, i) => bytes[i === 0 ? 0 : ends[i - 1]!] === COMPACT_MARK).length, encoding === 'compact' ? compact : 0);
    }
  });

  test(`many records are written in chunks, and one longer than the whole space on its own, in order (${encoding} records)`, async () => {
    const log = tempLog();
    const { writer, lines } = linesFor(log.fd, MASK);
    const big = { ...base, input_text: JSON.stringify({ input: { blob: 'x'.repeat(400_000) } }) };
    const records = Array.from({ length: 3_000 }, (_, i) => i === 1_500 ? big : i % 3 === 0 ? { ...base, decision_id: `id-${i}` } : { ...RECORDS[i % RECORDS.length]![0], decision_id: `id-${i}` });
    const { bytes, texts } = ringBytes(records, i => T0 + i, new InputMasker(MASK), encoding);
    lines.take(bytes, 0, bytes.length);
    await writer.close();
    const text = log.done();
    assert.equal(text, expectedLines(texts, MASK));
    assert.ok(lines.copied > 1_000, `copied ${lines.copied}`);
  });

test('lines queued before the ring\'s records are written before them', async () => {
    const log = tempLog();
    const { writer, lines, formatter } = linesFor(log.fd, MASK);
    const quotes = new QuoteCache();
    const queued = [0, 1, 2].map(i => lineParts({ ...base, decision_id: `queued-${i}` }, T0, quotes));
    for (const p of queued) writer.push(p);
    const { bytes, texts } = ringBytes([0, 1].map(i => ({ ...base, decision_id: `ring-${i}` })), () => T0, new InputMasker(MASK), encoding);
    lines.take(bytes, 0, bytes.length);
    const last = lineParts({ ...base, decision_id: 'queued-3' }, T0, quotes);
    writer.push(last);
    await writer.close();
    const text = log.done();
    assert.equal(text, queued.slice(0, 3).map(p => formatter.line(p)).join('') + expectedLines(texts, MASK) + formatter.line(last));
    const ids = [...text.matchAll(/"decision_id":"([^"]+)"/g)].map(m => m[1]);
    assert.deepEqual(ids, ['queued-0', 'queued-1', 'queued-2', 'ring-0', 'ring-1', 'queued-3']);
  });

  test(`lines copied while writes fail are written once each, in order, once writes succeed (${encoding} records)`, async () => {
    const log = tempLog();
    const { writer, lines } = linesFor(log.fd, MASK);
    let full = false;
    const writeSync = fs.writeSync;
    fs.writeSync = function (this: unknown, ...args: Parameters<typeof fs.writeSync>) {
      if (full && args[0] === log.fd) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      return (writeSync as (...a: unknown[]) => number).apply(this, args);
    } as typeof fs.writeSync;
    const all: string[] = [];
    let n = 0;
    const batch = (count: number) => {
      const { bytes, texts } = ringBytes(Array.from({ length: count }, () => ({ ...base, decision_id: `id-${n++}` })), i => T0 + i, new InputMasker(MASK), encoding);
      all.push(...texts);
      lines.take(bytes, 0, bytes.length);
    };
    try {
      batch(3);
      full = true;
      batch(400);
      batch(5);
      full = false;
      batch(600);
      batch(2);
    } finally {
      fs.writeSync = writeSync;
    }
    await writer.close();
    assert.ok(writer.writeErrors >= 2, `failed writes: ${writer.writeErrors}`);
    assert.equal(log.done(), expectedLines(all, MASK));
  });

  test(`a record cut short is reported, not written half (${encoding} records)`, () => {
    const log = tempLog();
    const { lines } = linesFor(log.fd, MASK);
    const { bytes } = ringBytes([base], () => T0, new InputMasker(MASK), encoding);
    assert.throws(() => lines.take(bytes, 0, bytes.length - 3), /cut short/);
    fs.closeSync(log.fd);
    assert.equal(log.done(), '');
  });
}
