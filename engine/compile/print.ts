/** How `print` renders its operands (strings bare, everything else as JSON, undefined marked). */
import { stringifyJson, toJSON, type Value } from '../value.js';

export function formatPrintArg(v: Value | undefined): string {
  if (v === undefined) return '<undefined>';
  if (typeof v === 'string') return v;
  return stringifyJson(toJSON(v));
}
