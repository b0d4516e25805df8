import { T, type BuiltinDecl } from '../types.js';

const graph = T.obj(T.any, T.or(T.arr(), T.set(), T.null));
const nodes = T.or(T.arr(), T.set());

export const decls: BuiltinDecl[] = [
  {
    name: 'walk', category: 'graph', relation: true,
    args: [{ name: 'x', type: T.any, description: 'value to walk' }],
    result: T.arr(),
    description: 'Generates `[path, value]` tuples for all nested documents of `x` (recursively), the root first with path `[]`.',
    example: '[path, value] := walk(input)',
  },
  {
    name: 'graph.reachable', category: 'graph', result: T.set(),
    args: [
      { name: 'graph', type: graph, description: 'object containing a set or array of neighboring vertices' },
      { name: 'initial', type: nodes, description: 'set or array of root vertices' },
    ],
    description: 'Computes the set of reachable nodes in the graph from a set of starting nodes.',
    example: 'graph.reachable({"a": {"b"}, "b": set()}, {"a"})',
  },
  {
    name: 'graph.reachable_paths', category: 'graph', result: T.set(T.arr()),
    args: [
      { name: 'graph', type: graph, description: 'object containing a set or array of neighboring vertices' },
      { name: 'initial', type: nodes, description: 'set or array of root vertices' },
    ],
    description: 'Computes the set of reachable paths in the graph from a set of starting nodes.',
    example: 'graph.reachable_paths({"a": {"b"}, "b": set()}, {"a"})',
  },
];
