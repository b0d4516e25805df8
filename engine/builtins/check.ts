/**
 * Run-time operand checks built once from the declarations, worded as OPA words them
 * (`count: operand 1 must be one of {array, object, set, string} but got number`), so
 * implementations can trust the operand kinds they declared.
 */
import type { BuiltinDecl, Type } from '../../dsl/builtins/types.js';
import { isObject, PolSet, typeName, type Value } from '../value.js';
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

/** The element type of the array or set types in `t` with the given kind. */
function elementOf(t: Type, kind: 'array' | 'set'): Type | undefined {
  if (t.k === kind) return t.of;
  if (t.k === 'or') for (const x of t.of) { const e = elementOf(x, kind); if (e) return e; }
  return undefined;
}

/** Fast membership test for one kind, as `typeName` names kinds. */
function kindTest(kind: string): (v: Value) => boolean {
  switch (kind) {
    case 'string': return v => typeof v === 'string';
    case 'number': return v => typeof v === 'number' || typeof v === 'bigint';
    case 'boolean': return v => typeof v === 'boolean';
    case 'null': return v => v === null;
    case 'array': return v => Array.isArray(v);
    case 'set': return v => v instanceof PolSet;
    case 'object': return v => isObject(v);
    default: return () => true;
  }
}

function anyOf(tests: ((v: Value) => boolean)[]): (v: Value) => boolean {
  if (tests.length === 1) return tests[0]!;
  if (tests.length === 2) { const [a, b] = tests as [(v: Value) => boolean, (v: Value) => boolean]; return v => a(v) || b(v); }
  return v => { for (const t of tests) if (t(v)) return true; return false; };
}

/**
 * A check for one operand (throws the OPA-worded error), or undefined when the declared type
 * admits anything. The passing path is a couple of `typeof` tests; wording happens on failure.
 */
function argCheck(name: string, pos: number, t: Type): ((v: Value) => void) | undefined {
  const kinds = kindsOf(t);
  if (kinds.length === 0) return undefined;
  const ok = anyOf(kinds.map(kindTest));
  // Element checks are one level deep, for arrays and sets whose element type is a simple kind:
  // that is where OPA's builtins check too, and it keeps the check linear.
  let arrayElem: ((v: Value) => boolean) | undefined, arrayKinds: string[] = [];
  let setElem: ((v: Value) => boolean) | undefined, setKinds: string[] = [];
  if (kinds.includes('array')) {
    const e = elementOf(t, 'array');
    arrayKinds = e ? kindsOf(e) : [];
    if (arrayKinds.length) arrayElem = anyOf(arrayKinds.map(kindTest));
  }
  if (kinds.includes('set')) {
    const e = elementOf(t, 'set');
    setKinds = e ? kindsOf(e) : [];
    if (setKinds.length) setElem = anyOf(setKinds.map(kindTest));
  }
  if (!arrayElem && !setElem) {
    return v => { if (!ok(v)) throw operandTypeError(name, pos, kinds, v); };
  }
  return v => {
    if (!ok(v)) throw operandTypeError(name, pos, kinds, v);
    if (arrayElem && Array.isArray(v)) {
      for (const x of v) if (!arrayElem(x)) throw operandElementError(name, pos, v, arrayKinds, x);
    } else if (setElem && v instanceof PolSet) {
      for (const x of v.values()) if (!setElem(x)) throw operandElementError(name, pos, v, setKinds, x);
    }
  };
}

/** A checker for a declaration's operands, or undefined when every operand is `any`. */
export function operandChecker(decl: BuiltinDecl): ((args: Value[]) => void) | undefined {
  const checks = decl.args.map((a, i) => argCheck(decl.name, i + 1, a.type));
  if (checks.every(c => c === undefined)) return undefined;
  const noop = (): void => {};
  const [c0 = noop, c1 = noop, c2 = noop] = checks.map(c => c ?? noop);
  // Unrolled for the usual arities: no loop, no per-call allocation.
  switch (checks.length) {
    case 1: return args => { c0(args[0]!); };
    case 2: return args => { c0(args[0]!); c1(args[1]!); };
    case 3: return args => { c0(args[0]!); c1(args[1]!); c2(args[2]!); };
    default: {
      const all = checks.map(c => c ?? noop);
      return args => { for (let i = 0; i < all.length && i < args.length; i++) all[i]!(args[i]!); };
    }
  }
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
