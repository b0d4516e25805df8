/** How `print` renders its operands (strings bare, everything else as JSON, undefined marked). */
import { stringifyJson, toJSON, type PolSet, type Value } from '../value.js';

export function formatPrintArg(v: Value | undefined): string {
  if (v === undefined) return '<undefined>';
  if (typeof v === 'string') return v;
  return stringifyJson(toJSON(v));
}

/** A print argument that iterated: its values, one if there is one, `<undefined>` if none. */
export function formatPrintSet(values: PolSet): string {
  const list = values.sorted();
  if (list.length === 0) return '<undefined>';
  if (list.length === 1) return formatPrintArg(list[0]);
  return '{' + list.map(v => formatPrintArg(v)).join(', ') + '}';
}
