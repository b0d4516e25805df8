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
import { canonicalText, quoteJsonString, type Value } from '../value.js';

/** Comparisons and membership: total, side-effect free, never an error. */
const TEMPLATE_CALLS = new Set(['equal', 'neq', 'lt', 'lte', 'gt', 'gte', 'internal.member_2']);

/** Parameter names cannot be written in a policy (`$` is not an identifier character). */
export const paramName = (i: number): string => `$p${i}`;

export interface RuleTemplate {
  /** Equal keys mean the rules compile to the same closures given their parameters. */
  key: string;
  /** The constants, in parameter order. */
  params: Value[];
  /** The rule's constant value (`true` when it has none). */
  value: Value;
}

/**
 * The rule's template key and constants, or undefined when its shape does not qualify. Built
 * without copying the rule: policies with thousands of rules call this for each.
 */
export function templateOf(rule: Rule): RuleTemplate | undefined {
  if (rule.else || rule.default || rule.head.args || rule.head.key || rule.head.contains || rule.body.length === 0) return undefined;
  const value = rule.head.value ? literalValue(rule.head.value) : true;
  if (value === undefined || (value !== null && typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean')) return undefined;
  const params: Value[] = [];
  // The value is part of the shape: the compiled body stores it as the rule's result.
  let key = typeof value + ':' + String(value);
  for (const e of rule.body) {
    if (e.with.length || e.body.kind !== 'term') return undefined;
    const t = e.body.term;
    if (t.kind !== 'call') return undefined;
    const name = t.name.length === 1 ? t.name[0]! : t.name.join('.');
    if (!TEMPLATE_CALLS.has(name)) return undefined;
    key += (e.negated ? ';!' : ';') + name + '(';
    for (let i = 0; i < t.args.length; i++) {
      const a = t.args[i]!;
      if (i) key += ',';
      if (a.kind === 'scalar' || a.kind === 'number') {
        key += paramName(params.length);
        params.push(literalValue(a)!);
      } else if (isPlainRef(a)) {
        key += refKey(a);
      } else {
        return undefined;
      }
    }
    key += ')';
  }
  return { key, params, value };
}

/**
 * The body of a qualifying rule with each constant replaced by its parameter variable, leaving
 * out the expressions `skip` names (parameters keep their numbers either way).
 */
export function templateBody(rule: Rule, skip: (index: number) => boolean = () => false): Expr[] {
  let n = 0;
  const out: Expr[] = [];
  rule.body.forEach((e, i) => {
    const t = (e.body as { term: Term & { kind: 'call' } }).term;
    const args = t.args.map(a => (a.kind === 'scalar' || a.kind === 'number' ? { kind: 'var' as const, name: paramName(n++), loc: a.loc } : a));
    if (!skip(i)) out.push({ ...e, body: { kind: 'term' as const, term: { ...t, args } } });
  });
  return out;
}

/**
 * Which expressions of a qualifying rule are `input.path == constant` tests on one of the `proven`
 * paths (the rule index only returns the rule when they hold), as a mask text for template keys.
 */
export function provenMask(rule: Rule, proven: ReadonlySet<string> | undefined, keyOfPath: (t: Term) => string | undefined): string {
  if (!proven || proven.size === 0) return '';
  let mask = '';
  for (const e of rule.body) {
    const t = (e.body as { term: Term & { kind: 'call' } }).term;
    let hit = false;
    if (!e.negated && t.name.length === 1 && t.name[0] === 'equal' && t.args.length === 2) {
      const [a, b] = t.args as [Term, Term];
      const scalar = (x: Term) => x.kind === 'number' || (x.kind === 'scalar');
      const key = scalar(b) ? keyOfPath(a) : scalar(a) ? keyOfPath(b) : undefined;
      hit = key !== undefined && proven.has(key);
    }
    mask += hit ? '1' : '0';
  }
  return mask.includes('1') ? mask : '';
}

/**
 * A text identifying a test that can neither bind a variable nor raise an error (a comparison or
 * membership test between plain refs and constants), or undefined for any other expression. Two
 * expressions with one text give one answer within an evaluation.
 */
export function pureTestKey(e: Expr): string | undefined {
  if (e.with.length || e.body.kind !== 'term') return undefined;
  const t = e.body.term;
  if (t.kind !== 'call') return undefined;
  const name = t.name.length === 1 ? t.name[0]! : t.name.join('.');
  if (!TEMPLATE_CALLS.has(name)) return undefined;
  let key = (e.negated ? 'not ' : '') + name + '(';
  for (let i = 0; i < t.args.length; i++) {
    const a = t.args[i]!;
    if (i) key += ',';
    if (a.kind === 'scalar' || a.kind === 'number') {
      const v = literalValue(a);
      if (v === undefined) return undefined;
      key += canonicalText(v);
    } else if (isPlainRef(a)) {
      key += refKey(a);
    } else {
      return undefined;
    }
  }
  return key + ')';
}

/** Text that identifies a plain ref (locations left out). */
function refKey(t: Term): string {
  if (t.kind === 'var') return t.name;
  if (t.kind === 'scalar') return quoteJsonString(String(t.value));
  if (t.kind !== 'ref') return '?';
  let out = refKey(t.head);
  for (const p of t.path) out += '[' + refKey(p) + ']';
  return out;
}

/** `input.a.b`, `data.x[input.y]`: refs from input or data whose keys are constants or such refs. */
function isPlainRef(t: Term): boolean {
  if (t.kind !== 'ref' || t.head.kind !== 'var' || (t.head.name !== 'input' && t.head.name !== 'data')) return false;
  for (const p of t.path) if (!((p.kind === 'scalar' && typeof p.value === 'string') || isPlainRef(p))) return false;
  return true;
}
