/**
 * A decision record as one JSON line in pino's line format (`level`, `time`, the record's fields,
 * `msg`), with the configured masks left out. Used where the lines are written: the log's writer
 * thread, or the request thread for a stream destination.
 */
import type { Value } from '../../engine/index.js';
import { compactJson } from '../../engine/json.js';
import { quoteJsonString } from '../../engine/value.js';

export interface DecisionRecord {
  decision_id: string;
  /** Which API made the decision: decide, data, authzen, forward_auth, ext_authz. */
  api: string;
  path: string;
  input: Value | undefined;
  result: Value | undefined;
  /** `result` as compact JSON when the caller has it already (the decision cache keeps it). */
  result_json?: string | undefined;
  /**
   * The request's JSON text `input` was parsed from, when it was: the writer thread parses it
   * again instead of the request thread serialising `input`. `input_member` says whether the
   * input is the text's `input` member (`{"input": ...}` bodies) or the whole text.
   */
  input_text?: string | undefined;
  input_member?: boolean | undefined;
  revision: string | undefined;
  latency_ns: number;
  cached: boolean;
  error?: string;
}

/** pino's level number for `info`. */
const INFO = 30;

/** Repeated strings remembered quoted: paths come from requests, so their number is bounded. */
const MAX_QUOTES = 256;

/** A mask in the order configured; `text` is its JSON pointer. */
interface Erased { text: string; order: number }

/** A level of the masks: fields below it to leave out (`erase`) or to look into (`children`). */
interface MaskNode { erase: Erased | undefined; children: Map<string, MaskNode> }

/** Throws when a mask does not point under /input or /result. */
export function checkMasks(mask: string[]): void {
  for (const pointer of mask) {
    const root = parsePointer(pointer)[0];
    if (root !== 'input' && root !== 'result') throw new Error(`decision log mask \`${pointer}\` must point under /input or /result`);
  }
}

export class LineFormatter {
  /** The masks as trees, one per root: what to leave out while serialising (see `maskedJson`). */
  private readonly inputMask: MaskNode | undefined;
  private readonly resultMask: MaskNode | undefined;
  /** The ISO text of the last timestamp formatted: records of one millisecond share it. */
  private lastTime = -1;
  private lastTimeText = '';
  /** The masks `line` applied, reused line to line (lines are made one at a time). */
  private readonly erased: Erased[] = [];
  /** Quoted forms of repeated strings (see `quoted`). */
  private readonly quotes = new Map<string, string>();

  constructor(mask: string[]) {
    checkMasks(mask);
    let inputMask: MaskNode | undefined, resultMask: MaskNode | undefined;
    mask.forEach((pointer, order) => {
      const [root, ...rest] = parsePointer(pointer);
      const text = '/' + [root!, ...rest].map(escapePointer).join('/');
      let node = root === 'input' ? (inputMask ??= newMaskNode()) : (resultMask ??= newMaskNode());
      for (const key of rest) {
        let child = node.children.get(key);
        if (!child) node.children.set(key, child = newMaskNode());
        node = child;
      }
      node.erase ??= { text, order };
    });
    this.inputMask = inputMask;
    this.resultMask = resultMask;
  }

  /**
   * One record as a JSON line. `inputJson`, when given, is the input's compact JSON (used as it
   * is when no mask applies to the input).
   */
  line(r: DecisionRecord, time: number, inputJson?: string): string {
    const erased = this.erased;
    erased.length = 0;
    let out = `{"level":${INFO},"time":"${this.timeText(time)}","decision_id":${quoteJsonString(r.decision_id)}`
      + `,"api":${this.quoted(r.api)},"path":${this.quoted(r.path)}`;
    const input = inputJson !== undefined && this.inputMask === undefined ? inputJson : fieldJson(r.input, this.inputMask, erased);
    const result = r.result_json !== undefined && this.resultMask === undefined ? r.result_json : fieldJson(r.result, this.resultMask, erased);
    if (input !== undefined) out += `,"input":${input}`;
    if (result !== undefined) out += `,"result":${result}`;
    if (r.revision !== undefined) out += `,"revision":${this.quoted(r.revision)}`;
    out += `,"latency_ns":${r.latency_ns},"cached":${r.cached}`;
    if (r.error !== undefined) out += `,"error":${quoteJsonString(r.error)}`;
    if (erased.length) out += `,"erased":[${erased.sort((x, y) => x.order - y.order).map(e => quoteJsonString(e.text)).join(',')}]`;
    return out + ',"msg":"decision"}\n';
  }

  /**
   * A quoted string from the few that repeat in every line (API names, policy paths, revisions):
   * quoted once each, as long as there are few of them.
   */
  quoted(s: string): string {
    let q = this.quotes.get(s);
    if (q === undefined) {
      q = quoteJsonString(s);
      if (this.quotes.size >= MAX_QUOTES) this.quotes.clear();
      this.quotes.set(s, q);
    }
    return q;
  }

  /** ISO 8601 text of a timestamp (no characters that need escaping); one per millisecond. */
  private timeText(ms: number): string {
    if (ms !== this.lastTime) { this.lastTime = ms; this.lastTimeText = new Date(ms).toISOString(); }
    return this.lastTimeText;
  }
}

function parsePointer(p: string): string[] {
  return p.split('/').slice(1).map(s => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function escapePointer(s: string): string {
  return s.replace(/~/g, '~0').replace(/\//g, '~1');
}

function newMaskNode(): MaskNode {
  return { erase: undefined, children: new Map() };
}

/** A record's field as JSON with its masked parts left out (noted in `erased`); undefined when absent or masked whole. */
function fieldJson(v: Value | undefined, mask: MaskNode | undefined, erased: Erased[]): string | undefined {
  if (v === undefined) return undefined;
  if (mask === undefined) return compactJson(v);
  if (mask.erase) { erased.push(mask.erase); return undefined; }
  return maskedJson(v, mask, erased);
}

/**
 * `compactJson` of `v` without the own properties the mask erases, written as it goes: the
 * input is never copied or changed. Masks reach only through plain objects (not arrays).
 */
function maskedJson(v: Value, mask: MaskNode, erased: Erased[]): string {
  if (typeof v !== 'object' || v === null || !isPlainRecord(v)) return compactJson(v);
  const o = v as Record<string, Value>;
  let out = '{', first = true;
  for (const k of Object.keys(o)) {
    const child = mask.children.get(k);
    let text: string;
    if (child === undefined) text = compactJson(o[k]!);
    else if (child.erase) { erased.push(child.erase); continue; }
    else text = maskedJson(o[k]!, child, erased);
    out += (first ? '' : ',') + quoteJsonString(k) + ':' + text;
    first = false;
  }
  return out + '}';
}

/** Objects whose own string keys are their entries (not arrays, sets or non-string-keyed objects). */
function isPlainRecord(v: object): boolean {
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}
