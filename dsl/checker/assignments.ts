/**
 * Stage `check_assignments`: `:=` declares a variable once per scope, and never `input` or
 * `data` (they would shadow the documents).
 */
import type { Expr, Rule, Term } from '../ast/nodes.js';
import { diagnosticAt, type Diagnostic } from '../diagnostic.js';
import { forEachTerm } from './walk.js';

function checkBody(body: Expr[], declared: Set<string>, diags: Diagnostic[]): void {
  // Variables seen so far in this body (source order), to reject `y = 1; y := 2`.
  const seen = new Set<string>();
  for (const e of body) {
    const b = e.body;
    if (b.kind === 'term' && b.term.kind === 'call' && b.term.name.length === 1 && b.term.name[0] === 'assign') {
      forEachTerm(b.term.args[0]!, t => {
        if (t.kind !== 'var') return;
        if (t.name === 'input' || t.name === 'data') {
          diags.push(diagnosticAt('rego_compile_error', t.loc, `variables must not shadow ${t.name}`, 'pick another name; use `with ' + t.name + ' as …` to replace the document'));
        } else if (declared.has(t.name)) {
          diags.push(diagnosticAt('rego_compile_error', t.loc, `var ${t.name} assigned above`));
        } else if (seen.has(t.name)) {
          diags.push(diagnosticAt('rego_compile_error', t.loc, `var ${t.name} referenced above`));
        } else if (!t.name.startsWith('$')) {
          declared.add(t.name);
        }
      });
    } else if (b.kind === 'somein') {
      for (const p of b.key ? [b.key, b.value] : [b.value]) {
        forEachTerm(p, t => {
          if (t.kind === 'var' && declared.has(t.name)) diags.push(diagnosticAt('rego_compile_error', t.loc, `var ${t.name} assigned above`));
        });
      }
    } else if (b.kind === 'some') {
      for (const v of b.vars) {
        if (declared.has(v.name)) diags.push(diagnosticAt('rego_compile_error', v.loc, `var ${v.name} declared above`));
        declared.add(v.name);
      }
    } else if (b.kind === 'every') {
      checkBody(b.body, new Set(), diags);
    }
    // Closures are scopes of their own. (One walk: noting a variable reports nothing, so
    // checking each closure as it is met keeps the order of the reports.)
    exprSeen(e, seen, diags);
  }
}

/** forEachExprTerm's walk (not into closures), written out: notes variables, checks closures. */
function exprSeen(e: Expr, seen: Set<string>, diags: Diagnostic[]): void {
  const b = e.body;
  switch (b.kind) {
    case 'term': termSeen(b.term, seen, diags); break;
    case 'some': for (const v of b.vars) seen.add(v.name); break;
    case 'somein':
      if (b.key) termSeen(b.key, seen, diags);
      termSeen(b.value, seen, diags); termSeen(b.collection, seen, diags); break;
    case 'every': termSeen(b.domain, seen, diags); break;
  }
  for (const w of e.with) termSeen(w.value, seen, diags);
}

function termSeen(t: Term, seen: Set<string>, diags: Diagnostic[]): void {
  switch (t.kind) {
    case 'var': seen.add(t.name); break;
    case 'ref': termSeen(t.head, seen, diags); for (const p of t.path) termSeen(p, seen, diags); break;
    case 'call': for (const a of t.args) termSeen(a, seen, diags); break;
    case 'array': case 'set': for (const i of t.items) termSeen(i, seen, diags); break;
    case 'object': for (const [k, v] of t.entries) { termSeen(k, seen, diags); termSeen(v, seen, diags); } break;
    case 'arraycompr': case 'setcompr': case 'objectcompr': checkBody(t.body, new Set(), diags); break;
    default: break;
  }
}

export function checkRuleAssignments(rule: Rule, diags: Diagnostic[]): void {
  for (let r: Rule | undefined = rule; r; r = r.else) {
    const declared = new Set<string>();
    if (rule.head.args) for (const a of rule.head.args) forEachTerm(a, (t: Term) => { if (t.kind === 'var') declared.add(t.name); });
    checkBody(r.body, declared, diags);
  }
}
export function checkQueryAssignments(body: Expr[], diags: Diagnostic[]): void { checkBody(body, new Set(), diags); }
