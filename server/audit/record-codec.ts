/**
 * Decision records as text, for the trip from the request thread to the log's writer thread: a
 * record's line pieces (`LineParts`, made by the request thread) joined by NUL, which none of them
 * holds raw (they are JSON text, and `lineParts` keeps a request text with a NUL out). The writer
 * thread splits them and makes the lines.
 */
import type { InputKind, LineParts } from './line-format.js';

const SEP = '\u0000';
/** Fields per record. */
const FIELDS = 7;

/** A record's pieces as text (fields in the order `decodeRecords` reads them). */
export function encodeRecord(p: LineParts): string {
  return p.time + SEP + p.head + SEP + p.inputKind + SEP + p.inputText + SEP + p.resultJson + SEP + p.tail + SEP + p.error;
}

/** Joins encoded records into one message. */
export function joinRecords(encoded: string[]): string {
  return encoded.join(SEP);
}

/** The records of one message, as line pieces without values. */
export function decodeRecords(message: string): LineParts[] {
  const f = message.split(SEP);
  if (f.length % FIELDS !== 0) throw new Error(`decision log message has ${f.length} fields, not a multiple of ${FIELDS}`);
  const out: LineParts[] = [];
  for (let i = 0; i < f.length; i += FIELDS) {
    out.push({
      time: Number(f[i]), head: f[i + 1]!, inputKind: f[i + 2] as InputKind, inputText: f[i + 3]!,
      hasValues: false, inputValue: undefined, resultJson: f[i + 4]!, resultValue: undefined, tail: f[i + 5]!, error: f[i + 6]!,
    });
  }
  return out;
}
