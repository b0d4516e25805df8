/**
 * The log's writer thread makes lines from the ring's bytes (`RecordLines`): a record whose
 * fields need nothing but copying (no error, strings without escapes, an input that can be
 * copied as it is, a result without masks) is copied piece by piece from the ring into the
 * lines' bytes, with no string, split or line object made for it. Any other record is decoded
 * into text and made into a line by the formatter, as messages are. Making strings of the ring's
 * text, splitting them and joining the lines cost the writer thread about 3 µs a record, and its
 * CPU is what the log took from the server's throughput (see bench/FINDINGS.md).
 */
import { copyableSpan, type Span } from './input-text.js';
import { LINE_START, type LineFormatter } from './line-format.js';
import type { LineWriter } from './line-writer.js';
import { FIELDS, type RecordDecoder } from './record-codec.js';

/** The fields of a record in the ring, in order (see `recordFields`). */
const TIME = 0, FLAGS = 1, ID = 2, API = 3, PATH = 4, REVISION = 5, LATENCY = 6, CACHED = 7, KIND = 9, INPUT = 10, RESULT = 11;

/** Flag and kind letters, as bytes. */
const HAS_REVISION = 0x72 /* r */, KIND_MEMBER = 0x6d /* m */, KIND_WHOLE = 0x77 /* w */, KIND_MASKED = 0x78 /* x */;
const QUOTE = 0x22, BACKSLASH = 0x5c;

/**
 * Bytes a line may take beyond its record's: the names and punctuation of every field, and the
 * time as ISO text (a record's own separators and flags make up for the rest).
 */
const LINE_OVERHEAD = 256;

/** Bytes of lines gathered before they are written (one write each). */
const WRITE_BYTES = 64 * 1024;

/**
 * Copies shorter than this go byte by byte: a native copy makes a view of the source first, and
 * with the call costs more than the loop for the usual fields and inputs.
 */
const SHORT_COPY = 512;

const bytesOf = (text: string): Buffer => Buffer.from(text, 'latin1');
const API_NAME = bytesOf('","api":"'), PATH_NAME = bytesOf('","path":"'), INPUT_NAME = bytesOf(',"input":'), RESULT_NAME = bytesOf(',"result":');
const REVISION_NAME = bytesOf(',"revision":"'), LATENCY_NAME = bytesOf(',"latency_ns":');
const CACHED_END = bytesOf(',"cached":true,"msg":"decision"}\n'), UNCACHED_END = bytesOf(',"cached":false,"msg":"decision"}\n');

export class RecordLines {
  /** Where each field of the record being read ends (its NUL). */
  private readonly ends = new Int32Array(FIELDS);
  private readonly span: Span = { from: 0, to: 0 };
  /** The line's start up to the decision id, for the last time seen (records of one millisecond share it). */
  private lastTime = -1;
  private timeStart: Buffer = Buffer.alloc(0);
  /** The lines being gathered, and how many bytes and lines it holds. */
  private out: Buffer | undefined;
  private at = 0;
  private lines = 0;
  /** Lines copied from the ring (the rest were made by the formatter). */
  copied = 0;

  constructor(private readonly writer: LineWriter, private readonly formatter: LineFormatter, private readonly decoder: RecordDecoder) {}

  /** Makes the lines of the whole records in `bytes[from, to)` and writes them. */
  take(bytes: Buffer, from: number, to: number): void {
    let start = from;
    while (start < to) {
      const end = this.fieldEnds(bytes, start, to);
      this.room(end - start + LINE_OVERHEAD);
      const out = this.out!;
      if (out.length - this.at >= end - start + LINE_OVERHEAD && this.copyLine(bytes, start, out)) { this.lines++; this.copied++; }
      else this.formatLine(bytes.toString('utf8', start, end));
      start = end;
    }
    this.write();
  }

  /** Finds the ends of the fields of the record at `start` (into `ends`); answers where the record ends. */
  private fieldEnds(bytes: Buffer, start: number, to: number): number {
    const ends = this.ends;
    let i = start;
    for (let f = 0; f < FIELDS; f++) {
      while (i < to && bytes[i] !== 0) i++;
      if (i === to) throw new Error(`decision log ring holds a record cut short at byte ${start}`);
      ends[f] = i++;
    }
    return i;
  }

