/**
 * The .pol language: parse, check and format. Depends on chevrotain only (no `node:*`), so it can
 * run in a browser playground or an editor.
 */
export { parseModule, parseModuleSteps, parseQuery, parseTerm } from './parser/index.js';
export { finish, type Steps } from './steps.js';
export { formatModule, formatSource } from './format/index.js';
export { checkModules, checkModulesSteps, checkQuery, STAGES, type Program } from './checker/stages.js';
export {
  PolError, renderDiagnostic, sortDiagnostics, diagnosticAt, MAX_DIAGNOSTICS,
  type Diagnostic, type DiagnosticCode, type Loc, type Result,
} from './diagnostic.js';
export type * from './ast/nodes.js';
export { BUILTIN_DECLS, BUILTINS_BY_NAME } from './builtins/decls.js';
export { typeText, type BuiltinDecl, type Type } from './builtins/types.js';
