/** Stage `check_types`: builtin calls must match their declared arity and literal operand types. */
import type { Expr, Rule, Term } from '../ast/nodes.js';
import { diagnosticAt, type Diagnostic } from '../diagnostic.js';
import { BUILTINS_BY_NAME } from '../builtins/decls.js';
import { typeText, type Type } from '../builtins/types.js';
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
  const name = t.name.length === 1 ? t.name[0]! : t.name.join('.');
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
  for (let r: Rule | undefined = rule; r; r = r.else) {
    for (const e of r.body) exprTypes(e, diags, arityOf);
    if (r.head.key) termTypes(r.head.key, diags, arityOf);
    if (r.head.value) termTypes(r.head.value, diags, arityOf);
  }
}
export function checkBodyTypes(body: Expr[], diags: Diagnostic[], arityOf?: ArityOf): void {
  for (const e of body) exprTypes(e, diags, arityOf);
}

// The walks of forEachExprTerm/forEachTerm (into closures, in the same order), written out: this
// stage visits every term of every rule. Only calls are checked, so bare variables are skipped.
function exprTypes(e: Expr, diags: Diagnostic[], arityOf: ArityOf | undefined): void {
  const b = e.body;
  switch (b.kind) {
    case 'term': termTypes(b.term, diags, arityOf); break;
    case 'some': break;
    case 'somein':
      if (b.key) termTypes(b.key, diags, arityOf);
      termTypes(b.value, diags, arityOf); termTypes(b.collection, diags, arityOf); break;
    case 'every':
      termTypes(b.domain, diags, arityOf);
      for (const x of b.body) exprTypes(x, diags, arityOf);
      break;
  }
  for (const w of e.with) termTypes(w.value, diags, arityOf);
}

function termTypes(t: Term, diags: Diagnostic[], arityOf: ArityOf | undefined): void {
  switch (t.kind) {
    case 'ref': termTypes(t.head, diags, arityOf); for (const p of t.path) termTypes(p, diags, arityOf); break;
    case 'call': checkCallTypes(t, diags, arityOf); for (const a of t.args) termTypes(a, diags, arityOf); break;
    case 'array': case 'set': for (const i of t.items) termTypes(i, diags, arityOf); break;
    case 'object': for (const [k, v] of t.entries) { termTypes(k, diags, arityOf); termTypes(v, diags, arityOf); } break;
    case 'arraycompr': case 'setcompr':
      termTypes(t.head, diags, arityOf); for (const e of t.body) exprTypes(e, diags, arityOf); break;
    case 'objectcompr':
      termTypes(t.key, diags, arityOf); termTypes(t.value, diags, arityOf); for (const e of t.body) exprTypes(e, diags, arityOf); break;
    default: break;
  }
}
