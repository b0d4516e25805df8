/** Aggregates over collections: count, sum, product, max, min, sort. */
import { decls } from '../../dsl/builtins/decls/aggregates.js';
import { compare, objectSize, PolSet, type PlainObject, type PolObject, type Value } from '../value.js';
import { withChecks } from './check.js';
import { addNum, mulNum, type Num } from './num.js';
import type { BuiltinImpl } from './types.js';

/** Characters as Go counts them: code points, not UTF-16 units. */
export function runeCount(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) { n--; i++; }
    }
  }
  return n;
}

const members = (c: Value): Iterable<Value> => (c instanceof PolSet ? c.values() : c as Value[]);

function fold(c: Value, start: Num, f: (a: Num, b: Num) => Num): Num {
  let acc = start;
  for (const x of members(c)) acc = f(acc, x as Num);
  return acc;
}

function extreme(c: Value, sign: 1 | -1): Value | undefined {
  let best: Value | undefined;
  for (const x of members(c)) if (best === undefined || sign * compare(x, best) > 0) best = x;
  return best;
}

export const impls: Record<string, BuiltinImpl> = withChecks(decls, {
  count: ([c]) => {
    if (typeof c === 'string') return runeCount(c);
    if (Array.isArray(c)) return c.length;
    if (c instanceof PolSet) return c.size;
    return objectSize(c as PlainObject | PolObject);
  },
  sum: ([c]) => fold(c!, 0, addNum),
  product: ([c]) => fold(c!, 1, mulNum),
  max: ([c]) => extreme(c!, 1),
  min: ([c]) => extreme(c!, -1),
  // A set's sorted members are cached by the set: hand out a copy.
  sort: ([c]) => (c instanceof PolSet ? c.sorted().slice() : [...(c as Value[])].sort(compare)),
});
