/**
 * A function argument written as a template string (`f($"{x}-{y}") if { ... }`) is compared with
 * the argument after the body has bound the template's variables, as OPA does: the argument
 * becomes a variable, and each body (the `else` bodies too) ends by testing it against the
 * template. Rules without such an argument are returned as they are.
 */
import type { Expr, Module, Rule, Term } from '../ast/nodes.js';

/** The prefix of function arguments written as template strings (`$` keeps them apart from user names). */
const TEMPLATE_ARG = '$arg';

export function templateArgsLast(m: Module): Module {
  let changed = false;
  const rules = m.rules.map(r => {
    const out = rewriteRule(r);
    if (out !== r) changed = true;
    return out;
  });
  return changed ? { ...m, rules } : m;
}

function rewriteRule(rule: Rule): Rule {
  const args = rule.head.args;
  if (!args || !args.some(isTemplate)) return rule;
  const tests: Expr[] = [];
  const newArgs = args.map((a, i): Term => {
    if (!isTemplate(a)) return a;
    const v: Term = { kind: 'var', name: `${TEMPLATE_ARG}${i}`, loc: a.loc };
    tests.push({ kind: 'expr', negated: false, with: [], loc: a.loc, body: { kind: 'term', term: { kind: 'call', name: ['equal'], args: [v, a], loc: a.loc } } });
    return v;
  });
  const withTests = (r: Rule): Rule => ({ ...r, body: [...r.body, ...tests], hasBody: true, else: r.else ? withTests(r.else) : undefined });
  const out = withTests(rule);
  return { ...out, head: { ...out.head, args: newArgs } };
}

function isTemplate(t: Term): boolean {
  return t.kind === 'call' && t.template !== undefined;
}
