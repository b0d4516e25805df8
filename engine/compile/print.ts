/**
 * How `print` and template strings render values, as OPA does: a string as it is, anything else
 * in Rego syntax (`[1, "a"]`, `{1, 2}`, `set()`, `{"k": true}`), a value that is undefined as
 * `<undefined>`. An operand that iterated is the set of its values, and the line is rendered
 * once per combination of them (one `print` line each; a template string must have one).
 */
import { regoText } from '../builtins/sprintf.js';
import { PolSet, type Value } from '../value.js';

export const UNDEFINED_TEXT = '<undefined>';

export function valueText(v: Value | undefined): string {
  if (v === undefined) return UNDEFINED_TEXT;
  return typeof v === 'string' ? v : regoText(v);
}

/** An operand: a value (undefined allowed) or, for one that iterated, the set of its values. */
export type Operand = { value: Value | undefined } | { values: PolSet };

/**
 * Calls `each` with the texts of every combination of the operands' values, in sorted order of
 * each set (OPA's cross product), at most `limit` of them; an empty set counts as one
 * `<undefined>`. Returns how many it rendered.
 */
export function forEachRendering(operands: Operand[], each: (texts: string[]) => void, limit = Infinity): number {
  const texts: string[] = new Array(operands.length);
  let count = 0;
  const walk = (i: number): void => {
    if (count >= limit) return;
    if (i === operands.length) { count++; each(texts); return; }
    const o = operands[i]!;
    if ('value' in o) { texts[i] = valueText(o.value); walk(i + 1); return; }
    const list = o.values.sorted();
    if (list.length === 0) { texts[i] = UNDEFINED_TEXT; walk(i + 1); return; }
    for (const v of list) { if (count >= limit) return; texts[i] = valueText(v); walk(i + 1); }
  };
  walk(0);
  return count;
}

/**
 * Lines one `print` call writes at most: its operands' values multiply (two operands iterating
 * over 10,000 values each would be 10^8 lines), and input decides how many there are.
 */
export const MAX_PRINT_LINES = 1000;

/** The one rendering of operands none of which has several values (a template string's), joined. */
export function singleRendering(operands: Operand[]): string {
  let out = '';
  for (const o of operands) {
    if ('value' in o) out += valueText(o.value);
    else out += o.values.size === 0 ? UNDEFINED_TEXT : valueText(o.values.sorted()[0]);
  }
  return out;
}

/** How many renderings the operands have (1 unless a set has several values). */
export function renderingCount(operands: Operand[]): number {
  let n = 1;
  for (const o of operands) if ('values' in o && o.values.size > 1) n *= o.values.size;
  return n;
}

/** An array of template parts (strings and sets) as operands; undefined when one is neither. */
export function templateOperands(parts: Value | undefined): Operand[] | undefined {
  if (!Array.isArray(parts)) return undefined;
  const out: Operand[] = [];
  for (const p of parts) {
    if (typeof p === 'string') out.push({ value: p });
    else if (p instanceof PolSet) out.push({ values: p });
    else return undefined;
  }
  return out;
}
