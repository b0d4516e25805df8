/**
 * `pol.runtime` (and OPA's name `opa.runtime`), `trace`, and `print`'s fallback implementation.
 *
 * The runtime document is what the host chose to expose under `host.runtime`
 * (`{ version?, config?, env? }`): pol never reads `process.env` on its own, so secrets in the
 * environment stay out of policies unless the host forwards them deliberately.
 */
import { type BuiltinContext, type BuiltinImpl } from './types.js';
import { isPlainObject, stringifyJson, toJSON, type PlainObject, type Value } from '../value.js';
import { stringOperand } from './time/operands.js';

/** Reported when the host gives no version. */
export const POL_VERSION = '0.1.0';

/** What a host may put under `host.runtime`. */
export interface RuntimeInfo {
  version?: string;
  /** The active configuration, already stripped of secrets by the host. */
  config?: PlainObject;
  /** Environment variables the host decided to expose. Omitted from the document when absent. */
  env?: Record<string, string>;
}

/** Copies own string-keyed entries, so a host object's prototype never leaks into policies. */
function plainCopy(v: unknown, depth = 0): Value {
  if (depth > 64) return null;
  if (v === null || typeof v === 'boolean' || typeof v === 'number' || typeof v === 'string' || typeof v === 'bigint') return v;
  if (Array.isArray(v)) return v.map(x => plainCopy(x, depth + 1));
  if (isPlainObject(v)) {
    const out: PlainObject = {};
    for (const k of Object.keys(v)) Object.defineProperty(out, k, { value: plainCopy((v as PlainObject)[k], depth + 1), enumerable: true, writable: true, configurable: true });
    return out;
  }
  return null;
}

export function runtimeDocument(ctx: BuiltinContext): PlainObject {
  const info = (isPlainObject(ctx.host.runtime) ? ctx.host.runtime : {}) as RuntimeInfo;
  const doc: PlainObject = {
    version: typeof info.version === 'string' ? info.version : POL_VERSION,
    config: isPlainObject(info.config) ? plainCopy(info.config) : {},
  };
  if (isPlainObject(info.env)) {
    const env: PlainObject = {};
    for (const k of Object.keys(info.env)) {
      const v = (info.env as Record<string, unknown>)[k];
      if (typeof v === 'string') Object.defineProperty(env, k, { value: v, enumerable: true, writable: true, configurable: true });
    }
    doc.env = env;
  }
  return doc;
}

const runtime: BuiltinImpl = (_args, ctx) => {
  const hit = ctx.memo.get('pol.runtime');
  if (hit !== undefined) return hit;
  const doc = runtimeDocument(ctx);
  ctx.memo.set('pol.runtime', doc);
  return doc;
};

export const impls: Record<string, BuiltinImpl> = {
  'pol.runtime': runtime,
  'opa.runtime': runtime,
  /** Notes go to the host's `trace(note)` sink when it has one (explain/trace output); always true. */
  trace: (args, ctx) => {
    const note = stringOperand('trace', args, 0);
    const sink = ctx.host.trace;
    if (typeof sink === 'function') (sink as (note: string) => void)(note);
    return true;
  },
  /**
   * The compiler evaluates `print` itself (undefined operands print as `<undefined>`); this
   * implementation serves callers that invoke builtins by name with already-defined operands.
   */
  print: (args, ctx) => {
    ctx.print(args.map(v => (typeof v === 'string' ? v : stringifyJson(toJSON(v)))).join(' '));
    return true;
  },
};
