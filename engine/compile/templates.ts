/**
 * Rule templates: large generated policies repeat one rule shape thousands of times with only
 * the constants changed (`allow if { input.resource == "r1"; input.action == "read"; "admin" in
 * data.roles[input.user] }`). Such rules are compiled once as a template whose constants are
 * parameters, and each rule keeps only its constants. Compiling gets cheaper, and evaluation
 * touches one hot set of closures instead of a cold copy per rule.
 *
 * Only shapes whose expressions can neither bind variables nor raise errors qualify, so sharing
 * the compiled body cannot change a result, an error or its location.
 */
import type { Expr, Rule, Term } from '../../dsl/ast/nodes.js';
import { literalValue } from './compiler.js';
import { quoteJsonString, type Value } from '../value.js';

/** Comparisons and membership: total, side-effect free, never an error. */
const TEMPLATE_CALLS = new Set(['equal', 'neq', 'lt', 'lte', 'gt', 'gte', 'internal.member_2']);

/** Parameter names cannot be written in a policy (`$` is not an identifier character). */
export const paramName = (i: number): string => `$p${i}`;

export interface RuleTemplate {
  /** Equal keys mean the rules compile to the same closures given their parameters. */
  key: string;
  /** The body with each constant replaced by its parameter variable. */
  body: Expr[];
  /** The constants, in parameter order. */
  params: Value[];
  /** The rule's constant value (`true` when it has none). */
  value: Value;
}

/** The rule as a template, or undefined when its shape does not qualify. */
export function templateOf(rule: Rule): RuleTemplate | undefined {
  if (rule.else || rule.default || rule.head.args || rule.head.key || rule.head.contains || rule.body.length === 0) return undefined;
  const value = rule.head.value ? literalValue(rule.head.value) : true;
  if (value === undefined || (value !== null && typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean')) return undefined;
  const params: Value[] = [];
  const body: Expr[] = [];
  for (const e of rule.body) {
    if (e.with.length || e.body.kind !== 'term') return undefined;
    const t = e.body.term;
    if (t.kind !== 'call' || !TEMPLATE_CALLS.has(t.name.join('.'))) return undefined;
    const args: Term[] = [];
    for (const a of t.args) {
      if (a.kind === 'scalar' || a.kind === 'number') {
        args.push({ kind: 'var', name: paramName(params.length), loc: a.loc });
        params.push(literalValue(a)!);
      } else if (isPlainRef(a)) {
        args.push(a);
      } else {
        return undefined;
      }
    }
    body.push({ ...e, body: { kind: 'term', term: { ...t, args } } });
  }
  // The value is part of the shape: the compiled body stores it as the rule's result.
  let key = typeof value + ':' + String(value);
  for (const e of body) key += (e.negated ? ';!' : ';') + termKey(e.body.kind === 'term' ? e.body.term : e.body.kind);
  return { key, body, params, value };
}

/** Text that identifies a template term (locations left out). Only the kinds templates admit. */
function termKey(t: Term | string): string {
  if (typeof t === 'string') return t;
  switch (t.kind) {
    case 'var': return t.name;
    case 'scalar': return typeof t.value === 'string' ? quoteJsonString(t.value) : String(t.value);
    case 'ref': return termKey(t.head) + t.path.map(p => '[' + termKey(p) + ']').join('');
    case 'call': return t.name.join('.') + '(' + t.args.map(termKey).join(',') + ')';
    default: return '?' + t.kind;
  }
}

/** `input.a.b`, `data.x[input.y]`: refs from input or data whose keys are constants or such refs. */
function isPlainRef(t: Term): boolean {
  if (t.kind !== 'ref' || t.head.kind !== 'var' || (t.head.name !== 'input' && t.head.name !== 'data')) return false;
  return t.path.every(p => (p.kind === 'scalar' && typeof p.value === 'string') || isPlainRef(p));
}
