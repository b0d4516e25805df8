/** Array builtins: concat, slice, reverse, flatten. */
import { decls } from '../../dsl/builtins/decls/arrays.js';
import type { Value } from '../value.js';
import { BuiltinError, type BuiltinImpl } from './types.js';
import { withChecks } from './check.js';
import { toDouble, type Num } from './num.js';

function indexOperand(pos: number, v: Value): number {
  const n = toDouble(v as Num);
  if (!Number.isInteger(n)) throw new BuiltinError(`array.slice: operand ${pos} must be integer number but got floating-point number`, 'eval_type_error');
  return n;
}

export const impls: Record<string, BuiltinImpl> = withChecks(decls, {
  'array.concat': ([a, b]) => (a as Value[]).concat(b as Value[]),
  'array.slice': ([arr, start, stop]) => {
    const a = arr as Value[];
    let s = indexOperand(2, start!), e = indexOperand(3, stop!);
    if (s < 0) s = 0;
    if (e > a.length) e = a.length;
    return s >= e ? [] : a.slice(s, e);
  },
  'array.reverse': ([arr]) => [...(arr as Value[])].reverse(),
  'array.flatten': ([arr]) => {
    const out: Value[] = [];
    for (const x of arr as Value[]) {
      if (Array.isArray(x)) for (const y of x) out.push(y);
      else out.push(x);
    }
    return out;
  },
});
