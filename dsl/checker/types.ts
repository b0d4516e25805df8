/** Stage `check_types`: builtin calls must match their declared arity and literal operand types. */
import type { Expr, Rule, Term } from '../ast/nodes.js';
import { diagnosticAt, type Diagnostic } from '../diagnostic.js';
import { BUILTINS_BY_NAME } from '../builtins/decls.js';
import { typeText, type Type } from '../builtins/types.js';
import { forEachExprTerm, forEachTerm } from './walk.js';
import type { ArityOf } from './safety.js';

function literalType(t: Term): Type['k'] | undefined {
  switch (t.kind) {
    case 'scalar': return t.value === null ? 'null' : typeof t.value === 'string' ? 'string' : 'boolean';
    case 'number': return 'number';
    case 'array': case 'arraycompr': return 'array';
    case 'set': case 'setcompr': return 'set';
    case 'object': case 'objectcompr': return 'object';
    default: return undefined;
  }
}

function accepts(type: Type, k: Type['k']): boolean {
  if (type.k === 'any') return true;
  if (type.k === 'or') return type.of.some(t => accepts(t, k));
  return type.k === k;
}

export function checkCallTypes(t: Term, diags: Diagnostic[], arityOf?: ArityOf): void {
  if (t.kind !== 'call') return;
  if (t.name[0] === 'data') {
    const arity = arityOf?.(t.name);
    if (arity !== undefined && t.args.length !== arity && t.args.length !== arity + 1) {
      diags.push(diagnosticAt('rego_type_error', t.loc, `${t.name.join('.')}: arity mismatch: have ${t.args.length} arguments, want ${arity}`));
    }
    return;
  }
  const name = t.name.join('.');
  const decl = BUILTINS_BY_NAME.get(name);
  if (!decl) return;
  const arity = decl.args.length;
  const variadic = decl.name === 'print';
  if (!variadic && t.args.length !== arity && t.args.length !== arity + 1) {
    const have = t.args.length;
    diags.push(diagnosticAt('rego_type_error', t.loc, `${name}: arity mismatch: have ${have} argument${have === 1 ? '' : 's'}, want ${arity}`,
      `${name}(${decl.args.map(a => `${a.name}: ${typeText(a.type)}`).join(', ')}) -> ${typeText(decl.result)}`));
    return;
  }
  for (let i = 0; i < Math.min(arity, t.args.length); i++) {
    const k = literalType(t.args[i]!);
    if (k && !accepts(decl.args[i]!.type, k)) {
      diags.push(diagnosticAt('rego_type_error', t.args[i]!.loc, `${name}: operand ${i + 1} must be ${typeText(decl.args[i]!.type)} but got ${k}`));
    }
  }
}

export function checkRuleTypes(rule: Rule, diags: Diagnostic[], arityOf?: ArityOf): void {
  const visit = (t: Term) => checkCallTypes(t, diags, arityOf);
  for (let r: Rule | undefined = rule; r; r = r.else) {
    for (const e of r.body) forEachExprTerm(e, visit, true);
    for (const t of [r.head.key, r.head.value]) if (t) forEachTerm(t, visit, true);
  }
}
export function checkBodyTypes(body: Expr[], diags: Diagnostic[], arityOf?: ArityOf): void {
  for (const e of body) forEachExprTerm(e, t => checkCallTypes(t, diags, arityOf), true);
}
