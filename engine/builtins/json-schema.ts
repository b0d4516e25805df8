/**
 * `json.verify_schema` and `json.match_schema` on ajv, with results shaped and worded like OPA's
 * (gojsonschema's `{desc, error, field, type}` records). Compiled schemas are cached by their
 * canonical text, so a policy that checks many documents against one schema compiles it once.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { BoundedMap } from './bounded-map.js';
import { parseJson, serializeJson } from '../json.js';
import { canonicalText, makeObject, type Value } from '../value.js';
import { builtinError } from './check.js';

const VALID_TYPES = ['array', 'boolean', 'integer', 'number', 'null', 'object', 'string'];
/** Schemas larger than this (in canonical characters) are refused rather than compiled. */
const MAX_SCHEMA_TEXT = 1_000_000;

const ajv = new Ajv({ allErrors: true, verbose: true, strict: false, validateFormats: false, validateSchema: true });
const cache = new BoundedMap<string, ValidateFunction | Error>(200);

/** The schema as plain JSON: a string is parsed, anything else converted. */
function schemaJson(schema: Value): unknown {
  return plainJson(typeof schema === 'string' ? parseJson(schema) : schema);
}

/** Plain JSON for ajv: sets as arrays, non-string keys as text, big integers as doubles. */
function plainJson(v: Value): unknown {
  return JSON.parse(serializeJson(v));
}

/** gojsonschema's wording for a `type` keyword it does not know. */
function unknownType(schema: unknown, depth = 0): string | undefined {
  if (depth > 256 || typeof schema !== 'object' || schema === null) return undefined;
  if (Array.isArray(schema)) {
    for (const x of schema) { const r = unknownType(x, depth + 1); if (r) return r; }
    return undefined;
  }
  const o = schema as Record<string, unknown>;
  const t = Object.prototype.hasOwnProperty.call(o, 'type') ? o.type : undefined;
  const types = typeof t === 'string' ? [t] : Array.isArray(t) ? t.filter(x => typeof x === 'string') as string[] : [];
  for (const x of types) {
    if (!VALID_TYPES.includes(x)) return `has a primitive type that is NOT VALID -- given: /${x}/ Expected valid values are:[${VALID_TYPES.join(' ')}]`;
  }
  for (const k of Object.keys(o)) {
    if (k === 'type' || k === 'enum' || k === 'const' || k === 'default' || k === 'examples') continue;
    const r = unknownType(o[k], depth + 1);
    if (r) return r;
  }
  return undefined;
}

function compile(schema: Value): ValidateFunction {
  const key = typeof schema === 'string' ? 's' + schema : canonicalText(schema);
  if (key.length > MAX_SCHEMA_TEXT) throw new Error('schema too large');
  let r = cache.get(key);
  if (r === undefined) {
    try {
      const json = schemaJson(schema);
      const bad = unknownType(json);
      if (bad) throw new Error(bad);
      if (typeof json !== 'boolean' && (typeof json !== 'object' || json === null || Array.isArray(json))) throw new Error('schema must be an object or a boolean');
      r = ajv.compile(json as object);
    } catch (e) {
      r = e instanceof Error ? e : new Error(String(e));
    }
    cache.set(key, r);
  }
  if (r instanceof Error) throw r;
  return r;
}

/** `[true, null]` or `[false, "jsonschema: <why>"]`. */
export function verifySchema(schema: Value): Value {
  try {
    compile(schema);
    return [true, null];
  } catch (e) {
    return [false, `jsonschema: ${(e as Error).message}`];
  }
}

function jsonTypeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  if (typeof v === 'bigint') return 'integer';
  return typeof v;
}

function fieldOf(instancePath: string): string {
  if (instancePath === '') return '(root)';
  return instancePath.slice(1).split('/').map(s => s.replace(/~1/g, '/').replace(/~0/g, '~')).join('.');
}

