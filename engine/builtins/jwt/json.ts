/**
 * JSON for JWT segments and keys, on the shared lossless codec (`engine/json.ts`): integers beyond
 * 2^53 stay exact, the last duplicate key wins (as in Go and OPA), `__proto__` is an ordinary key,
 * nesting is bounded; marshalling is Go's `json.Marshal` (sorted keys, HTML-safe escapes), so
 * signed tokens are byte-identical to OPA's.
 */
import { parseJson as parseShared, serializeJson } from '../../json.js';
import type { Value } from '../../value.js';

export class JsonError extends Error {}

export function parseJson(text: string): Value {
  try {
    return parseShared(text);
  } catch (e) {
    if (e instanceof RangeError || e instanceof SyntaxError || (e instanceof Error && e.name === 'JsonParseError')) {
      throw new JsonError(e.message);
    }
    throw e;
  }
}

/** Whether `text` is one JSON value (Go's `json.Valid`). */
export function isValidJson(text: string): boolean {
  try { parseShared(text); return true; } catch { return false; }
}

/** Go's `json.Marshal` of a value converted as OPA converts values to JSON. */
export function goMarshal(v: Value): string {
  return serializeJson(v);
}
