/**
 * A decision record as one JSON line in pino's line format (`level`, `time`, the record's fields,
 * `msg`), with the configured masks left out, made from the pieces of the line (`LineParts`)
 * where it is written: the log's writer thread, or the request thread for a stream destination.
 */
import type { Value } from '../../engine/index.js';
import { compactJson, parseJson } from '../../engine/json.js';
import { quoteJsonString } from '../../engine/value.js';
import { copyableInput } from './input-text.js';
import { maskChild, newMaskNode, type Erased, type MaskNode } from './mask-tree.js';
import { isJsonObject, own } from '../body.js';

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

/** What every line starts with, up to the time's text. */
export const LINE_START = `{"level":${INFO},"time":"`;

/** Repeated strings remembered quoted: paths come from requests, so their number is bounded. */
const MAX_QUOTES = 256;

/**
 * Where a line's input comes from: none (`''`), its JSON already masked on the request thread
 * (`x`, see `InputMasker`), a request's JSON text whose `input` member it is (`m`) or which it is
 * whole (`w`), or a value on the request thread (`v`).
 */
export type InputKind = '' | 'x' | 'm' | 'w' | 'v';

/**
 * A record as the pieces of its line: `head`, `tail` and `error` as JSON text (quoting cached),
 * the input and result as they came, written with their masks when the line is made. Made by
 * `lineParts` on the request thread, or by `decodeRecords` on the writer thread.
 */
export interface LineParts {
  /** When the decision was logged (ms since epoch). */
  time: number;
  /** `,"decision_id":…,"api":…,"path":…` */
  head: string;
  inputKind: InputKind;
  /** The input's masked JSON (`x`; empty when masked whole) or the request's JSON text (`m`, `w`); otherwise empty. */
  inputText: string;
  /** For `x`: the orders of the masks that erased parts of the input, comma-separated. */
  inputErased: string;
  /** Whether `inputValue` and `resultValue` are the record's own values (request thread only). */
  hasValues: boolean;
  inputValue: Value | undefined;
  /** The result's compact JSON when known; empty otherwise. */
  resultJson: string;
  resultValue: Value | undefined;
  /** `,"revision":…,"latency_ns":…,"cached":…` */
  tail: string;
  /** The error as a JSON string, empty for none. */
  error: string;
}

/** Throws when a mask does not point under /input or /result. */
export function checkMasks(mask: string[]): void {
  for (const pointer of mask) {
    const root = parsePointer(pointer)[0];
    if (root !== 'input' && root !== 'result') throw new Error(`decision log mask \`${pointer}\` must point under /input or /result`);
  }
}

/**
 * Quoted forms of the few strings that repeat in every line (API names, policy paths,
 * revisions): quoted once each, as long as there are few of them.
 */
export class QuoteCache {
  private readonly quotes = new Map<string, string>();

  quoted(s: string): string {
    let q = this.quotes.get(s);
    if (q === undefined) {
      q = quoteJsonString(s);
      if (this.quotes.size >= MAX_QUOTES) this.quotes.clear();
      this.quotes.set(s, q);
    }
    return q;
  }
}

/** A line's `head`: `,"decision_id":…,"api":…,"path":…`. */
export function lineHead(quotes: QuoteCache, decisionId: string, api: string, path: string): string {
  return lineHeadFrom(decisionId, lineApiPath(quotes, api, path));
}

/** The part of a line's `head` that many lines share: `,"api":…,"path":…`. */
export function lineApiPath(quotes: QuoteCache, api: string, path: string): string {
  return `,"api":${quotes.quoted(api)},"path":${quotes.quoted(path)}`;
}

export function lineHeadFrom(decisionId: string, apiPath: string): string {
  return `,"decision_id":${quoteJsonString(decisionId)}${apiPath}`;
}

/** A line's `tail`: `,"revision":…,"latency_ns":…,"cached":…` (`latency` as a number or its text). */
export function lineTail(quotes: QuoteCache, revision: string | undefined, latency: number | string, cached: boolean): string {
  return lineTailFrom(revision !== undefined ? lineRevision(quotes, revision) : '', latency, cached);
}

/** The revision's part of a line's `tail` (shared by many lines). */
export function lineRevision(quotes: QuoteCache, revision: string): string {
  return `,"revision":${quotes.quoted(revision)}`;
}

export function lineTailFrom(revisionPart: string, latency: number | string, cached: boolean): string {
  return `${revisionPart},"latency_ns":${latency},"cached":${cached}`;
}

/**
 * A record's line pieces on the request thread, which writes the line itself: the input and
 * result stay values, serialised only when the line is made (the writer thread gets its pieces
 * from `decodeRecords` instead).
 */
export function lineParts(r: DecisionRecord, time: number, quotes: QuoteCache): LineParts {
  const head = lineHead(quotes, r.decision_id, r.api, r.path);
  const tail = lineTail(quotes, r.revision, r.latency_ns, r.cached);
  const inputKind: InputKind = r.input_text !== undefined ? (r.input_member ? 'm' : 'w') : r.input !== undefined ? 'v' : '';
  return {
    time, head, inputKind, inputText: r.input_text ?? '', inputErased: '', hasValues: true, inputValue: r.input,
    resultJson: r.result_json ?? '', resultValue: r.result, tail, error: r.error !== undefined ? quoteJsonString(r.error) : '',
  };
}

/** The masks as trees, one per root, and each mask by its order. */
interface MaskTrees { input: MaskNode | undefined; result: MaskNode | undefined; byOrder: Erased[] }

