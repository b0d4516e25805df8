/**
 * The .pol parser (Rego v1 syntax). Parsing never throws on user input: every function returns
 * the value (undefined when there are errors) and all `rego_parse_error` diagnostics, sorted and
 * capped, at most one per line.
 */
import type { Expr, Module, Term } from '../ast/nodes.js';
import type { Result } from '../diagnostic.js';
import type { Steps } from '../steps.js';
import * as impl from './parse.js';

/** Parses a whole module: `package`, imports and rules. `file` is recorded in every location. */
export function parseModule(file: string, text: string): Result<Module> {
  return impl.parseModule(file, text);
}

/** `parseModule` a statement at a time, for callers that pause between them (see `Steps`). */
export function parseModuleSteps(file: string, text: string): Steps<Result<Module>> {
  return impl.parseModuleSteps(file, text);
}

/** Parses a query body: expressions separated by `;` or new lines (e.g. `x := data.a; x > 1`). */
export function parseQuery(text: string, file?: string): Result<Expr[]> {
  return impl.parseQuery(text, file);
}

/** Parses one term in Rego syntax (sets, non-string keys, trailing commas), e.g. OPA's `input_term`. */
export function parseTerm(text: string, file?: string): Result<Term> {
  return impl.parseTerm(text, file);
}

export { MAX_NESTING } from './parse.js';
