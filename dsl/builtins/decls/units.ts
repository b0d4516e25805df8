import { T, type BuiltinDecl } from '../types.js';

export const decls: BuiltinDecl[] = [
  {
    name: 'units.parse', category: 'units',
    args: [{ name: 'x', type: T.str, description: 'the unit to parse' }],
    result: T.num,
    description: 'Converts strings like "10G", "5K", "4M", "1500m", "2Mi" to plain numbers. SI (k, M, G, T, P, E; m for milli) and binary (Ki, Mi, Gi, Ti, Pi, Ei) suffixes; e-notation allowed. Exact: integers stay integers.',
    example: 'units.parse(input.resources.cpu) <= 2',
  },
  {
    name: 'units.parse_bytes', category: 'units',
    args: [{ name: 'x', type: T.str, description: 'the byte unit to parse' }],
    result: T.num,
    description: 'Converts strings like "10GB", "5K", "4mb" or "2MiB" to an integer number of bytes (case-insensitive; fractions truncated).',
    example: 'units.parse_bytes(input.request.headers["x-upload-size"]) < units.parse_bytes("10MiB")',
  },
];
