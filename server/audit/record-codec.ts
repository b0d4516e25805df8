/**
 * Decision records as text, for the trip from the request thread to the log's writer thread.
 * The request thread only lays a record's fields side by side (no quoting, no serialising when
 * the request's JSON text is at hand); one `join` per message makes the text, with NUL between
 * fields. JSON text never holds a raw NUL; the few plain strings that do (an id, a path) make
 * the record's strings travel JSON-quoted, as its flags say. The writer thread splits them and
 * makes the line's pieces (`LineParts`).
 */
import { compactJson } from '../../engine/json.js';
import { quoteJsonString } from '../../engine/value.js';
import { lineApiPath, lineHeadFrom, lineRevision, lineTailFrom, type DecisionRecord, type InputKind, type InputMasker, type LineParts, type QuoteCache } from './line-format.js';

const SEP = '\u0000';
/** Fields per record. */
export const FIELDS = 12;

/**
 * Flags, one letter each: a revision is present, an error is present, the strings are
 * JSON-quoted, the API and path are the previous record's in this message (sent empty), the
 * revision is (sent empty). Most records of a message share these strings: the writer thread then
 * reuses their quoted forms instead of looking each up again.
 */
const HAS_REVISION = 1, HAS_ERROR = 2, QUOTED = 4, SAME_API_PATH = 8, SAME_REVISION = 16;
const FLAG_LETTERS = 'reqsv';
const FLAG_TEXT = Array.from({ length: 32 }, (_, flags) => [...FLAG_LETTERS].filter((_, bit) => flags & (1 << bit)).join(''));

/** The strings the last record of the message being laid out had (see `SAME_API_PATH`); reset per message. */
export class SharedFields {
  api: string | undefined;
  path: string | undefined;
  revision: string | undefined;
  reset(): void { this.api = this.path = this.revision = undefined; }
}

/**
 * Writes a record's fields into `out` (length `FIELDS`, reused) and answers how many characters
 * they take in a message (numbers counted at their longest). An input without request text is
 * serialised here with its masks (`masker`).
 */
export function recordFields(r: DecisionRecord, time: number, out: (string | number)[], masker: InputMasker, last: SharedFields): number {
  let flags = 0;
  if (r.revision !== undefined) flags |= HAS_REVISION;
  if (r.error !== undefined) flags |= HAS_ERROR;
  const revision = r.revision ?? '', error = r.error ?? '';
  // The kind's letter, then for `x` the orders of the masks applied (see `InputMasker`).
  let kind = '', input = '';
  if (r.input_text !== undefined && r.input_text.indexOf(SEP) === -1) {
    kind = r.input_member ? 'm' : 'w';
    input = r.input_text;
  } else if (r.input !== undefined) {
    [kind, input] = masker.encode(r.input);
  }
  const result = r.result_json ?? (r.result !== undefined ? compactJson(r.result) : '');
  const { decision_id: id, api, path } = r;
  if (id.indexOf(SEP) !== -1 || api.indexOf(SEP) !== -1 || path.indexOf(SEP) !== -1 || revision.indexOf(SEP) !== -1 || error.indexOf(SEP) !== -1) {
    flags |= QUOTED;
    out[2] = JSON.stringify(id); out[3] = JSON.stringify(api); out[4] = JSON.stringify(path);
    out[5] = JSON.stringify(revision); out[8] = JSON.stringify(error);
  } else {
    out[2] = id; out[3] = api; out[4] = path; out[5] = revision; out[8] = error;
  }
  // The same strings as the record before (usually the very same objects): sent empty.
  if (api === last.api && path === last.path) { flags |= SAME_API_PATH; out[3] = ''; out[4] = ''; }
  if (r.revision !== undefined && r.revision === last.revision) { flags |= SAME_REVISION; out[5] = ''; }
  last.api = api; last.path = path; last.revision = r.revision;
  out[0] = time; out[1] = FLAG_TEXT[flags]!; out[6] = r.latency_ns; out[7] = r.cached ? '1' : '0';
  out[9] = kind; out[10] = input; out[11] = result;
  return (out[2] as string).length + (out[3] as string).length + (out[4] as string).length + (out[5] as string).length
    + (out[8] as string).length + input.length + result.length + 60;
}

/** Joins records' fields into one message. */
export function joinRecords(fields: (string | number)[]): string {
  return fields.join(SEP);
}

/** The records of one message, as line pieces without values (`quotes` quotes repeated strings). */
export function decodeRecords(message: string, quotes: QuoteCache): LineParts[] {
  const f = message.split(SEP);
  if (f.length % FIELDS !== 0) throw new Error(`decision log message has ${f.length} fields, not a multiple of ${FIELDS}`);
  const out: LineParts[] = [];
  // The previous record's quoted API and path, and revision (see `SAME_API_PATH`).
  let apiPath = '', revisionPart = '';
  for (let i = 0; i < f.length; i += FIELDS) {
    const flags = f[i + 1]!;
    const kind = f[i + 9]!;
    const quoted = flags.includes('q');
    if (!flags.includes('s')) apiPath = lineApiPath(quotes, fieldText(f[i + 3]!, quoted), fieldText(f[i + 4]!, quoted));
    if (!flags.includes('r')) revisionPart = '';
    else if (!flags.includes('v')) revisionPart = lineRevision(quotes, fieldText(f[i + 5]!, quoted));
    out.push({
      time: Number(f[i]), head: lineHeadFrom(fieldText(f[i + 2]!, quoted), apiPath), inputKind: (kind.length > 1 ? 'x' : kind) as InputKind, inputText: f[i + 10]!, inputErased: kind.length > 1 ? kind.slice(1) : '',
      hasValues: false, inputValue: undefined, resultJson: f[i + 11]!, resultValue: undefined, tail: lineTailFrom(revisionPart, f[i + 6]!, f[i + 7] === '1'),
      error: flags.includes('e') ? quoteJsonString(fieldText(f[i + 8]!, quoted)) : '',
    });
  }
  return out;
}

/** A string field as it travelled: JSON-quoted when the record's flags say so. */
function fieldText(field: string, quoted: boolean): string {
  return quoted ? JSON.parse(field) as string : field;
}
