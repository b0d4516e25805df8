/**
 * pol's engine: compile `.pol` (Rego v1) modules to closures and evaluate decisions.
 *
 * ```js
 * import { compile } from 'pol';
 * const policy = compile({ modules: { 'rbac.pol': source }, data });
 * const allow = policy.entrypoint('rbac/allow');   // resolve once
 * allow.evaluate({ user: 'alice', action: 'read' }); // per request
 * ```
 */
export { compileInSlices, DEFAULT_SLICE_MS } from './compile/slices.js';
export { runInSlices } from './compile/run-slices.js';
export { finish, type Steps } from '../dsl/steps.js';
export { parseJsonSteps } from './json-steps.js';
export { DataDigests } from './data-digest.js';
export { compile, evalQuery, evalQueryRaw, checkSources, toPolError, bracketPath, entrypointKeys, entrypointPath } from './compile/program.js';
export type {
  CompileOptions, EvalOptions, EntryPoint, EntryPointInfo, PreparedPolicy, QueryOptions, QueryResult, EvalQueryOptions, RuleInfo, Explanation, RuleOutcome,
} from './api.js';
export { PolError, renderDiagnostic, type Diagnostic } from '../dsl/diagnostic.js';
export { DEADLINE_EXCEEDED } from './eval/context.js';
export {
  PolSet, PolObject, toJSON, stringifyJson, compare, equal, keyOf, typeName, type Value,
} from './value.js';
export type { BuiltinHost } from './builtins/types.js';
export { loadGeoDatabase, type GeoDatabase, type GeoRecord } from './builtins/geo.js';
export { randomUUIDv4 } from './builtins/uuid.js';
