/**
 * Decision records as text, for the trip from the request thread to the log's writer thread.
 * Encoding is string concatenation only (no serialisation of the input when the request's own
 * JSON text is at hand); the writer thread parses and formats. Fields are separated by NUL, which
 * no JSON text contains raw; strings that do contain one travel JSON-quoted.
 */
import { parseJson, compactJson } from '../../engine/json.js';
import type { Value } from '../../engine/index.js';
import type { DecisionRecord } from './line-format.js';

const SEP = '\u0000';
/** Fields per record. */
const FIELDS = 11;

/** A string field: a space then the text, or the JSON-quoted text when it holds a NUL. */
function str(s: string): string {
  return s.indexOf(SEP) === -1 ? ' ' + s : JSON.stringify(s);
}

function unstr(f: string): string {
  return f.charCodeAt(0) === 0x20 ? f.slice(1) : JSON.parse(f) as string;
}

/** One record as text (fields in the order `decodeRecords` reads them). */
export function encodeRecord(r: DecisionRecord, time: number): string {
  let kind = '', input = '';
  if (r.input_text !== undefined) { kind = r.input_member ? 'm' : 'w'; input = r.input_text; }
  else if (r.input !== undefined) { kind = 'j'; input = compactJson(r.input); }
  const result = r.result_json ?? (r.result !== undefined ? compactJson(r.result) : '');
  return time + SEP + str(r.decision_id) + SEP + str(r.api) + SEP + str(r.path)
    + SEP + (r.revision !== undefined ? str(r.revision) : '') + SEP + r.latency_ns + SEP + (r.cached ? '1' : '0')
    + SEP + (r.error !== undefined ? str(r.error) : '') + SEP + result + SEP + kind + SEP + input;
}

/** Joins encoded records into one message. */
export function joinRecords(encoded: string[]): string {
  return encoded.join(SEP);
}

/** Which fields the masks reach into, and so must be decoded as values rather than kept as JSON text. */
export function valuesNeeded(mask: string[]): { input: boolean; result: boolean } {
  const under = (root: string) => mask.some(m => m === root || m.startsWith(root + '/'));
  return { input: under('/input'), result: under('/result') };
}

/** A decoded record, its time, and its input's compact JSON when that travelled as is. */
export interface DecodedRecord { record: DecisionRecord; time: number; inputJson: string | undefined }

/**
 * The records of one message. `parseValues` says which fields are needed as values (masks apply
 * to them); otherwise their JSON text is used as it came. An input text that fails to parse (it
 * parsed on the request thread, so it should not) leaves the input out and says so in `error`.
 */
export function decodeRecords(message: string, parseValues: { input: boolean; result: boolean }): DecodedRecord[] {
  const f = message.split(SEP);
  if (f.length % FIELDS !== 0) throw new Error(`decision log message has ${f.length} fields, not a multiple of ${FIELDS}`);
  const out: DecodedRecord[] = [];
  for (let i = 0; i < f.length; i += FIELDS) {
    const revision = f[i + 4]!, error = f[i + 7]!, resultJson = f[i + 8]!, kind = f[i + 9]!, text = f[i + 10]!;
    const record: DecisionRecord = {
      decision_id: unstr(f[i + 1]!), api: unstr(f[i + 2]!), path: unstr(f[i + 3]!),
      input: undefined, result: undefined,
      revision: revision === '' ? undefined : unstr(revision),
      latency_ns: Number(f[i + 5]), cached: f[i + 6] === '1',
    };
    if (error !== '') record.error = unstr(error);
    if (resultJson !== '') {
      if (parseValues.result) record.result = parseJson(resultJson);
      else record.result_json = resultJson;
    }
    let inputJson: string | undefined;
    if (kind === 'j' && !parseValues.input) inputJson = text;
    else if (kind !== '') {
      try {
        record.input = inputOf(parseJson(text), kind);
      } catch (e) {
        const why = `input not logged: ${e instanceof Error ? e.message : String(e)}`;
        record.error = record.error === undefined ? why : `${record.error}; ${why}`;
      }
    }
    out.push({ record, time: Number(f[i]), inputJson });
  }
  return out;
}

/** The input within a parsed request text: its own `input` member, or the whole text. */
function inputOf(parsed: Value, kind: string): Value | undefined {
  if (kind !== 'm') return parsed;
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const o = parsed as Record<string, Value>;
  return Object.prototype.hasOwnProperty.call(o, 'input') ? o.input : undefined;
}
