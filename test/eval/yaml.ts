/**
 * YAML loading for evaluation cases, with the scalar rules OPA's loader (Go's YAML stack) uses:
 * no timestamps, no base-60 numbers, `1e3` is a float, and integers stay exact — an integer
 * outside JavaScript's safe range becomes a `bigint`, as engine values represent it.
 */
import yaml from 'js-yaml';

const nullType = new yaml.Type('tag:yaml.org,2002:null', {
  kind: 'scalar',
  resolve: (s: string) => s === '' || s === '~' || s === 'null' || s === 'Null' || s === 'NULL',
  construct: () => null,
  predicate: (v: unknown) => v === null,
});

const boolType = new yaml.Type('tag:yaml.org,2002:bool', {
  kind: 'scalar',
  resolve: (s: string) => /^(?:true|True|TRUE|false|False|FALSE)$/.test(s),
  construct: (s: string) => s[0] === 't' || s[0] === 'T',
  predicate: (v: unknown) => typeof v === 'boolean',
});

const intPattern = /^[-+]?[0-9]+$/;
const intType = new yaml.Type('tag:yaml.org,2002:int', {
  kind: 'scalar',
  resolve: (s: string) => intPattern.test(s),
  construct: (s: string) => {
    const b = BigInt(s);
    // Integers beyond 2^53 keep every digit (a double would silently round them).
    return b >= BigInt(Number.MIN_SAFE_INTEGER) && b <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(b) : b;
  },
  predicate: (v: unknown) => typeof v === 'bigint' || (typeof v === 'number' && Number.isInteger(v)),
});

const floatPattern = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/;
const floatType = new yaml.Type('tag:yaml.org,2002:float', {
  kind: 'scalar',
  // `.inf` and `.nan` are left out on purpose: they are not JSON values, so no case may use them.
  resolve: (s: string) => floatPattern.test(s),
  construct: (s: string) => Number(s),
  predicate: (v: unknown) => typeof v === 'number',
});

const schema = yaml.FAILSAFE_SCHEMA.extend({ implicit: [nullType, boolType, intType, floatType] });

/** Parses one YAML document; throws on syntax errors and duplicate mapping keys. */
export function loadYaml(text: string, filename: string): unknown {
  return yaml.load(text, { schema, filename });
}