/** One ajv error as gojsonschema would have reported it. */
function describe(e: ErrorObject, doc: unknown): { type: string; field: string; desc: string } {
  const field = fieldOf(e.instancePath);
  const p = e.params as Record<string, unknown>;
  const data = e.instancePath === '' ? doc : e.data;
  switch (e.keyword) {
    case 'type': {
      const want = Array.isArray(p.type) ? (p.type as string[]).join(',') : String(p.type);
      return { type: 'invalid_type', field, desc: `Invalid type. Expected: ${want}, given: ${jsonTypeOf(data)}` };
    }
    case 'required': return { type: 'required', field, desc: `${String(p.missingProperty)} is required` };
    case 'additionalProperties': return { type: 'additional_property_not_allowed', field, desc: `Additional property ${String(p.additionalProperty)} is not allowed` };
    case 'enum': return { type: 'enum', field, desc: `${field} must be one of the following: ${((p.allowedValues as unknown[]) ?? []).map(v => JSON.stringify(v)).join(', ')}` };
    case 'const': return { type: 'const', field, desc: `${field} does not match: ${JSON.stringify(p.allowedValue)}` };
    case 'minimum': return { type: 'number_gte', field, desc: `Must be greater than or equal to ${String(p.limit)}` };
    case 'maximum': return { type: 'number_lte', field, desc: `Must be less than or equal to ${String(p.limit)}` };
    case 'exclusiveMinimum': return { type: 'number_gt', field, desc: `Must be greater than ${String(p.limit)}` };
    case 'exclusiveMaximum': return { type: 'number_lt', field, desc: `Must be less than ${String(p.limit)}` };
    case 'multipleOf': return { type: 'multiple_of', field, desc: `Must be a multiple of ${String(p.multipleOf)}` };
    case 'minLength': return { type: 'string_gte', field, desc: `String length must be greater than or equal to ${String(p.limit)}` };
    case 'maxLength': return { type: 'string_lte', field, desc: `String length must be less than or equal to ${String(p.limit)}` };
    case 'pattern': return { type: 'pattern', field, desc: `Does not match pattern '${String(p.pattern)}'` };
    case 'minItems': return { type: 'array_min_items', field, desc: `Array must have at least ${String(p.limit)} items` };
    case 'maxItems': return { type: 'array_max_items', field, desc: `Array must have at most ${String(p.limit)} items` };
    case 'uniqueItems': return { type: 'unique', field, desc: `array items[${String(p.j)},${String(p.i)}] must be unique` };
    case 'minProperties': return { type: 'array_min_properties', field, desc: `Must have at least ${String(p.limit)} properties` };
    case 'maxProperties': return { type: 'array_max_properties', field, desc: `Must have at most ${String(p.limit)} properties` };
    case 'anyOf': return { type: 'number_any_of', field, desc: 'Must validate at least one schema (anyOf)' };
    case 'oneOf': return { type: 'number_one_of', field, desc: 'Must validate one and only one schema (oneOf)' };
    case 'not': return { type: 'number_not', field, desc: 'Must not validate the schema (not)' };
    case 'false schema': return { type: 'false', field, desc: 'False always fails validation' };
    default: return { type: e.keyword, field, desc: e.message ?? e.keyword };
  }
}

/** `[true, []]` or `[false, [{desc, error, field, type}, ...]]`; a broken schema is an error. */
export function matchSchema(document: Value, schema: Value): Value {
  let validate: ValidateFunction;
  try {
    validate = compile(schema);
  } catch (e) {
    throw builtinError('json.match_schema', (e as Error).message);
  }
  let doc: unknown;
  try {
    doc = plainJson(typeof document === 'string' ? parseJson(document) : document);
  } catch (e) {
    throw builtinError('json.match_schema', (e as Error).message);
  }
  if (validate(doc)) return [true, []];
  const errors: Value[] = [];
  for (const e of validate.errors ?? []) {
    if (e.keyword === 'if') continue;
    const d = describe(e, doc);
    errors.push(makeObject([['desc', d.desc], ['error', `${d.field}: ${d.desc}`], ['field', d.field], ['type', d.type]]));
  }
  return [false, errors];
}

