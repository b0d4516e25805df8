/**
 * The checker: one ordered list of named stages, each adding diagnostics to a shared program.
 * Later stages run only while no stage has reported an error, so one mistake is not reported
 * again in another stage's words.
 */
import { templateArgsLast } from './template-args.js';
import type { Module, Expr, Rule } from '../ast/nodes.js';
import { sortDiagnostics, type Diagnostic, type Result } from '../diagnostic.js';
import { BUILTINS_BY_NAME } from '../builtins/decls.js';
import { collectRuleNames, resolveModuleSteps, resolveQuery, type ResolveContext } from './resolve.js';
import { buildRuleTree, nodeAt, type RuleDef, type RuleTree } from './tree.js';
import { checkModuleSafetySteps, orderBody, type ArityOf } from './safety.js';
import { finish, type Steps } from '../steps.js';
import { checkRecursion } from './recursion.js';
import { checkQueryAssignments, checkRuleAssignments } from './assignments.js';
import { checkBodyTypes, checkRuleTypes } from './types.js';

export interface Program {
  modules: Module[];
  tree: RuleTree;
  arityOf: ArityOf;
  /** Shared with query resolution so generated names never collide. */
  resolve: ResolveContext;
}

/** A stage yields between units of work (a module, a rule), so a caller may pause it (see `Steps`). */
interface Stage { name: string; run(p: Program, diags: Diagnostic[]): Steps<void> }

export function makeArityOf(tree: RuleTree): ArityOf {
  return (name: string[]) => {
    if (name[0] === 'data') {
      const n = nodeAt(tree, name.slice(1), false);
      return n?.kind === 'function' ? n.arity : undefined;
    }
    const decl = BUILTINS_BY_NAME.get(name.length === 1 ? name[0]! : name.join('.'));
    if (!decl || decl.name === 'print') return undefined;
    return decl.args.length;
  };
}

export const STAGES: readonly Stage[] = [
  {
    name: 'template_args',
    *run(p) {
      const out: Module[] = [];
      for (const m of p.modules) { out.push(templateArgsLast(m)); yield; }
      p.modules = out;
    },
  },
  {
    name: 'resolve_refs',
    *run(p, diags) {
      p.resolve.diagnostics = diags;
      p.resolve.ruleNames = collectRuleNames(p.modules);
      yield;
      const out: Module[] = [];
      for (const m of p.modules) out.push(yield* resolveModuleSteps(m, p.resolve));
      p.modules = out;
    },
  },
  {
    name: 'build_rule_tree',
    // One step: the tree is built whole.
    *run(p, diags) {
      p.tree = buildRuleTree(p.modules, diags);
      p.arityOf = makeArityOf(p.tree);
    },
  },
  {
    name: 'check_assignments',
    *run(p, diags) { for (const m of p.modules) for (const r of m.rules) { checkRuleAssignments(r, diags); yield; } },
  },
  {
    name: 'check_types',
    *run(p, diags) { for (const m of p.modules) for (const r of m.rules) { checkRuleTypes(r, diags, p.arityOf); yield; } },
  },
  {
    name: 'check_safety',
    *run(p, diags) {
      const before = p.modules;
      const after: Module[] = [];
      for (const m of before) after.push(yield* checkModuleSafetySteps(m, p.arityOf, diags));
      p.modules = after;
      // The tree holds the rules as they were before reordering: point it at the ordered rules.
      // (Ordering changes neither a rule's head nor which rules there are, so the tree built from
      // the ordered modules would be the same but for the rules it holds.)
      if (!retarget(p.tree, before, p.modules)) p.tree = buildRuleTree(p.modules, []);
      p.arityOf = makeArityOf(p.tree);
    },
  },
  // One step: recursion is found over the whole tree.
  { name: 'check_recursion', *run(p, diags) { checkRecursion(p.tree, diags); } },
];

/** Replaces, in place, every rule of `tree` from `before` by its counterpart in `after`. */
function retarget(tree: RuleTree, before: Module[], after: Module[]): boolean {
  // Per module: a rule object may be shared by modules (an unchanged rule is not copied).
  const next = new Map<Module, { module: Module; rules: Map<Rule, Rule> }>();
  for (let i = 0; i < before.length; i++) {
    const a = before[i]!, b = after[i]!;
    if (a.rules.length !== b.rules.length || next.has(a)) return false;
    const rules = new Map<Rule, Rule>();
    for (let j = 0; j < a.rules.length; j++) rules.set(a.rules[j]!, b.rules[j]!);
    next.set(a, { module: b, rules });
  }
  const defs: RuleDef[] = [];
  for (const n of tree.nodes) {
    for (const d of n.rules) defs.push(d);
    if (n.defaultRule) defs.push(n.defaultRule);
  }
  for (const d of defs) {
    const to = next.get(d.module)?.rules.get(d.rule);
    if (!to || to.head.ref !== d.rule.head.ref) return false;
  }
  for (const d of defs) {
    const m = next.get(d.module)!;
    d.rule = m.rules.get(d.rule)!;
    d.module = m.module;
  }
  return true;
}

/** Runs every stage over parsed modules. */
export function checkModules(modules: Module[]): Result<Program> {
  return finish(checkModulesSteps(modules));
}

/** `checkModules` a unit of work at a time (see `Steps`). */
export function* checkModulesSteps(modules: Module[]): Steps<Result<Program>> {
  const diags: Diagnostic[] = [];
  const program: Program = {
    modules,
    tree: buildRuleTree([], []),
    arityOf: () => undefined,
    resolve: { ruleNames: new Map(), diagnostics: diags, wildcardCounter: { n: 0 } },
  };
  for (const stage of STAGES) {
    yield* stage.run(program, diags);
    if (diags.length) return { value: undefined, diagnostics: sortDiagnostics(diags) };
    yield;
  }
  return { value: program, diagnostics: [] };
}

/** Resolves, type-checks and orders a query body against a checked program. */
export function checkQuery(program: Program, body: Expr[]): Result<Expr[]> {
  const diags: Diagnostic[] = [];
  program.resolve.diagnostics = diags;
  const resolved = resolveQuery(body, program.resolve);
  checkQueryAssignments(resolved, diags);
  checkBodyTypes(resolved, diags, program.arityOf);
  if (diags.length) return { value: undefined, diagnostics: sortDiagnostics(diags) };
  const ordered = orderBody(resolved, new Set(), new Set(), program.arityOf, diags);
  if (diags.length) return { value: undefined, diagnostics: sortDiagnostics(diags) };
  return { value: ordered.body, diagnostics: [] };
}
