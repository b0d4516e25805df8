/**
 * The log's writer thread makes lines from the ring's bytes (`RecordLines`): a record whose
 * fields need nothing but copying (no error, strings without escapes, an input that can be
 * copied as it is, a result without masks) is copied piece by piece from the ring into the
 * lines' bytes, with no string, split or line object made for it; a text record's fields are
 * found by their NULs, a compact one's by the lengths in its head (`compact-record.ts`). Any
 * other record is decoded into text and made into a line by the formatter, as messages are.
 * Making strings of the ring's text, splitting them and joining the lines cost the writer thread
 * about 3 µs a record, and its CPU is what the log took from the server's throughput (see
 * bench/FINDINGS.md).
 */
import { COMPACT_MARK, CompactRecord } from './compact-record.js';
import { copyableSpan, type Span } from './input-text.js';
import { LINE_START, type LineFormatter, type LineParts } from './line-format.js';
import type { LineWriter } from './line-writer.js';
import { FIELDS, textRecordEnd, type RecordDecoder } from './record-codec.js';

/** The fields of a text record in the ring, in order (see `recordFields`). */
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
  /** Where each field of the text record being read ends (its NUL). */
  private readonly ends = new Int32Array(FIELDS);
  /** The compact record being read. */
  private readonly compact = new CompactRecord();
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

  /** Makes the lines of the whole records in `bytes[from, to)` (text and compact ones) and writes them. */
  take(bytes: Buffer, from: number, to: number): void {
    let start = from;
    while (start < to) {
      const compact = bytes[start] === COMPACT_MARK;
      const end = compact ? this.compact.read(bytes, start, to) : textRecordEnd(bytes, start, to, this.ends);
      this.room(end - start + LINE_OVERHEAD);
      const out = this.out!;
      const room = out.length - this.at >= end - start + LINE_OVERHEAD;
      if (room && (compact ? this.copyCompactLine(bytes, out) : this.copyTextLine(bytes, start, out))) { this.lines++; this.copied++; }
      else if (compact) this.formatLine(this.decoder.decodeFields(this.compact.fields(bytes), 0));
      else this.formatLine(this.decoder.decode(bytes.toString('utf8', start, end))[0]!);
      start = end;
    }
    this.write();
  }

  /**
   * Copies the line of the text record at `start` into `out` at `at`; false (nothing kept) when
   * a field needs more than copying. The line is the formatter's for the same record, byte for byte.
   */
  private copyTextLine(bytes: Buffer, start: number, out: Buffer): boolean {
    const e = this.ends;
    // Flags: only `r` (a revision) may be set; an error or quoted strings take the formatter.
    const flagsFrom = e[TIME]! + 1, flagsTo = e[FLAGS]!;
    const hasRevision = flagsTo - flagsFrom === 1 && bytes[flagsFrom] === HAS_REVISION;
    if (flagsTo !== flagsFrom && !hasRevision) return false;
    const input = this.inputSpan(bytes, e[KIND - 1]! + 1, e[KIND]!, e[INPUT - 1]! + 1, e[INPUT]!);
    if (input < 0) return false;
    const resultFrom = e[RESULT - 1]! + 1, resultTo = e[RESULT]!;
    if (resultTo > resultFrom && this.formatter.resultMask !== undefined) return false;
    const time = this.time(bytes, start, e[TIME]!);
    if (time < 0) return false;
    let at = this.copyHead(bytes, e[ID - 1]! + 1, e[ID]!, e[API - 1]! + 1, e[API]!, e[PATH - 1]! + 1, e[PATH]!, out);
    if (at < 0) return false;
    at = this.copyMiddle(bytes, input > 0, resultFrom, resultTo, hasRevision, e[REVISION - 1]! + 1, e[REVISION]!, out, at);
    if (at < 0) return false;
    at = copy(bytes, e[LATENCY - 1]! + 1, e[LATENCY]!, out, at);
    this.at = copyEnd(bytes[e[CACHED - 1]! + 1] === 0x31 /* 1 */, out, at);
    return true;
  }

  /** As `copyTextLine`, for the compact record just read (`compact`). */
  private copyCompactLine(bytes: Buffer, out: Buffer): boolean {
    const c = this.compact;
    const input = this.inputSpan(bytes, c.kindFrom, c.resultFrom, c.inputFrom, c.inputTo);
    if (input < 0) return false;
    if (c.inputFrom > c.resultFrom && this.formatter.resultMask !== undefined) return false;
    if (!Number.isSafeInteger(c.latency) || c.latency < 0 || !this.timeNumber(c.time)) return false;
    let at = this.copyHead(bytes, c.idFrom, c.apiFrom, c.apiFrom, c.pathFrom, c.pathFrom, c.revisionFrom, out);
    if (at < 0) return false;
    at = this.copyMiddle(bytes, input > 0, c.resultFrom, c.inputFrom, c.hasRevision, c.revisionFrom, c.kindFrom, out, at);
    if (at < 0) return false;
    at = writeDigits(c.latency, out, at);
    this.at = copyEnd(c.cached, out, at);
    return true;
  }

  /**
   * Where the line's input lies (into `span`), from the record's input kind (`kindFrom` to
   * `kindTo`) and text: 1 when there is one to copy, 0 when the line has none, -1 when it needs
   * more than copying (the text needs parsing again, or masks erased parts of it).
   */
  private inputSpan(bytes: Buffer, kindFrom: number, kindTo: number, inputFrom: number, inputTo: number): number {
    if (kindTo === kindFrom) return 0;
    if (kindTo - kindFrom !== 1) return -1;
    const kind = bytes[kindFrom];
    if (kind === KIND_MEMBER || kind === KIND_WHOLE) {
      return copyableSpan(bytes, inputFrom, inputTo, kind === KIND_MEMBER, this.formatter.inputMask, this.span) ? 1 : -1;
    }
    if (kind !== KIND_MASKED) return -1;
    // Masked on the request thread with nothing erased: the text is the line's input (none when empty).
    this.span.from = inputFrom; this.span.to = inputTo;
    return inputTo > inputFrom ? 1 : 0;
  }

  /** Copies the line's start up to the path (the time's part, the id, API and path); -1 when one needs escapes. */
  private copyHead(bytes: Buffer, idFrom: number, idTo: number, apiFrom: number, apiTo: number, pathFrom: number, pathTo: number, out: Buffer): number {
    let at = copy(this.timeStart, 0, this.timeStart.length, out, this.at);
    at = copyPlain(bytes, idFrom, idTo, out, at);
    if (at < 0) return -1;
    at = copy(API_NAME, 0, API_NAME.length, out, at);
    at = copyPlain(bytes, apiFrom, apiTo, out, at);
    if (at < 0) return -1;
    at = copy(PATH_NAME, 0, PATH_NAME.length, out, at);
    at = copyPlain(bytes, pathFrom, pathTo, out, at);
    if (at < 0) return -1;
    out[at++] = QUOTE;
    return at;
  }

  /** Copies the input (`span`, when there is one), the result and the revision, and the latency's name; -1 when the revision needs escapes. */
  private copyMiddle(bytes: Buffer, input: boolean, resultFrom: number, resultTo: number, hasRevision: boolean, revisionFrom: number, revisionTo: number, out: Buffer, at: number): number {
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
      at = copyPlain(bytes, revisionFrom, revisionTo, out, at);
      if (at < 0) return -1;
      out[at++] = QUOTE;
    }
    return copy(LATENCY_NAME, 0, LATENCY_NAME.length, out, at);
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
    this.useTime(ms);
    return ms;
  }

  /** Whether `ms` is a time a text record could carry (at most 15 digits), made the line's start as `time` does. */
  private timeNumber(ms: number): boolean {
    if (!Number.isSafeInteger(ms) || ms < 0 || ms >= 1e15) return false;
    this.useTime(ms);
    return true;
  }

  private useTime(ms: number): void {
    if (ms !== this.lastTime) {
      this.lastTime = ms;
      this.timeStart = bytesOf(`${LINE_START}${new Date(ms).toISOString()}","decision_id":"`);
    }
  }

  /** Makes a record's line with the formatter and adds its bytes. */
  private formatLine(parts: LineParts): void {
    const line = this.formatter.line(parts);
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

/** Writes the decimal digits of `n` (a safe non-negative integer) into `dst` at `at`; answers where they end. */
function writeDigits(n: number, dst: Buffer, at: number): number {
  let digits = 1;
  for (let p = 10; p <= n; p *= 10) digits++;
  let rest = n;
  for (let i = at + digits - 1; i >= at; i--) {
    const q = Math.floor(rest / 10);
    dst[i] = 48 + rest - q * 10;
    rest = q;
  }
  return at + digits;
}

/** Copies the line's end, from the cached flag on. */
function copyEnd(cached: boolean, dst: Buffer, at: number): number {
  const end = cached ? CACHED_END : UNCACHED_END;
  return copy(end, 0, end.length, dst, at);
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
