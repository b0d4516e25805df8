/**
 * Internalized copies of the strings a compiled policy uses as property keys.
 *
 * V8 finds properties by internalized (unique) strings. Strings the parser cuts out of policy
 * text are not internalized, and a property load whose key is not cannot be answered by V8's
 * inline caches: each load looks the key up in the string table again (ABAC's three tests took
 * 18 ns a decision with the parser's keys, 7.6 ns with internalized ones). A key written into an
 * object is internalized there, and `Object.keys` hands back that copy. The compiler interns
 * every string constant (any of them may end up a key: `input[k]`, object literals). Compile time
 * only.
 *
 * The object is made without a prototype, so it starts as a dictionary: a literal `{ [k]: 0 }`
 * gave every distinct key a hidden class of its own, and generated policies have thousands (the
 * 10,000-rule policy spent 60 ms of its compile here). Keys already interned are remembered, as
 * a policy repeats most of its constants. Only the interned copies are kept (as key and value), so
 * the memory holds no slice of a policy's text, and only short keys: long ones seldom repeat.
 */
const interned = new Map<string, string>();

/** Entries remembered at most; past this the memory starts over (a later compile refills it). */
const MAX_REMEMBERED = 65_536;
const MAX_REMEMBERED_LENGTH = 256;

export function internKey(k: string): string {
  let out = interned.get(k);
  if (out === undefined) {
    const holder = Object.create(null) as Record<string, number>;
    holder[k] = 0;
    out = Object.keys(holder)[0] ?? k;
    if (out.length <= MAX_REMEMBERED_LENGTH) {
      if (interned.size >= MAX_REMEMBERED) interned.clear();
      interned.set(out, out);
    }
  }
  return out;
}
