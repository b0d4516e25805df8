import { T, type BuiltinDecl } from '../types.js';

export const decls: BuiltinDecl[] = [
  {
    name: 'union', category: 'sets', result: T.set(),
    args: [{ name: 'xs', type: T.set(T.set()), description: 'set of sets to merge' }],
    description: 'Returns the union of the given input sets.',
    example: 'union({{"a"}, {"b", "c"}})',
  },
  {
    name: 'intersection', category: 'sets', result: T.set(),
    args: [{ name: 'xs', type: T.set(T.set()), description: 'set of sets to intersect' }],
    description: 'Returns the intersection of the given input sets.',
    example: 'intersection({{"a", "b"}, {"b", "c"}})',
  },
];