  /**
   * Copies the line of the record at `start` into `out` at `at`; false (nothing kept) when a
   * field needs more than copying. The line is the formatter's for the same record, byte for byte.
   */
  private copyLine(bytes: Buffer, start: number, out: Buffer): boolean {
    const e = this.ends;
    // Flags: only `r` (a revision) may be set; an error or quoted strings take the formatter.
    const flagsFrom = e[TIME]! + 1, flagsTo = e[FLAGS]!;
    const hasRevision = flagsTo - flagsFrom === 1 && bytes[flagsFrom] === HAS_REVISION;
    if (flagsTo !== flagsFrom && !hasRevision) return false;
    let input = false, member = false;
    const kindFrom = e[KIND - 1]! + 1, kindLength = e[KIND]! - kindFrom;
    if (kindLength === 1) {
      const kind = bytes[kindFrom];
      if (kind === KIND_MEMBER || kind === KIND_WHOLE) {
        member = kind === KIND_MEMBER;
        if (!copyableSpan(bytes, e[INPUT - 1]! + 1, e[INPUT]!, member, this.formatter.inputMask, this.span)) return false;
        input = true;
      } else if (kind === KIND_MASKED) {
        // Masked on the request thread with nothing erased: the text is the line's input (none when empty).
        this.span.from = e[INPUT - 1]! + 1; this.span.to = e[INPUT]!;
        input = this.span.to > this.span.from;
      } else {
        return false;
      }
    } else if (kindLength !== 0) {
      return false;
    }
    const resultFrom = e[RESULT - 1]! + 1, resultTo = e[RESULT]!;
    if (resultTo > resultFrom && this.formatter.resultMask !== undefined) return false;
    const time = this.time(bytes, start, e[TIME]!);
    if (time < 0) return false;

    let at = copy(this.timeStart, 0, this.timeStart.length, out, this.at);
    at = copyPlain(bytes, e[ID - 1]! + 1, e[ID]!, out, at);
    if (at < 0) return false;
    at = copy(API_NAME, 0, API_NAME.length, out, at);
    at = copyPlain(bytes, e[API - 1]! + 1, e[API]!, out, at);
    if (at < 0) return false;
    at = copy(PATH_NAME, 0, PATH_NAME.length, out, at);
    at = copyPlain(bytes, e[PATH - 1]! + 1, e[PATH]!, out, at);
    if (at < 0) return false;
    out[at++] = QUOTE;
    if (input) {
      at = copy(INPUT_NAME, 0, INPUT_NAME.length, out, at);
      at = copy(bytes, this.span.from, this.span.to, out, at);
    }
    if (resultTo > resultFrom) {
      at = copy(RESULT_NAME, 0, RESULT_NAME.length, out, at);
      at = copy(bytes, resultFrom, resultTo, out, at);
    }
    if (hasRevision) {
      at = copy(REVISION_NAME, 0, REVISION_NAME.length, out, at);
      at = copyPlain(bytes, e[REVISION - 1]! + 1, e[REVISION]!, out, at);
      if (at < 0) return false;
      out[at++] = QUOTE;
    }
    at = copy(LATENCY_NAME, 0, LATENCY_NAME.length, out, at);
    at = copy(bytes, e[LATENCY - 1]! + 1, e[LATENCY]!, out, at);
    const end = bytes[e[CACHED - 1]! + 1] === 0x31 /* 1 */ ? CACHED_END : UNCACHED_END;
    this.at = copy(end, 0, end.length, out, at);
    return true;
  }

  /**
   * The time field's milliseconds, with the line's start up to the decision id made for it in
   * `timeStart`; -1 when the field is not plain digits.
   */
  private time(bytes: Buffer, from: number, to: number): number {
    if (to === from || to - from > 15) return -1;
    let ms = 0;
    for (let i = from; i < to; i++) {
      const c = bytes[i]! - 48;
      if (c < 0 || c > 9) return -1;
      ms = ms * 10 + c;
    }
    if (ms !== this.lastTime) {
      this.lastTime = ms;
      this.timeStart = bytesOf(`${LINE_START}${new Date(ms).toISOString()}","decision_id":"`);
    }
    return ms;
  }

  /** Makes a record's line with the formatter (from its text) and adds its bytes. */
  private formatLine(text: string): void {
    const parts = this.decoder.decode(text);
    for (let i = 0; i < parts.length; i++) {
      const line = this.formatter.line(parts[i]!);
      // UTF-8 takes at most three bytes per UTF-16 code unit.
      this.room(line.length * 3);
      const out = this.out!;
      if (out.length - this.at >= line.length * 3) {
        this.at += out.write(line, this.at, 'utf8');
        this.lines++;
      } else {
        // Longer than the whole space: written on its own.
        this.write();
        this.writer.writeLine(line);
      }
    }
  }

  /** Makes sure `bytes` fit after what is gathered, writing that first when they do not (or when it is enough to write). */
  private room(bytes: number): void {
    if (this.out !== undefined && (this.out.length - this.at < bytes || this.at >= WRITE_BYTES)) this.write();
    this.out ??= this.writer.lineSpace();
  }

  /** Writes the lines gathered. */
  private write(): void {
    const out = this.out;
    if (out === undefined) return;
    if (this.at > 0) this.writer.writeBytes(out.subarray(0, this.at), this.lines);
    this.out = undefined;
    this.at = 0;
    this.lines = 0;
  }
}

/** Copies `src[from, to)` into `dst` at `at`; answers where the copy ends. */
function copy(src: Buffer, from: number, to: number, dst: Buffer, at: number): number {
  const n = to - from;
  if (n < SHORT_COPY) for (let i = 0; i < n; i++) dst[at + i] = src[from + i]!;
  else src.copy(dst, at, from, to);
  return at + n;
}

/**
 * Copies a string field that JSON quoting leaves as it is (no quote, backslash or control
 * character: every other byte of well-formed UTF-8 stays); -1 when it needs escapes.
 */
function copyPlain(src: Buffer, from: number, to: number, dst: Buffer, at: number): number {
  if (at < 0) return -1;
  for (let i = from; i < to; i++) {
    const c = src[i]!;
    if (c < 0x20 || c === QUOTE || c === BACKSLASH) return -1;
    dst[at++] = c;
  }
  return at;
}
