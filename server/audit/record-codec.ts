/**
 * Decision records as text, for the trip from the request thread to the log's writer thread.
 * The request thread only lays a record's fields side by side (no quoting, no serialising when
 * the request's JSON text is at hand); a `join` makes the text (one per record for the ring, one
 * per piece for a message), with a NUL after every field. JSON text never holds a raw NUL; the
 * few plain strings that do (an id, a path) make the record's strings travel JSON-quoted, as its
 * flags say. The writer thread splits them and makes the line's pieces (`LineParts`).
 */
import { compactJson } from '../../engine/json.js';
import { quoteJsonString } from '../../engine/value.js';
import { lineApiPath, lineHeadFrom, lineRevision, lineTailFrom, type DecisionRecord, type InputKind, type InputMasker, type LineParts, type QuoteCache } from './line-format.js';

const SEP = '\u0000';
/** Fields per record. */
export const FIELDS = 12;

/**
 * Flags, one letter each: a revision is present, an error is present, the strings are
 * JSON-quoted.
 */
const HAS_REVISION = 1, HAS_ERROR = 2, QUOTED = 4;
const FLAG_LETTERS = 'req';
const FLAG_TEXT = Array.from({ length: 8 }, (_, flags) => [...FLAG_LETTERS].filter((_, bit) => flags & (1 << bit)).join(''));

/**
 * A record's input and result as they travel: the input's kind (`m`, `w`: the request's JSON
 * text, its `input` member or whole; `x` then the orders of the masks applied: serialised here
 * with its masks, see `InputMasker`; empty: none), the input's text and the result's compact
 * JSON. Made once a record (`recordTexts`), for either form of it in the ring.
 */
export interface RecordTexts { kind: string; input: string; result: string }

/** Fills `out` with the record's input and result texts. An input without request text is serialised here with its masks (`masker`). */
export function recordTexts(r: DecisionRecord, masker: InputMasker, out: RecordTexts): RecordTexts {
  if (r.input_text !== undefined && r.input_text.indexOf(SEP) === -1) {
    out.kind = r.input_member ? 'm' : 'w';
    out.input = r.input_text;
  } else if (r.input !== undefined) {
    [out.kind, out.input] = masker.encode(r.input);
  } else {
    out.kind = ''; out.input = '';
  }
  out.result = r.result_json ?? (r.result !== undefined ? compactJson(r.result) : '');
  return out;
}

/**
 * Writes a record's fields into `out` (length `FIELDS`, reused) and answers how many characters
 * they take in a message (numbers counted at their longest). `time` is the record's time in
 * milliseconds, as decimal text; `texts` its input and result (`recordTexts`).
 */
export function recordFields(r: DecisionRecord, time: string, out: (string | number)[], texts: RecordTexts): number {
  let flags = 0;
  if (r.revision !== undefined) flags |= HAS_REVISION;
  if (r.error !== undefined) flags |= HAS_ERROR;
  const revision = r.revision ?? '', error = r.error ?? '';
  const { kind, input, result } = texts;
  const { decision_id: id, api, path } = r;
  if (id.indexOf(SEP) !== -1 || api.indexOf(SEP) !== -1 || path.indexOf(SEP) !== -1 || revision.indexOf(SEP) !== -1 || error.indexOf(SEP) !== -1) {
    flags |= QUOTED;
    out[2] = JSON.stringify(id); out[3] = JSON.stringify(api); out[4] = JSON.stringify(path);
    out[5] = JSON.stringify(revision); out[8] = JSON.stringify(error);
  } else {
    out[2] = id; out[3] = api; out[4] = path; out[5] = revision; out[8] = error;
  }
  out[0] = time; out[1] = FLAG_TEXT[flags]!; out[6] = r.latency_ns; out[7] = r.cached ? '1' : '0';
  out[9] = kind; out[10] = input; out[11] = result;
  return (out[2] as string).length + (out[3] as string).length + (out[4] as string).length + (out[5] as string).length
    + (out[8] as string).length + input.length + result.length + 60;
}

/** Joins records' fields into one message: every field followed by a NUL, as in the ring. */
export function joinRecords(fields: (string | number)[]): string {
  return recordText(fields) + SEP;
}

/** One record's text, its fields NUL-separated (the ring writes the last NUL after it). */
export function recordText(fields: (string | number)[]): string {
  return fields.join(SEP);
}

/**
 * Turns records' text back into line pieces without values. Most records share their API, path
 * and revision with the record before: their quoted forms are kept and reused while the text is
 * the same. Compared rather than flagged by the sender, so that any run of records decodes on
 * its own (the ring's reader may start at any record, and so may a recovery after it failed).
 */
export class RecordDecoder {
  private api = '';
  private path = '';
  private apiPath = '';
  private revision = '';
  private revisionPart = '';

  constructor(private readonly quotes: QuoteCache) {}

  /** The records of `text`: whole records, every field followed by a NUL. */
  decode(text: string): LineParts[] {
    const f = text.split(SEP);
    // After the last field's NUL, one empty string.
    if (f.length % FIELDS !== 1 || f[f.length - 1] !== '') throw new Error(`decision log text has ${f.length - 1} fields, not whole records of ${FIELDS}`);
    const out: LineParts[] = [];
    for (let i = 0; i + FIELDS < f.length; i += FIELDS) out.push(this.decodeFields(f, i));
    return out;
  }

  /** The record whose fields are `f[i, i + FIELDS)`. */
  decodeFields(f: string[], i: number): LineParts {
    const flags = f[i + 1]!;
    const kind = f[i + 9]!;
    const quoted = flags.includes('q');
    const api = fieldText(f[i + 3]!, quoted), path = fieldText(f[i + 4]!, quoted);
    if (api !== this.api || path !== this.path || this.apiPath === '') {
      this.api = api; this.path = path; this.apiPath = lineApiPath(this.quotes, api, path);
    }
    let revisionPart = '';
    if (flags.includes('r')) {
      const revision = fieldText(f[i + 5]!, quoted);
      if (revision !== this.revision || this.revisionPart === '') { this.revision = revision; this.revisionPart = lineRevision(this.quotes, revision); }
      revisionPart = this.revisionPart;
    }
    return {
      time: Number(f[i]), head: lineHeadFrom(fieldText(f[i + 2]!, quoted), this.apiPath), inputKind: (kind.length > 1 ? 'x' : kind) as InputKind, inputText: f[i + 10]!, inputErased: kind.length > 1 ? kind.slice(1) : '',
      hasValues: false, inputValue: undefined, resultJson: f[i + 11]!, resultValue: undefined, tail: lineTailFrom(revisionPart, f[i + 6]!, f[i + 7] === '1'),
      error: flags.includes('e') ? quoteJsonString(fieldText(f[i + 8]!, quoted)) : '',
    };
  }
}

/**
 * Where the text record at `bytes[start]` ends (after its last field's NUL), each field's NUL
 * noted in `ends` (length `FIELDS`); throws when the record is cut short before `to`.
 */
export function textRecordEnd(bytes: Buffer, start: number, to: number, ends: Int32Array): number {
  let i = start;
  for (let f = 0; f < FIELDS; f++) {
    while (i < to && bytes[i] !== 0) i++;
    if (i === to) throw cutShort(start);
    ends[f] = i++;
  }
  return i;
}

export function cutShort(start: number): Error {
  return new Error(`decision log ring holds a record cut short at byte ${start}`);
}

/** A string field as it travelled: JSON-quoted when the record's flags say so. */
function fieldText(field: string, quoted: boolean): string {
  return quoted ? JSON.parse(field) as string : field;
}
