/**
 * Disjunctions and conjunctions of compiled tests, as one closure per operand count.
 *
 * A rule made of several variable-free bodies (`allow if {...}` twice or more) is decided by the
 * first body that holds. Walking an array of tests in a loop gives V8 one call site for all of
 * them, so it cannot inline them into the rule's document; a closure per count has one call site
 * per operand, each seeing one test, and V8 inlines them all (ABAC's two bodies sharing a first
 * test: the rule's document took 27 ns with the loop, 20 ns with these). Past four operands, a
 * loop.
 */
import type { Step as Test } from './compiler.js';

/** True when any test holds, tried in order (later ones are not run). */
export function anyOf(tests: readonly Test[]): Test {
  const [a, b, c3, d] = tests;
  switch (tests.length) {
    case 0: return () => false;
    case 1: return a!;
    case 2: return (s, c) => a!(s, c) || b!(s, c);
    case 3: return (s, c) => a!(s, c) || b!(s, c) || c3!(s, c);
    case 4: return (s, c) => a!(s, c) || b!(s, c) || c3!(s, c) || d!(s, c);
    default: {
      const all = tests.slice();
      return (s, c) => {
        for (let i = 0; i < all.length; i++) if (all[i]!(s, c)) return true;
        return false;
      };
    }
  }
}

/** True when `first` holds and then `then` holds (`then` is not run when `first` fails). */
export function bothOf(first: Test, then: Test): Test {
  return (s, c) => first(s, c) && then(s, c);
}