function maskTrees(mask: string[]): MaskTrees {
  checkMasks(mask);
  let input: MaskNode | undefined, result: MaskNode | undefined;
  const byOrder: Erased[] = [];
  mask.forEach((pointer, order) => {
    const [root, ...rest] = parsePointer(pointer);
    const text = '/' + [root!, ...rest].map(escapePointer).join('/');
    let node = root === 'input' ? (input ??= newMaskNode()) : (result ??= newMaskNode());
    for (const segment of rest) {
      const key = node.caseless ? segment.toLowerCase() : segment;
      let child = node.children.get(key);
      if (!child) node.children.set(key, child = newMaskNode(key === 'headers'));
      node = child;
    }
    node.erase ??= { text, order };
    byOrder[order] = node.erase;
  });
  return { input, result, byOrder };
}

/**
 * An input that did not come as request text (proxy requests, AuthZEN, ...) must be serialised on
 * the request thread anyway: serialised with its masks there, the writer thread copies it instead
 * of parsing it again, masking and serialising once more (kind `x`).
 */
export class InputMasker {
  private readonly mask: MaskNode | undefined;
  private readonly erased: Erased[] = [];

  constructor(mask: string[]) {
    this.mask = maskTrees(mask).input;
  }

  /** The record's kind field (`x`, then the orders of the masks applied) and its input text. */
  encode(input: Value): [kind: string, text: string] {
    const erased = this.erased;
    // Emptied only when it holds something: setting an array's length is slow in V8 even when it changes nothing.
    if (erased.length !== 0) erased.length = 0;
    const text = fieldJson(input, this.mask, erased) ?? '';
    let kind = 'x';
    for (let i = 0; i < erased.length; i++) kind += (i === 0 ? '' : ',') + erased[i]!.order;
    return [kind, text];
  }
}

export class LineFormatter {
  /** The masks as trees, one per root: what to leave out while serialising (see `maskedJson`). */
  readonly inputMask: MaskNode | undefined;
  readonly resultMask: MaskNode | undefined;
  /** Each mask by its order, for the masks an `x` input says were applied. */
  private readonly byOrder: Erased[];
  /** The ISO text of the last timestamp formatted: records of one millisecond share it. */
  private lastTime = -1;
  private lastTimeText = '';
  /** The masks `line` applied, reused line to line (lines are made one at a time). */
  private readonly erased: Erased[] = [];

  constructor(mask: string[]) {
    const trees = maskTrees(mask);
    this.inputMask = trees.input;
    this.resultMask = trees.result;
    this.byOrder = trees.byOrder;
  }

  /** One record as a JSON line. */
  line(p: LineParts): string {
    const erased = this.erased;
    if (erased.length !== 0) erased.length = 0;
    let out = LINE_START + this.timeText(p.time) + '"' + p.head;
    let error = p.error;
    let input: string | undefined;
    try {
      input = this.inputJson(p, erased);
    } catch (e) {
      const why = `input not logged: ${e instanceof Error ? e.message : String(e)}`;
      error = quoteJsonString(error === '' ? why : `${JSON.parse(error) as string}; ${why}`);
    }
    const result = this.resultJson(p, erased);
    if (input !== undefined) out += ',"input":' + input;
    if (result !== undefined) out += ',"result":' + result;
    out += p.tail;
    if (error !== '') out += ',"error":' + error;
    if (erased.length) out += `,"erased":[${erased.sort((x, y) => x.order - y.order).map(e => quoteJsonString(e.text)).join(',')}]`;
    return out + ',"msg":"decision"}\n';
  }

  /**
   * The input's JSON with its masked parts left out. A request's text is copied when it can be
   * (see `copyableInput`); otherwise the value is written (the request thread has it; the
   * writer thread parses the text again with the parser the request thread used).
   */
  private inputJson(p: LineParts, erased: Erased[]): string | undefined {
    const mask = this.inputMask;
    switch (p.inputKind) {
      case '': return undefined;
      case 'v': return fieldJson(p.inputValue, mask, erased);
      case 'x':
        if (p.inputErased !== '') for (const order of p.inputErased.split(',')) erased.push(this.byOrder[Number(order)]!);
        return p.inputText === '' ? undefined : p.inputText;
      default: {
        const member = p.inputKind === 'm';
        const copied = copyableInput(p.inputText, member, mask);
        if (copied !== undefined) return copied;
        const value = p.hasValues ? p.inputValue : inputOf(parseJson(p.inputText), member);
        return fieldJson(value, mask, erased);
      }
    }
  }

  private resultJson(p: LineParts, erased: Erased[]): string | undefined {
    const mask = this.resultMask;
    if (mask === undefined) return p.resultJson !== '' ? p.resultJson : p.hasValues && p.resultValue !== undefined ? compactJson(p.resultValue) : undefined;
    const value = p.hasValues ? p.resultValue : p.resultJson !== '' ? parseJson(p.resultJson) : undefined;
    return fieldJson(value, mask, erased);
  }

  /** ISO 8601 text of a timestamp (no characters that need escaping); one per millisecond. */
  private timeText(ms: number): string {
    if (ms !== this.lastTime) { this.lastTime = ms; this.lastTimeText = new Date(ms).toISOString(); }
    return this.lastTimeText;
  }
}

/** The input within a parsed request text: its own `input` member, or the whole text. */
function inputOf(parsed: Value, member: boolean): Value | undefined {
  if (!member) return parsed;
  return isJsonObject(parsed) ? own(parsed, 'input') : undefined;
}

function parsePointer(p: string): string[] {
  return p.split('/').slice(1).map(s => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function escapePointer(s: string): string {
  return s.replace(/~/g, '~0').replace(/\//g, '~1');
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
    const child = maskChild(mask, k);
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
