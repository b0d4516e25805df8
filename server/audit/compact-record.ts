/**
 * Compact decision records: the ring's form of the common record (no error, every string ASCII).
 * The request thread writes a small binary head (flags, time, latency and the strings' lengths)
 * and the strings one after another, as one latin1 write, instead of joining twelve fields with
 * NULs and encoding the text as UTF-8: about 150 ns a record against 320 in a loop here, and the
 * writer thread finds the fields from the lengths instead of scanning for NULs. Records that do
 * not qualify travel as text (`record-codec.ts`); a ring holds both, told apart by their first
 * byte (a text record starts with its time's digits).
 *
 * Layout, little-endian: mark (1 byte), flags (1), time in ms (float64), latency in ns (float64),
 * the lengths of the id, API, path, revision and input kind (uint16 each) and of the result and
 * input (uint32 each), then the strings in that order and a NUL (the input's scanner stops there).
 * The input's kind and text are the text form's (`RecordTexts`).
 */
import type { DecisionRecord, LineParts } from './line-format.js';
import { cutShort, FIELDS, textRecordEnd, type RecordDecoder, type RecordTexts } from './record-codec.js';
import type { RingWriter } from './record-ring.js';

/** A compact record's first byte (a text record's is a digit). */
export const COMPACT_MARK = 0x01;

/** Flags. */
const CACHED = 1, HAS_REVISION = 2;

const FLAGS_AT = 1, TIME_AT = 2, LATENCY_AT = 10, ID_LENGTH_AT = 18, API_LENGTH_AT = 20, PATH_LENGTH_AT = 22, REVISION_LENGTH_AT = 24, KIND_LENGTH_AT = 26, RESULT_LENGTH_AT = 28, INPUT_LENGTH_AT = 32;
/** Bytes before the strings. */
const HEAD = 36;
const MAX_SHORT = 0xffff;

/**
 * Writes `r` into the ring as a compact record, `time` its time in ms and `texts` its input and
 * result; false (nothing written) when the record does not qualify or the ring lacks room (the
 * caller then sends it as text).
 */
export function writeCompact(ring: RingWriter, r: DecisionRecord, time: number, texts: RecordTexts): boolean {
  if (r.error !== undefined) return false;
  const { decision_id: id, api, path } = r;
  const revision = r.revision ?? '';
  const { kind, input, result } = texts;
  if (id.length > MAX_SHORT || api.length > MAX_SHORT || path.length > MAX_SHORT || revision.length > MAX_SHORT || kind.length > MAX_SHORT) return false;
  const text = id + api + path + revision + kind + result + input;
  // ASCII only (every other character takes two or more bytes of UTF-8): then a character's
  // latin1 byte is its UTF-8.
  if (Buffer.byteLength(text, 'utf8') !== text.length) return false;
  const at = ring.reserve(HEAD + text.length + 1);
  if (at < 0) return false;
  const b = ring.bytes;
  b[at] = COMPACT_MARK;
  b[at + FLAGS_AT] = (r.cached ? CACHED : 0) | (r.revision !== undefined ? HAS_REVISION : 0);
  b.writeDoubleLE(time, at + TIME_AT);
  b.writeDoubleLE(r.latency_ns, at + LATENCY_AT);
  b.writeUInt16LE(id.length, at + ID_LENGTH_AT);
  b.writeUInt16LE(api.length, at + API_LENGTH_AT);
  b.writeUInt16LE(path.length, at + PATH_LENGTH_AT);
  b.writeUInt16LE(revision.length, at + REVISION_LENGTH_AT);
  b.writeUInt16LE(kind.length, at + KIND_LENGTH_AT);
  b.writeUInt32LE(result.length, at + RESULT_LENGTH_AT);
  b.writeUInt32LE(input.length, at + INPUT_LENGTH_AT);
  const end = at + HEAD + b.write(text, at + HEAD, 'latin1');
  b[end] = 0;
  ring.commit(end + 1);
  return true;
}

/** A compact record as read: its numbers, flags, and where its strings lie. */
export class CompactRecord {
  time = 0;
  latency = 0;
  cached = false;
  hasRevision = false;
  idFrom = 0; apiFrom = 0; pathFrom = 0; revisionFrom = 0; kindFrom = 0; resultFrom = 0; inputFrom = 0; inputTo = 0;

  /** Reads the compact record at `start` (before `to`); answers where it ends (after its NUL). */
  read(bytes: Buffer, start: number, to: number): number {
    if (to - start < HEAD) throw cutShort(start);
    const flags = bytes[start + FLAGS_AT]!;
    this.cached = (flags & CACHED) !== 0;
    this.hasRevision = (flags & HAS_REVISION) !== 0;
    this.time = bytes.readDoubleLE(start + TIME_AT);
    this.latency = bytes.readDoubleLE(start + LATENCY_AT);
    this.idFrom = start + HEAD;
    this.apiFrom = this.idFrom + bytes.readUInt16LE(start + ID_LENGTH_AT);
    this.pathFrom = this.apiFrom + bytes.readUInt16LE(start + API_LENGTH_AT);
    this.revisionFrom = this.pathFrom + bytes.readUInt16LE(start + PATH_LENGTH_AT);
    this.kindFrom = this.revisionFrom + bytes.readUInt16LE(start + REVISION_LENGTH_AT);
    this.resultFrom = this.kindFrom + bytes.readUInt16LE(start + KIND_LENGTH_AT);
    this.inputFrom = this.resultFrom + bytes.readUInt32LE(start + RESULT_LENGTH_AT);
    this.inputTo = this.inputFrom + bytes.readUInt32LE(start + INPUT_LENGTH_AT);
    if (this.inputTo >= to || bytes[this.inputTo] !== 0) throw cutShort(start);
    return this.inputTo + 1;
  }

  /** The record as the text form's fields (see `recordFields`), for the formatter. */
  fields(bytes: Buffer): string[] {
    const text = (from: number, to: number): string => bytes.toString('latin1', from, to);
    return [
      String(this.time), this.hasRevision ? 'r' : '', text(this.idFrom, this.apiFrom), text(this.apiFrom, this.pathFrom),
      text(this.pathFrom, this.revisionFrom), text(this.revisionFrom, this.kindFrom), String(this.latency), this.cached ? '1' : '0',
      '', text(this.kindFrom, this.resultFrom), text(this.inputFrom, this.inputTo), text(this.resultFrom, this.inputFrom),
    ];
  }
}

/**
 * The line pieces of the whole records in `bytes[from, to)`, text and compact ones, added to
 * `out` (for the request thread, to take over what a failed writer thread left in the ring).
 */
export function decodeRing(bytes: Buffer, from: number, to: number, decoder: RecordDecoder, out: LineParts[]): void {
  const compact = new CompactRecord();
  const ends = new Int32Array(FIELDS);
  let start = from;
  while (start < to) {
    if (bytes[start] === COMPACT_MARK) {
      const end = compact.read(bytes, start, to);
      out.push(decoder.decodeFields(compact.fields(bytes), 0));
      start = end;
      continue;
    }
    const end = textRecordEnd(bytes, start, to, ends);
    out.push(...decoder.decode(bytes.toString('utf8', start, end)));
    start = end;
  }
}

