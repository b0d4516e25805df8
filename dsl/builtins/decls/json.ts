import { T, type BuiltinDecl, type Type } from '../types.js';

const fn = (name: string, category: string, args: [string, Type, string][], result: Type, description: string, example: string): BuiltinDecl => ({
  name, category, result, description, example,
  args: args.map(([n, type, d]) => ({ name: n, type, description: d })),
});

// Elements (string paths or arrays of segments) are checked by the implementation, with OPA's wording.
const paths = T.or(T.set(), T.arr());
const schema = T.or(T.str, T.obj(T.str, T.any), T.bool);

export const decls: BuiltinDecl[] = [
  fn('json.marshal', 'encoding', [['x', T.any, 'the term to serialize']], T.str,
    'Serializes the input term to JSON (object keys sorted, sets as sorted arrays).', 'json.marshal({"a": 1})'),
  fn('json.marshal_with_options', 'encoding', [['x', T.any, 'the term to serialize'], ['opts', T.obj(T.str, T.any), 'options: `pretty` (bool), `indent` (string), `prefix` (string)']], T.str,
    'Serializes the input term to JSON, with indentation and a line prefix when asked for.', 'json.marshal_with_options(input, {"indent": "  "})'),
  fn('json.unmarshal', 'encoding', [['x', T.str, 'a JSON string']], T.any,
    'Deserializes the input string (integers stay exact).', 'json.unmarshal(`{"a": 1}`)'),
  fn('json.is_valid', 'encoding', [['x', T.any, 'a JSON string']], T.bool,
    'Verifies the input string is a valid JSON document.', 'json.is_valid(input.body)'),
  fn('yaml.marshal', 'encoding', [['x', T.any, 'the term to serialize']], T.str,
    'Serializes the input term to YAML.', 'yaml.marshal({"a": [1, 2]})'),
  fn('yaml.unmarshal', 'encoding', [['x', T.str, 'a YAML string']], T.any,
    'Deserializes the input string.', 'yaml.unmarshal("a: 1")'),
  fn('yaml.is_valid', 'encoding', [['x', T.any, 'a YAML string']], T.bool,
    'Verifies the input string is a valid YAML document.', 'yaml.is_valid(input.body)'),
  fn('json.filter', 'objects', [['object', T.obj(), 'object to filter'], ['paths', paths, 'JSON string paths (`a/b/c`) or arrays of path segments']], T.any,
    'Filters the object by keeping only the specified paths.', 'json.filter(input.user, ["name", "address/city"])'),
  fn('json.remove', 'objects', [['object', T.obj(), 'object to remove paths from'], ['paths', paths, 'JSON string paths (`a/b/c`) or arrays of path segments']], T.any,
    'Removes paths from an object.', 'json.remove(input.user, ["password", "tokens/refresh"])'),
  fn('json.patch', 'objects', [['object', T.any, 'the object to patch'], ['patches', T.arr(T.obj(T.str, T.any)), 'the JSON patches (RFC 6902) to apply']], T.any,
    'Patches an object according to RFC6902; paths may also address set members.', 'json.patch(input.doc, [{"op": "add", "path": "/a", "value": 1}])'),
  fn('json.verify_schema', 'encoding', [['schema', schema, 'the schema to verify']], T.arr(),
    'Checks that the input is a valid JSON schema object: returns `[true, null]` or `[false, "<error>"]`.', 'json.verify_schema({"type": "string"})'),
  fn('json.match_schema', 'encoding', [['document', T.or(T.str, T.any), 'document to verify by schema'], ['schema', schema, 'schema to verify document by']], T.arr(),
    'Checks that the document matches the JSON schema: returns `[true, []]` or `[false, errors]`.', 'json.match_schema(input, {"type": "object"})'),
];
