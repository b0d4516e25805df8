/** `union` and `intersection` over a set of sets. */
import { decls } from '../../dsl/builtins/decls/sets.js';
import { PolSet } from '../value.js';
import { withChecks } from './check.js';
import type { BuiltinImpl } from './types.js';

export const impls: Record<string, BuiltinImpl> = withChecks(decls, {
  union: ([xs]) => {
    const out = new PolSet();
    for (const s of (xs as PolSet).values()) for (const [k, v] of (s as PolSet).keyed()) out.addKeyed(k, v);
    return out;
  },
  intersection: ([xs]) => {
    const sets = [...(xs as PolSet).values()] as PolSet[];
    if (sets.length === 0) return new PolSet();
    sets.sort((a, b) => a.size - b.size);
    const out = new PolSet();
    outer: for (const [k, v] of sets[0]!.keyed()) {
      for (let i = 1; i < sets.length; i++) if (!sets[i]!.hasKey(k)) continue outer;
      out.addKeyed(k, v);
    }
    return out;
  },
});
