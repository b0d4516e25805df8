import { T, type BuiltinDecl } from '../types.js';

export const decls: BuiltinDecl[] = [
  {
    name: 'uuid.rfc4122', category: 'uuid',
    args: [{ name: 'k', type: T.str, description: 'seed string' }],
    result: T.str,
    description: 'Returns a new random version 4 UUID. Within one evaluation the same key `k` always gives the same UUID.',
    example: 'request_id := uuid.rfc4122("request")',
    nondeterministic: true,
  },
  {
    name: 'uuid.parse', category: 'uuid',
    args: [{ name: 'uuid', type: T.str, description: 'UUID string to parse (canonical, `urn:uuid:`, `{…}` or 32 hex digits)' }],
    result: T.obj(T.str, T.any),
    description: 'Parses a UUID into `version` and `variant`; versions 1 and 2 add `time` (ns since the epoch), `clocksequence`, `nodeid` and `macvariables`, version 2 adds `id` and `domain`. Undefined for an invalid UUID.',
    example: 'uuid.parse(input.request_id).version == 4',
  },
];
