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
import { lineHead, lineTail, type DecisionRecord, type InputKind, type InputMasker, type LineParts, type QuoteCache } from './line-format.js';

const SEP = '\u0000';
/** Fields per record. */
export const FIELDS = 12;

/** Flags, one letter each: a revision is present, an error is present, the strings are JSON-quoted. */
const HAS_REVISION = 1, HAS_ERROR = 2, QUOTED = 4;
const FLAG_TEXT = ['', 'r', 'e', 're', 'q', 'rq', 'eq', 'req'];

/**
 * Writes a record's fields into `out` (length `FIELDS`, reused) and answers how many characters
 * they take in a message (numbers counted at their longest). An input without request text is
 * serialised here with its masks (`masker`).
 */
export function recordFields(r: DecisionRecord, time: number, out: (string | number)[], masker: InputMasker): number {
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
  for (let i = 0; i < f.length; i += FIELDS) {
    const flags = f[i + 1]!;
    const kind = f[i + 9]!;
    const quoted = flags.includes('q');
    const str = (s: string): string => quoted ? JSON.parse(s) as string : s;
    const head = lineHead(quotes, str(f[i + 2]!), str(f[i + 3]!), str(f[i + 4]!));
    const tail = lineTail(quotes, flags.includes('r') ? str(f[i + 5]!) : undefined, f[i + 6]!, f[i + 7] === '1');
    out.push({
      time: Number(f[i]), head, inputKind: (kind.length > 1 ? 'x' : kind) as InputKind, inputText: f[i + 10]!, inputErased: kind.length > 1 ? kind.slice(1) : '',
      hasValues: false, inputValue: undefined, resultJson: f[i + 11]!, resultValue: undefined, tail,
      error: flags.includes('e') ? quoteJsonString(str(f[i + 8]!)) : '',
    });
  }
  return out;
}
