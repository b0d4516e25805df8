/**
 * The .pol formatter: canonical, idempotent output in the style of `opa fmt`. Comments are kept
 * (leading and trailing); formatting never changes what the module means.
 */
import type { Module } from '../ast/nodes.js';
import type { Result } from '../diagnostic.js';
import { parseModule } from '../parser/index.js';
import { Printer } from './printer.js';

/** Prints a parsed module canonically. `source` is the text it was parsed from (for comments and layout). */
export function formatModule(module: Module, source: string): string {
  return new Printer(source, module.comments).module(module);
}

/** Parses and formats a file; returns the parse diagnostics instead when the file does not parse. */
export function formatSource(file: string, text: string): Result<string> {
  const parsed = parseModule(file, text);
  if (!parsed.value) return { value: undefined, diagnostics: parsed.diagnostics };
  return { value: formatModule(parsed.value, text), diagnostics: [] };
}
