/**
 * Static types of builtin signatures. The checker uses them for arity and operand checks; the
 * engine uses them to check operands at run time and to word OPA-compatible type errors.
 */
export type Type =
  | { k: 'any' }
  | { k: 'null' } | { k: 'boolean' } | { k: 'number' } | { k: 'string' }
  | { k: 'array'; of: Type }
  | { k: 'set'; of: Type }
  | { k: 'object'; key: Type; value: Type }
  | { k: 'or'; of: Type[] };

export const T = {
  any: { k: 'any' } as Type,
  null: { k: 'null' } as Type,
  bool: { k: 'boolean' } as Type,
  num: { k: 'number' } as Type,
  str: { k: 'string' } as Type,
  arr: (of: Type = { k: 'any' }): Type => ({ k: 'array', of }),
  set: (of: Type = { k: 'any' }): Type => ({ k: 'set', of }),
  obj: (key: Type = { k: 'any' }, value: Type = { k: 'any' }): Type => ({ k: 'object', key, value }),
  or: (...of: Type[]): Type => ({ k: 'or', of }),
};

export interface ArgDecl { name: string; type: Type; description?: string }

export interface BuiltinDecl {
  /** Dotted name as written in policies: `count`, `io.jwt.decode`, `plus` for `+`. */
  name: string;
  /** Grouping for docs: `strings`, `regex`, `time`, ... */
  category: string;
  args: ArgDecl[];
  result: Type;
  description: string;
  /** A one-line policy example for generated docs. */
  example?: string;
  /** Operator form (`+`, `==`) when the builtin is an operator. */
  infix?: string;
  /** Results depend on more than the arguments (clock, randomness): memoised per evaluation and never decision-cached. */
  nondeterministic?: boolean;
  /**
   * A relation enumerates several results (e.g. `walk`): the implementation returns an array of
   * results and the engine iterates them.
   */
  relation?: boolean;
  /** Reaches the network or host: disabled unless the host enables it explicitly. */
  capability?: 'network';
}

/** Renders a type the way OPA's error messages do (`string`, `array[any]`, `any<number, string>`). */
export function typeText(t: Type): string {
  switch (t.k) {
    case 'array': return `array[${typeText(t.of)}]`;
    case 'set': return `set[${typeText(t.of)}]`;
    case 'object': return `object[${typeText(t.key)}: ${typeText(t.value)}]`;
    case 'or': return `any<${t.of.map(typeText).join(', ')}>`;
    default: return t.k;
  }
}
