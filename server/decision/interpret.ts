/**
 * How a decision document is read by the proxy-facing APIs. Fail closed: only `true`, or an object
 * whose own `allow` is exactly `true`, allows; undefined, errors and every other shape deny.
 *
 *   true | { allow: true, reasons?: [...], status?: 401|403,
 *            headers?: { "x-user": "alice" }, obligations?: { headers?: {...} },
 *            remove_headers?: ["x-api-key"] }
 */
import { toJSON, type Value } from '../../engine/index.js';

export interface Verdict {
  allow: boolean;
  reasons: unknown[];
  /** Deny status asked for by the policy (401 or 403 only). */
  status?: 401 | 403;
  /** Header values from the decision, lower-case names; only configured names are ever sent. */
  headers: Map<string, string>;
  removeHeaders: string[];
}

function own(o: Record<string, unknown>, k: string): unknown {
  return Object.prototype.hasOwnProperty.call(o, k) ? o[k] : undefined;
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A header value from a policy value: strings, numbers, booleans, lists of those. */
function headerValue(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (Array.isArray(v) && v.every(x => typeof x === 'string' || typeof x === 'number')) return v.join(',');
  return undefined;
}

export function interpret(result: Value | undefined): Verdict {
  const v: Verdict = { allow: false, reasons: [], headers: new Map(), removeHeaders: [] };
  if (result === true) { v.allow = true; return v; }
  const doc = result === undefined ? undefined : toJSON(result);
  if (!isObj(doc)) return v;
  v.allow = own(doc, 'allow') === true;
  const reasons = own(doc, 'reasons');
  if (Array.isArray(reasons)) v.reasons = reasons;
  else if (typeof reasons === 'string') v.reasons = [reasons];
  const status = own(doc, 'status');
  if (status === 401 || status === 403) v.status = status;
  const obligations = own(doc, 'obligations');
  for (const src of [isObj(obligations) ? own(obligations, 'headers') : undefined, own(doc, 'headers')]) {
    if (!isObj(src)) continue;
    for (const name of Object.keys(src)) {
      const hv = headerValue(src[name]);
      if (hv !== undefined) v.headers.set(name.toLowerCase(), hv);
    }
  }
  const remove = own(doc, 'remove_headers');
  if (Array.isArray(remove)) v.removeHeaders = remove.filter((h): h is string => typeof h === 'string' && /^[A-Za-z0-9-]+$/.test(h)).map(h => h.toLowerCase());
  return v;
}

/** A header value a proxy will accept: visible ASCII and spaces/tabs only (no CR/LF injection). */
export function safeHeaderValue(s: string): boolean {
  return /^[\t\x20-\x7e]*$/.test(s) && s.length <= 8192;
}
