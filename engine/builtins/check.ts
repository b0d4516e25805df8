/**
 * Run-time operand checks built once from the declarations, worded as OPA words them
 * (`count: operand 1 must be one of {array, object, set, string} but got number`), so
 * implementations can trust the operand kinds they declared.
 */
import type { BuiltinDecl, Type } from '../../dsl/builtins/types.js';
import { isObject, objectEntries, PolObject, PolSet, typeName, type Value } from '../value.js';
import { BuiltinError, type BuiltinImpl } from './types.js';

/** `name: operand pos must be want but got <type>` (`eval_type_error`). */
export function operandTypeError(name: string, pos: number, want: string[], got: Value): BuiltinError {
  const w = want.length === 1 ? want[0]! : `one of {${want.join(', ')}}`;
  return new BuiltinError(`${name}: operand ${pos} must be ${w} but got ${typeName(got)}`, 'eval_type_error');
}

/** `name: operand pos must be array of strings but got array containing number`. */
export function operandElementError(name: string, pos: number, composite: Value, want: string[], got: Value): BuiltinError {
  const c = typeName(composite);
  const w = want.length === 1 ? `${want[0]}s` : `(any of) {${want.join(', ')}}`;
  return new BuiltinError(`${name}: operand ${pos} must be ${c} of ${w} but got ${c} containing ${typeName(got)}`, 'eval_type_error');
}

/** A builtin failure (`eval_builtin_error`) worded `name: message`. */
export function builtinError(name: string, message: string): BuiltinError {
  return new BuiltinError(`${name}: ${message}`, 'eval_builtin_error');
}

/** The kinds (as `typeName` words them) a type admits; empty means any. */
function kindsOf(t: Type): string[] {
  switch (t.k) {
    case 'any': return [];
    case 'or': {
      const out = new Set<string>();
      for (const x of t.of) {
        const ks = kindsOf(x);
        if (ks.length === 0) return [];
        for (const k of ks) out.add(k);
      }
      return [...out];
    }
    default: return [t.k];
  }
}

/** The element type of the collection types in `t` with the given kind, or any. */
function elementOf(t: Type, kind: string): Type | undefined {
  if (t.k === kind && (t.k === 'array' || t.k === 'set')) return t.of;
  if (t.k === 'object' && kind === 'object') return t.value;
  if (t.k === 'or') for (const x of t.of) { const e = elementOf(x, kind); if (e) return e; }
  return undefined;
}

type ArgCheck = (name: string, pos: number, v: Value) => void;

/** A check for one operand, or undefined when the declared type admits anything. */
function argCheck(t: Type): ArgCheck | undefined {
  const kinds = kindsOf(t);
  if (kinds.length === 0) return undefined;
  const allowed = new Set(kinds);
  // Element checks are one level deep, and only for element types that are simple kinds: that is
  // where OPA's builtins check too, and it keeps the check linear and allocation-free.
  const elemKinds = new Map<string, Set<string>>();
  for (const k of ['array', 'set']) {
    if (!allowed.has(k)) continue;
    const e = elementOf(t, k);
    const ek = e ? kindsOf(e) : [];
    if (ek.length > 0) elemKinds.set(k, new Set(ek));
  }
  return (name, pos, v) => {
    const k = typeName(v);
    if (!allowed.has(k)) throw operandTypeError(name, pos, kinds, v);
    if (elemKinds.size === 0) return;
    const ek = elemKinds.get(k);
    if (!ek) return;
    if (Array.isArray(v)) {
      for (const x of v) if (!ek.has(typeName(x))) throw operandElementError(name, pos, v, [...ek], x);
    } else if (v instanceof PolSet) {
      for (const x of v.values()) if (!ek.has(typeName(x))) throw operandElementError(name, pos, v, [...ek], x);
    } else if (v instanceof PolObject || isObject(v)) {
      for (const [, x] of objectEntries(v)) if (!ek.has(typeName(x))) throw operandElementError(name, pos, v, [...ek], x);
    }
  };
}

/** A checker for a declaration's operands, or undefined when every operand is `any`. */
export function operandChecker(decl: BuiltinDecl): ((args: Value[]) => void) | undefined {
  const checks = decl.args.map(a => argCheck(a.type));
  if (checks.every(c => c === undefined)) return undefined;
  const name = decl.name;
  const n = checks.length;
  return args => {
    for (let i = 0; i < n; i++) {
      const c = checks[i];
      if (c !== undefined && i < args.length) c(name, i + 1, args[i]!);
    }
  };
}

/** The implementation with its declared operand checks in front. */
export function checkedImpl(decl: BuiltinDecl, impl: BuiltinImpl): BuiltinImpl {
  const check = operandChecker(decl);
  if (!check) return impl;
  return (args, ctx) => { check(args); return impl(args, ctx); };
}

/**
 * A family's implementations, each wrapped with the checks of its declaration. Throws at start-up
 * when an implementation has no declaration, so the two cannot drift apart.
 */
export function withChecks(decls: readonly BuiltinDecl[], impls: Record<string, BuiltinImpl>): Record<string, BuiltinImpl> {
  const byName = new Map(decls.map(d => [d.name, d]));
  const out: Record<string, BuiltinImpl> = Object.create(null) as Record<string, BuiltinImpl>;
  for (const name of Object.keys(impls)) {
    const decl = byName.get(name);
    if (!decl) throw new Error(`builtin ${name} is implemented but not declared`);
    out[name] = checkedImpl(decl, impls[name]!);
  }
  return out;
}
