import { T, type BuiltinDecl } from '../types.js';

export const decls: BuiltinDecl[] = [
  {
    name: 'pol.runtime', category: 'runtime',
    args: [],
    result: T.obj(T.str, T.any),
    description: 'Returns the runtime document the host exposes: `{"version": ..., "config": {...}, "env": {...}}`. `env` is present only when the host forwards chosen environment variables; pol never exposes the process environment by itself.',
    example: 'pol.runtime().config.environment == "production"',
    nondeterministic: true,
  },
  {
    name: 'opa.runtime', category: 'runtime',
    args: [],
    result: T.obj(T.str, T.any),
    description: 'OPA\'s name for `pol.runtime`, so policies written for OPA run unchanged.',
    example: 'opa.runtime().version',
    nondeterministic: true,
  },
  {
    name: 'trace', category: 'tracing',
    args: [{ name: 'note', type: T.str, description: 'the note to include' }],
    result: T.bool,
    description: 'Emits a note into the evaluation trace (the host\'s trace sink, when tracing is on). Always true.',
    example: 'trace(sprintf("role=%v", [input.identity.roles]))',
  },
  {
    name: 'print', category: 'tracing',
    // NOTE: variadic: any number of operands of any type. The checker and compiler special-case
    // `print`; this single `any` argument documents the operand type only.
    args: [{ name: 'values', type: T.any, description: 'zero or more values, printed space-separated (strings bare, others as JSON, undefined as `<undefined>`)' }],
    result: T.bool,
    description: 'Prints its operands, space-separated, to the host\'s print output: strings as they are, other values in Rego syntax (`[1, "a"]`, `{1, 2}`, `set()`). Never fails and never makes a rule undefined: an undefined operand prints as `<undefined>`; an operand with several values prints one line per value (per combination of values, at most 1,000 lines per call).',
    example: 'print("user", input.identity.subject)',
  },
];
