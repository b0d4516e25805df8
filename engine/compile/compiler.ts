/**
 * Compiles a checked program to closures. Each expression becomes a step
 * `(slots, ctx) => halt` that calls its continuation once per solution (continuation-passing,
 * no generators); each ground term becomes a value function `(slots, ctx) => value | undefined`.
 * Everything decidable at compile time is decided here: variable slots, whether a variable is
 * bound, constant values, which builtin or rule a call reaches, which rule-tree node a ref reads.
 */
import type { Call, Expr, Ref, Rule, Term, Var } from '../../dsl/ast/nodes.js';
import { OPERATORS } from '../../dsl/ast/nodes.js';
import type { Loc } from '../../dsl/diagnostic.js';
import type { Program } from '../../dsl/checker/stages.js';
import { nodeAt, pathText, type RuleDef, type TreeNode } from '../../dsl/checker/tree.js';
import { refNames } from '../../dsl/checker/resolve.js';
import { needsOwnCheck, readOwnKey } from '../eval/own-read.js';
import { keyReader, pairReader, type KeyReader } from '../eval/key-readers.js';
import { internKey } from '../eval/intern.js';
import { forEachExprTerm, forEachTerm } from '../../dsl/checker/walk.js';
import { BUILTINS_BY_NAME } from '../../dsl/builtins/decls.js';
import { BUILTIN_IMPLS } from '../builtins/registry.js';
import type { BuiltinImpl } from '../builtins/types.js';
import {
  PolObject, PolSet, compare, compareStrings, equal, isObject, keyOf, makeObject, objectGet, objectSize, parseNumber,
  type PlainObject, type Value,
} from '../value.js';
import { Ctx, EvalError, type DataOverride, type FunctionMock } from '../eval/context.js';
import { derefKey, forEachEntry, forEachEntryAnyOrder, setPath } from '../eval/collections.js';
import { ACC, FrameLayout, Scope } from './scope.js';
import { paramName, provenMask, pureTestKey, templateBody, templateOf, type RuleTemplate } from './templates.js';
import { forEachRendering, MAX_PRINT_LINES, renderingCount, singleRendering, templateOperands, type Operand } from './print.js';
import { buildRuleIndexSteps, inputPath, pathKey, type RuleIndex } from './rule-index.js';
import { finish, type Steps } from '../../dsl/steps.js';
import { GT, GTE, LT, LTE, pooledEqualTest, pooledOrderTest } from './input-tests.js';
import { anyOf, bothOf } from './step-logic.js';
import type { TracedRule } from '../eval/trace.js';

export type Slots = (Value | undefined | unknown)[];
export type Step = (s: Slots, c: Ctx) => boolean;
export type Val = ((s: Slots, c: Ctx) => Value | undefined) & { constant?: Value };
type Matcher = (s: Slots, c: Ctx, v: Value) => boolean;

const HALT: Step = () => true;

export class CompileError extends Error {
  constructor(readonly code: string, message: string, readonly loc?: Loc) { super(message); }
}

const constVal = (v: Value): Val => {
  const f: Val = () => v;
  f.constant = v;
  return f;
};

/** Value of a literal term, when it is one (no variables, refs or calls). */
export function literalValue(t: Term): Value | undefined {
  switch (t.kind) {
    case 'scalar': return typeof t.value === 'string' ? internKey(t.value) : t.value;
    case 'number': return parseNumber(t.text);
    case 'array': {
      const out: Value[] = [];
      for (const i of t.items) { const v = literalValue(i); if (v === undefined) return undefined; out.push(v); }
      return out;
    }
    case 'set': {
      const out = new PolSet();
      for (const i of t.items) { const v = literalValue(i); if (v === undefined) return undefined; out.add(v); }
      return out;
    }
    case 'object': {
      const entries: [Value, Value][] = [];
      for (const [k, x] of t.entries) {
        const kv = literalValue(k), xv = literalValue(x);
        if (kv === undefined || xv === undefined) return undefined;
        entries.push([kv, xv]);
      }
      return makeObject(entries);
    }
    default: return undefined;
  }
}

interface NodeState { gen: number; value: Value | undefined }

/** A complete rule's evaluation: `(ctx, value so far, the rule's position) => value`. */
type TemplatedDef = (c: Ctx, prev: Value | undefined, index: number) => Value | undefined;

/** Facts gathered while compiling, for the decision cache. */
/**
 * What compiling a document found out about it: the input paths it reads, whether it may read the
 * clock or call a non-deterministic builtin, and `cost`, a static estimate of the work one
 * evaluation does (see `COST`).
 */
export interface CompileFacts { inputPaths: Set<string> | 'all'; nondeterministic: boolean; readsClock: boolean; cost: number }

/**
 * Units of the cost estimate: one per expression evaluated; iteration of unknown length and
 * builtin calls weigh more. The decision cache skips entry points whose estimate is below what a
 * cache lookup costs. An estimate, deliberately coarse: it only has to tell a handful of
 * comparisons from real work.
 */
/** How many rules the rule index is assumed to select, for the cost estimate. */
const INDEXED_RULES_ESTIMATE = 4;

export const COST = { expression: 1, builtin: 8, membership: 8, iteration: 64, max: 1_000_000 } as const;

export class Compiler {
  private readonly docFns: ((c: Ctx) => Value | undefined)[] = [];
  /** Rule documents without their per-evaluation memo (see `entryDoc`). */
  private readonly rawDocFns: ((c: Ctx) => Value | undefined)[] = [];
  private readonly fnFns: ((args: Value[], c: Ctx) => Value | undefined)[] = [];
  private readonly setMemberFns = new Map<number, (c: Ctx, emit: (x: Value) => boolean) => boolean>();
  private readonly nodeState: NodeState[] = [];
  private readonly compiling = new Set<number>();
  private tempCounter = 0;
  /** Facts of the node currently being compiled, accumulated into every node that reads it. */
  private readonly factsByNode = new Map<number, CompileFacts>();
  private facts: CompileFacts = newFacts();

  /** `trace`: compile a variant that records rule outcomes for explanations. */
  /**
   * True while compiling a body whose solutions can be found in any order without changing the
   * result: existence checks (constant-valued rules, `not`, `every`) and collections (partial sets,
   * set comprehensions). Iteration there skips sorting sets and object keys into OPA's order.
   * Off when the program prints or traces anywhere (output order is observable) and, at run time,
   * with strict builtin errors (which element fails first is observable).
   */
  private orderFree = false;
  private readonly printsAnywhere: boolean;

  constructor(readonly program: Program, private readonly trace = false) {
    this.printsAnywhere = trace || containsCall(program.modules, OUTPUT_CALLS);
  }

  private inOrder<T>(free: boolean, fn: () => T): T {
    const outer = this.orderFree;
    this.orderFree = free && !this.printsAnywhere;
    try {
      return fn();
    } finally {
      this.orderFree = outer;
    }
  }

  /** The iteration to compile here: canonical order, or any order where that cannot be observed. */
  private iteration(): typeof iterate {
    return this.orderFree ? iterateAnyOrder : iterate;
  }

  // ---- documents -----------------------------------------------------------------------------

  /** The document function of a node (rules, or a package merged with base data), compiled once. */
  docOf(node: TreeNode): (c: Ctx) => Value | undefined {
    return finish(this.docOfSteps(node));
  }

  /**
   * `docOf` a unit of work at a time (see `Steps`): a complete rule's definitions are indexed,
   * grouped and compiled one by one. Documents it depends on are compiled whole, within one step.
   */
  *docOfSteps(node: TreeNode): Steps<(c: Ctx) => Value | undefined> {
    const existing = this.docFns[node.id];
    if (existing) { this.mergeFacts(node); return existing; }
    if (this.compiling.has(node.id)) {
      throw new CompileError('rego_recursion_error', `rule ${pathText(node.path)} is recursive`);
    }
    this.compiling.add(node.id);
    const outerFacts = this.facts;
    this.facts = newFacts();
    let raw: (c: Ctx) => Value | undefined;
    try {
      raw = yield* this.compileNodeDocSteps(node);
    } finally {
      this.compiling.delete(node.id);
      this.factsByNode.set(node.id, this.facts);
      this.facts = outerFacts;
    }
    this.mergeFacts(node);
    if (node.kind) this.rawDocFns[node.id] = raw;
    const state: NodeState = { gen: -1, value: undefined };
    this.nodeState[node.id] = state;
    const path = node.path;
    const fn = (c: Ctx): Value | undefined => {
      if (state.gen === c.gen) return state.value;
      const v = c.overrides === null ? raw(c) : applyOverrides(c, path, raw);
      state.gen = c.gen;
      state.value = v;
      return v;
    };
    this.docFns[node.id] = fn;
    return fn;
  }

  /**
   * The document of the rule at `path`, without the memo, for an entry point that evaluates it
   * first thing in a fresh evaluation: the memo can never hit there (nothing has run yet, and the
   * rule cannot depend on itself), so it would only cost a call and two stores. Undefined when
   * `path` is not exactly a rule's document (packages, paths into a value).
   */
  entryDoc(path: string[]): ((c: Ctx) => Value | undefined) | undefined {
    let node = this.program.tree.root;
    for (const seg of path) {
      const child = node.children.get(seg);
      if (!child) return undefined;
      node = child;
    }
    if (!node.kind || node.kind === 'function') return undefined;
    this.docOf(node);
    return this.rawDocFns[node.id];
  }

  private mergeFacts(node: TreeNode): void {
    const f = this.factsByNode.get(node.id);
    if (!f) return;
    mergeFactsInto(this.facts, f);
  }

  /** Facts of a node's document (input paths read, clock, randomness). */
  factsOf(node: TreeNode): CompileFacts {
    this.docOf(node);
    return this.factsByNode.get(node.id) ?? newFacts();
  }

  /** A node's document, a rule definition at a time for rule nodes (see `Steps`). */
  private *compileNodeDocSteps(node: TreeNode): Steps<(c: Ctx) => Value | undefined> {
    switch (node.kind) {
      case 'complete': return yield* this.compileCompleteSteps(node);
      case 'set': return yield* this.compileSetNodeSteps(node);
      case 'object': return yield* this.compileObjectNodeSteps(node);
      case 'function': return () => undefined;
      default: return this.compilePackage(node);
    }
  }

  /**
   * A package: base data at its path merged with the documents of the rules below it (base data
   * wins where both define a key, as in OPA). Children that are being compiled right now (a rule
   * reading `data[x]…` of its own package) are compiled on first use instead, and the package then
   * reports conservative cache facts.
   */
  private compilePackage(node: TreeNode): (c: Ctx) => Value | undefined {
    const cyclic = [...this.compiling].some(id => {
      const p = this.program.tree.nodes[id]!.path;
      return p.length > node.path.length && node.path.every((x, i) => p[i] === x);
    });
    if (cyclic) { this.facts.inputPaths = 'all'; this.facts.nondeterministic = true; }
    const children = [...node.children.entries()].map(([k, n]) => {
      if (n.kind === 'function') return [k, undefined] as const;
      if (!cyclic) return [k, this.docOf(n)] as const;
      let doc: ((c: Ctx) => Value | undefined) | undefined;
      return [k, (c: Ctx) => (doc ??= this.docOf(n))(c)] as const;
    });
    const path = node.path;
    return (c: Ctx) => {
      const base = basePath(c.data, path);
      const out: PlainObject = {};
      if (isObject(base)) {
        if (base instanceof PolObject) return base;
        for (const k of Object.keys(base)) defineOwn(out, k, base[k]!);
      } else if (base !== undefined && children.length === 0) {
        return base;
      }
      for (const [k, doc] of children) {
        if (!doc) continue;
        const v = doc(c);
        if (v === undefined) continue;
        const prev = Object.prototype.hasOwnProperty.call(out, k) ? out[k] : undefined;
        defineOwn(out, k, prev === undefined ? v : isObject(prev) && isObject(v) ? mergeObjects(v, prev) : prev);
      }
      return out;
    };
  }

  private *compileCompleteSteps(node: TreeNode): Steps<(c: Ctx) => Value | undefined> {
    const text = pathText(node.path);
    const index = yield* buildRuleIndexSteps(node.rules.map(d => d.rule));
    // What the index reads is read by this document, whether or not a rule body still tests it.
    if (index) for (const p of index.paths) this.noteInputKeys(p);
    const costBefore = this.facts.cost;
    const templated = this.trace ? undefined : yield* this.templatedDefsSteps(node.rules, text, index);
    const chains: (CompiledBody[] | undefined)[] = [];
    for (let i = 0; i < node.rules.length; i++) {
      chains.push(templated?.[i] ? undefined : this.ruleChain(node.rules[i]!, text));
      yield;
    }
    const defs = node.rules.map((d, i) => templated?.[i] ?? this.completeDefOf(chains[i]!, d, text));
    // The index runs only the rules it selects: estimate a few average rules, not all of them.
    if (index) {
      // Rules sharing a template were compiled (and counted) once per template.
      const compiled = templated ? templated.filter(t => t === undefined).length + new Set(templated.filter(t => t !== undefined)).size : defs.length;
      const average = (this.facts.cost - costBefore) / Math.max(1, compiled);
      this.facts.cost = costBefore + COST.expression + Math.ceil(average * Math.min(defs.length, INDEXED_RULES_ESTIMATE));
    }
    const dflt = node.defaultRule ? this.compileDefaultValue(node.defaultRule) : undefined;
    const base = node.path;
    const tests = index || this.trace ? undefined : variableFreeTests(chains);
    if (tests) {
      // Every definition is a body without variables and the same constant value (`allow if
      // {...}`): the first body that holds decides, with nothing to accumulate or compare.
      const k = tests.value;
      const groups = this.sharedLeadingTests(node.rules, tests.steps, text);
      // A failed shared first test fails every body of its group: the others are not tried.
      const holds = anyOf(groups.map(g => (g.lead === undefined ? anyOf(g.rest) : bothOf(g.lead, anyOf(g.rest)))));
      return (c: Ctx) => {
        if (holds(NO_VARIABLES, c)) return k;
        if (dflt) return dflt(c);
        return basePath(c.data, base);
      };
    }
    return (c: Ctx) => {
      let result: Value | undefined;
      if (index) {
        const ids = index.lookup(c.input);
        for (let i = 0; i < ids.length; i++) { const id = ids[i]!; result = defs[id]!(c, result, id); }
      } else {
        for (let i = 0; i < defs.length; i++) result = defs[i]!(c, result, i);
      }
      if (result === undefined) {
        if (dflt) return dflt(c);
        // Base data may sit at the same path as a rule that is undefined.
        return basePath(c.data, base);
      }
      return result;
    };
  }

  private compileDefaultValue(def: RuleDef): (c: Ctx) => Value | undefined {
    const lit = def.rule.head.value ? literalValue(def.rule.head.value) : true;
    if (lit !== undefined) return () => lit;
    const scope = new Scope(new FrameLayout());
    const v = def.rule.head.value ? this.value(def.rule.head.value, scope) : constVal(true);
    const size = scope.frame.size;
    return (c: Ctx) => v(new Array(size), c);
  }

  /**
   * Rules sharing a template (see templates.ts) compiled once per template; each rule binds its
   * constants to the template's parameter slots. Entries are undefined for rules compiled alone.
   */
  private *templatedDefsSteps(defs: RuleDef[], text: string, index: RuleIndex | undefined): Steps<(TemplatedDef | undefined)[] | undefined> {
    if (defs.length < 2) return undefined;
    // Rules are only ever run after the index picked them, so tests it proved can be left out.
    const keyOfPath = (t: Term) => { const p = inputPath(t); return p && pathKey(p); };
    const groups = new Map<string, { tpl: RuleTemplate; index: number; mask: string }[]>();
    for (let i = 0; i < defs.length; i++) {
      const d = defs[i]!;
      const tpl = templateOf(d.rule);
      if (tpl) {
        const mask = index ? provenMask(d.rule, index.proven(i), keyOfPath) : '';
        const key = tpl.key + '|' + mask;
        const g = groups.get(key);
        if (g) g.push({ tpl, index: i, mask }); else groups.set(key, [{ tpl, index: i, mask }]);
      }
      yield;
    }
    const out: (TemplatedDef | undefined)[] = new Array(defs.length);
    // Constants by rule position: one shared runner per template reads its rule's row.
    const paramsOf: Value[][] = new Array(defs.length);
    for (const members of groups.values()) {
      if (members.length < 2) continue;
      const first = members[0]!.tpl;
      const mask = members[0]!.mask;
      const firstBody = templateBody(defs[members[0]!.index]!.rule, i => mask[i] === '1');
      const frame = new FrameLayout();
      const scope = new Scope(frame);
      const slots = first.params.map((_, i) => scope.bind(paramName(i)));
      const k = first.value;
      const body = this.inOrder(true, () => this.body(firstBody, scope, () => HALT));
      const size = frame.size;
      const run: TemplatedDef = (c, prev, index) => {
        if (prev !== undefined && equal(prev, k)) return prev;
        const params = paramsOf[index]!;
        const s: Slots = new Array(size);
        for (let i = 0; i < slots.length; i++) s[slots[i]!] = params[i];
        if (!body(s, c)) return prev;
        if (prev !== undefined) throw new EvalError('eval_conflict_error', `rule ${text} produced conflicting values`, defs[index]!.rule.head.loc);
        return k;
      };
      for (const { tpl, index } of members) {
        paramsOf[index] = tpl.params;
        out[index] = run;
      }
    }
    return out;
  }

  /**
   * Consecutive variable-free bodies that start with the same pure test (see `pureTestKey`), as
   * groups: the test compiled once as `lead`, and each body's remaining tests in `rest`. Bodies
   * that share nothing form groups of one with their whole test and no lead. Evaluation order and
   * answers are unchanged: a body whose first test fails fails, and the test cannot raise.
   */
  private sharedLeadingTests(defs: RuleDef[], whole: Step[], text: string): { lead: Step | undefined; rest: Step[] }[] {
    const keys = defs.map(d => (d.rule.body.length > 1 ? pureTestKey(d.rule.body[0]!) : undefined));
    const groups: { lead: Step | undefined; rest: Step[] }[] = [];
    // The extra compilations below re-read what the whole bodies read: they add no cost.
    const cost = this.facts.cost;
    for (let i = 0; i < defs.length;) {
      let j = i + 1;
      while (keys[i] !== undefined && j < defs.length && keys[j] === keys[i]) j++;
      if (j - i < 2) { groups.push({ lead: undefined, rest: [whole[i]!] }); i = j; continue; }
      const rule = defs[i]!.rule;
      const lead = this.compileRuleBody({ ...rule, body: [rule.body[0]!] }, undefined, text).test;
      const rest = defs.slice(i, j).map(d => this.compileRuleBody({ ...d.rule, body: d.rule.body.slice(1) }, undefined, text).test);
      if (!lead || rest.some(r => !r)) { for (let x = i; x < j; x++) groups.push({ lead: undefined, rest: [whole[x]!] }); }
      else groups.push({ lead, rest: rest as Step[] });
      i = j;
    }
    this.facts.cost = cost;
    return groups;
  }

  /** The compiled bodies of one complete rule and its else chain. */
  private ruleChain(def: RuleDef, text: string): CompiledBody[] {
    const chain: CompiledBody[] = [];
    for (let r: Rule | undefined = def.rule; r; r = r.else) chain.push(this.compileRuleBody(r, undefined, text));
    return chain;
  }

  /** One complete rule (with its else chain) → `(ctx, previous) => value`, raising on conflict. */
  private completeDefOf(chain: CompiledBody[], def: RuleDef, text: string): (c: Ctx, prev: Value | undefined) => Value | undefined {
    const conflict = (loc: Loc) => new EvalError('eval_conflict_error', `rule ${text} produced conflicting values`, loc);
    const loc = def.rule.head.loc;
    const first = chain[0]!;
    if (chain.length === 1) {
      const run = first.run, k = first.constant;
      return (c, prev) => {
        // Early exit: another definition already produced this rule's constant value.
        if (k !== undefined && prev !== undefined && equal(prev, k)) return prev;
        const v = run(c);
        if (v === undefined) return prev;
        if (prev !== undefined && !equal(prev, v)) throw conflict(loc);
        return v;
      };
    }
    return (c, prev) => {
      let v: Value | undefined;
      for (const b of chain) { v = b.run(c); if (v !== undefined) break; }
      if (v === undefined) return prev;
      if (prev !== undefined && !equal(prev, v)) throw conflict(loc);
      return v;
    };
  }

  /**
   * A rule body whose accumulator collects the head value: the first solution for a constant
   * head (nothing else can differ), all solutions otherwise so a conflict is detected.
   */
  private compileRuleBody(r: Rule, argMatchers: ((s: Slots, c: Ctx, args: Value[]) => boolean) | undefined, text: string): CompiledBody {
    const frame = new FrameLayout();
    const scope = new Scope(frame);
    let matchArgs: ((s: Slots, c: Ctx, args: Value[]) => boolean) | undefined;
    if (argMatchers === undefined && r.head.args) matchArgs = this.argsMatcher(r.head.args, scope);
    const isFunction = r.head.args !== undefined;
    let constant: Value | undefined;
    const loc = r.head.loc;
    const bodyOf = this.trace ? this.tracedBody(r, text) : this.body.bind(this);
    const constantHead = r.head.value === undefined || literalValue(r.head.value) !== undefined;
    const body = this.inOrder(constantHead, () => bodyOf(r.body, scope, () => {
      const head = r.head.value ? this.value(r.head.value, scope) : constVal(true);
      constant = head.constant;
      // A constant head needs no accumulator: `run` answers the constant when the body holds.
      if (constant !== undefined) return HALT;
      return (s: Slots, c: Ctx) => {
        const v = head(s, c);
        if (v === undefined) return false;
        const prev = s[ACC] as Value | undefined;
        if (prev === undefined) { s[ACC] = v; return false; }
        if (!equal(prev, v)) {
          throw new EvalError('eval_conflict_error', isFunction
            ? `function ${text} produced conflicting values for the same inputs`
            : `rule ${text} produced conflicting values`, loc);
        }
        return false;
      };
    }));
    const size = frame.size;
    if (matchArgs) {
      const m = matchArgs;
      return {
        constant,
        run: (c, args) => {
          const s: Slots = new Array(size);
          if (!m(s, c, args!)) return undefined;
          if (body(s, c) && constant !== undefined) return constant;
          return s[ACC] as Value | undefined;
        },
      };
    }
    if (constant !== undefined && size === 1) {
      // No variables: the body only ever writes the constant into the accumulator, so it needs
      // no frame of its own.
      const k = constant;
      return { constant, run: c => (body(NO_VARIABLES, c) ? k : undefined), test: body };
    }
    if (constant !== undefined) {
      const k = constant;
      return { constant, run: c => (body(new Array(size) as Slots, c) ? k : undefined) };
    }
    return {
      constant,
      run: c => {
        const s: Slots = new Array(size);
        body(s, c);
        return s[ACC] as Value | undefined;
      },
    };
  }

  private argsMatcher(args: Term[], scope: Scope): (s: Slots, c: Ctx, args: Value[]) => boolean {
    const ms = args.map(a => this.pattern(a, scope));
    return (s, c, vals) => {
      for (let i = 0; i < ms.length; i++) if (!ms[i]!(s, c, vals[i]!)) return false;
      return true;
    };
  }

  private *compileSetNodeSteps(node: TreeNode): Steps<(c: Ctx) => Value | undefined> {
    const members = yield* this.setMembersSteps(node);
    return (c: Ctx) => {
      const set = new PolSet();
      members(c, k => { set.add(k); return false; });
      return set;
    };
  }

  /**
   * A partial set rule's bodies, compiled once per rule node: each member produced goes to `emit`,
   * which returns true to stop the search. The set document collects them; `some x in set`
   * searches them directly (see `memberStreamOf`).
   */
  private setMembers(node: TreeNode): (c: Ctx, emit: (x: Value) => boolean) => boolean {
    return finish(this.setMembersSteps(node));
  }

  private *setMembersSteps(node: TreeNode): Steps<(c: Ctx, emit: (x: Value) => boolean) => boolean> {
    const existing = this.setMemberFns.get(node.id);
    if (existing) return existing;
    const text = pathText(node.path);
    const bodies: { step: Step; size: number }[] = [];
    for (const def of node.rules) {
      const frame = new FrameLayout();
      const scope = new Scope(frame);
      const bodyOf = this.trace ? this.tracedBody(def.rule, text) : this.body.bind(this);
      const step = this.inOrder(true, () => bodyOf(def.rule.body, scope, () => {
        const key = this.value(def.rule.head.key!, scope);
        return (s, c) => {
          const k = key(s, c);
          return k !== undefined && (s[ACC] as (x: Value) => boolean)(k);
        };
      }));
      bodies.push({ step, size: frame.size });
      yield;
    }
    const index = yield* buildRuleIndexSteps(node.rules.map(d => d.rule));
    if (index) for (const p of index.paths) this.noteInputKeys(p);
    const run = (c: Ctx, emit: (x: Value) => boolean): boolean => {
      const ids = index ? index.lookup(c.input) : undefined;
      const n = ids ? ids.length : bodies.length;
      for (let i = 0; i < n; i++) {
        const b = bodies[ids ? ids[i]! : i]!;
        const s: Slots = new Array(b.size);
        s[ACC] = emit;
        if (b.step(s, c)) return true;
      }
      return false;
    };
    this.setMemberFns.set(node.id, run);
    return run;
  }

  /**
   * When `coll` names a partial set rule, its members as a stream: the bodies the set document
   * runs, each member handed straight to the search (which may stop them).
   * Usable only while the set is not already computed in this evaluation and no `with` replaces
   * data; otherwise the caller iterates the set document as usual.
   */
  private memberStreamOf(coll: Term): { usable: (c: Ctx) => boolean; run: (c: Ctx, emit: (x: Value) => boolean) => boolean } | undefined {
    if (coll.kind !== 'ref' || coll.head.kind !== 'var' || coll.head.name !== 'data') return undefined;
    let node = this.program.tree.root;
    for (const seg of coll.path) {
      if (seg.kind !== 'scalar' || typeof seg.value !== 'string') return undefined;
      const child = node.children.get(seg.value);
      if (!child || node.kind) return undefined;
      node = child;
    }
    if (node.kind !== 'set' || this.compiling.has(node.id)) return undefined;
    this.docOf(node); // the document form (and its facts) for the fallback
    const state = this.nodeState[node.id];
    if (!state) return undefined;
    this.mergeFacts(node);
    const members = this.setMembers(node);
    return { usable: c => c.overrides === null && state.gen !== c.gen && !c.strict, run: members };
  }

  /** Object rules (`p[k] := v`, `a.b[x].c := y`) merged with documents of rules defined below. */
  private *compileObjectNodeSteps(node: TreeNode): Steps<(c: Ctx) => Value | undefined> {
    const text = pathText(node.path);
    const bodies: { step: Step; size: number }[][] = [];
    for (const def of node.rules) {
      const chain: { step: Step; size: number }[] = [];
      for (let r: Rule | undefined = def.rule; r; r = r.else) {
        const frame = new FrameLayout();
        const scope = new Scope(frame);
        const loc = r.head.loc;
        const rr = r;
        const multi = def.multi === true;
        const bodyOf = this.trace ? this.tracedBody(r, text) : this.body.bind(this);
        const step = this.inOrder(false, () => bodyOf(r.body, scope, () => {
          const keys = def.keyTerms.map(k => this.value(k, scope));
          const value = multi ? this.value(rr.head.key!, scope) : rr.head.value ? this.value(rr.head.value, scope) : constVal(true);
          return (s, c) => {
            const ks: Value[] = [];
            for (const k of keys) { const kv = k(s, c); if (kv === undefined) return false; ks.push(kv); }
            const v = value(s, c);
            if (v === undefined) return false;
            if (multi) (s[ACC] as NestedBuilder).addMember(ks, v, text, loc);
            else (s[ACC] as NestedBuilder).put(ks, v, text, loc);
            return false;
          };
        }));
        chain.push({ step, size: frame.size });
      }
      bodies.push(chain);
      yield;
    }
    const children = [...node.children.entries()].map(([k, n]) => [k, n.kind === 'function' ? undefined : this.docOf(n)] as const);
    return (c: Ctx) => {
      const b = new NestedBuilder();
      for (const chain of bodies) {
        for (const part of chain) {
          const s: Slots = new Array(part.size);
          s[ACC] = b;
          const before = b.count;
          part.step(s, c);
          if (b.count > before) break;
        }
      }
      for (const [k, doc] of children) {
        if (!doc) continue;
        const v = doc(c);
        if (v !== undefined) b.put([k], v, text, undefined);
      }
      return b.build();
    };
  }

  /** A user function: `(args, ctx) => value`, trying every definition (conflicts raise). */
  functionOf(node: TreeNode): (args: Value[], c: Ctx) => Value | undefined {
    const existing = this.fnFns[node.id];
    if (existing) { this.mergeFacts(node); return existing; }
    let impl: ((args: Value[], c: Ctx) => Value | undefined) | undefined;
    const fn = (args: Value[], c: Ctx) => impl!(args, c);
    this.fnFns[node.id] = fn;
    const outer = this.facts;
    this.facts = newFacts();
    try {
      impl = this.buildFunction(node);
    } finally {
      this.factsByNode.set(node.id, this.facts);
      this.facts = outer;
    }
    this.mergeFacts(node);
    return fn;
  }

  /** Compiles `fn` and returns what it read (input paths, clock, randomness). */
  withFacts<T>(fn: () => T): { val: T; facts: CompileFacts } {
    const outer = this.facts;
    this.facts = newFacts();
    try {
      const val = fn();
      return { val, facts: this.facts };
    } finally {
      mergeFactsInto(outer, this.facts);
      this.facts = outer;
    }
  }

  private buildFunction(node: TreeNode): (args: Value[], c: Ctx) => Value | undefined {
    const text = pathText(node.path);
    const defs = node.rules.map(def => {
      const chain: ((c: Ctx, args: Value[]) => Value | undefined)[] = [];
      for (let r: Rule | undefined = def.rule; r; r = r.else) {
        const withArgs: Rule = r === def.rule ? r : { ...r, head: { ...r.head, args: def.rule.head.args } };
        const b = this.compileRuleBody(withArgs, undefined, text);
        chain.push((c, args) => b.run(c, args));
      }
      return { chain, loc: def.rule.head.loc };
    });
    let dflt: ((c: Ctx) => Value | undefined) | undefined;
    if (node.defaultRule) dflt = this.compileDefaultValue(node.defaultRule);
    return (args, c) => {
      let result: Value | undefined;
      for (const d of defs) {
        let v: Value | undefined;
        for (const run of d.chain) { v = run(c, args); if (v !== undefined) break; }
        if (v === undefined) continue;
        if (result !== undefined && !equal(result, v)) {
          throw new EvalError('eval_conflict_error', `function ${text} produced conflicting values for the same inputs`, d.loc);
        }
        result = v;
      }
      if (result === undefined && dflt) return dflt(c);
      return result;
    };
  }

  // ---- bodies and expressions ------------------------------------------------------------------

  /** A rule body that reports how far each evaluation got (explain mode only). */
  private tracedBody(r: Rule, text: string): (exprs: Expr[], scope: Scope, terminal: () => Step) => Step {
    return (exprs, scope, terminal) => {
      const info: TracedRule = { rule: text, loc: r.loc, exprs: exprs.map(e => e.loc) };
      const n = exprs.length;
      const go = (i: number): Step => {
        const inner = i === n ? terminal() : this.expr(exprs[i]!, scope, () => go(i + 1));
        return (s, c) => { c.tracer?.reach(info, i); return inner(s, c); };
      };
      return go(0);
    };
  }

  body(exprs: Expr[], scope: Scope, terminal: () => Step): Step {
    const go = (i: number): Step => (i === exprs.length ? terminal() : this.expr(exprs[i]!, scope, () => go(i + 1)));
    return go(0);
  }

  expr(e: Expr, scope: Scope, kont: () => Step): Step {
    this.facts.cost += COST.expression;
    if (e.with.length) return this.withExpr(e, scope, kont);
    if (e.negated) {
      const snap = scope.snapshot();
      const inner = this.inOrder(true, () => this.exprCore({ ...e, negated: false }, new Scope(scope.frame, scope), () => HALT));
      scope.restore(snap);
      const next = kont();
      return (s, c) => (inner(s, c) ? false : next(s, c));
    }
    return this.exprCore(e, scope, kont);
  }

  private exprCore(e: Expr, scope: Scope, kont: () => Step): Step {
    const b = e.body;
    switch (b.kind) {
      case 'some':
        for (const v of b.vars) scope.declare(v.name);
        return kont();
      case 'somein': return this.someIn(b.key, b.value, b.collection, scope, kont, e.loc);
      case 'every': return this.every(b.key, b.value, b.domain, b.body, scope, kont);
      case 'term': return this.termExpr(b.term, scope, kont, e.loc);
    }
  }

  /** The value of a query expression is captured in a slot (see `captureSlot`) when requested. */
  captureSlots = new Map<Expr, number>();

  private termExpr(t: Term, scope: Scope, kont: () => Step, loc: Loc): Step {
    return this.hoisted([t], scope, ([term]) => {
      const t2 = term!;
      if (t2.kind === 'call') return this.callExpr(t2, scope, kont);
      const v = this.value(t2, scope);
      const next = kont();
      return (s, c) => {
        const x = v(s, c);
        return x === undefined || x === false ? false : next(s, c);
      };
    }, loc);
  }

  /**
   * Pulls refs that iterate (a path variable not yet bound) out of terms, in evaluation order,
   * into generator steps that bind a temporary; the rest is compiled by `build` on the rewritten
   * terms, which then contain only bound refs.
   */
  hoisted(terms: Term[], scope: Scope, build: (terms: Term[]) => Step, loc?: Loc): Step {
    const gens: { ref: Ref; temp: string }[] = [];
    const willBind = new Set<string>();
    const bound = (name: string) => willBind.has(name) || scope.isBound(name);
    const rewrite = (t: Term): Term => {
      switch (t.kind) {
        case 'ref': {
          const head = rewrite(t.head);
          const path = t.path.map(rewrite);
          const r: Ref = { ...t, head, path };
          const iterates = path.some(p => hasUnboundVar(p, bound));
          if (!iterates) return r;
          for (const p of path) forVars(p, n => willBind.add(n));
          const temp = `$h${this.tempCounter++}`;
          gens.push({ ref: r, temp });
          willBind.add(temp);
          return { kind: 'var', name: temp, loc: t.loc };
        }
        // `print` collects each argument's values itself: iteration inside it must not multiply solutions.
        case 'call': return isPrint(t) ? t : { ...t, args: t.args.map(rewrite) };
        case 'array': return { ...t, items: t.items.map(rewrite) };
        case 'set': return { ...t, items: t.items.map(rewrite) };
        case 'object': return { ...t, entries: t.entries.map(([k, v]) => [rewrite(k), rewrite(v)] as [Term, Term]) };
        default: return t;
      }
    };
    const rewritten = terms.map(rewrite);
    if (gens.length === 0) return build(rewritten);
    const go = (i: number): Step => {
      if (i === gens.length) return build(rewritten);
      const g = gens[i]!;
      return this.refIter(g.ref, scope, g.temp, () => go(i + 1), loc);
    };
    return go(0);
  }

  /** Iterates a ref with unbound path variables, binding them and `temp` to each value. */
  private refIter(ref: Ref, scope: Scope, temp: string, kont: () => Step, loc?: Loc): Step {
    this.facts.cost += COST.iteration;
    const { source, rest } = this.refSource(ref, scope);
    type Seg = { kind: 'val'; fn: Val } | { kind: 'iter'; match: Matcher | null; slot: number };
    const segs: Seg[] = [];
    for (const p of rest) {
      if (p.kind === 'var' && !scope.isBound(p.name)) {
        segs.push({ kind: 'iter', match: null, slot: scope.bind(p.name) });
      } else if (isGroundTerm(p, scope)) {
        segs.push({ kind: 'val', fn: this.value(p, scope) });
      } else {
        segs.push({ kind: 'iter', match: this.pattern(p, scope), slot: -1 });
      }
    }
    const tempSlot = scope.bind(temp);
    const next = kont();
    let k: (s: Slots, c: Ctx, v: Value) => boolean = (s, c, v) => { s[tempSlot] = v; return next(s, c); };
    for (let i = segs.length - 1; i >= 0; i--) {
      const seg = segs[i]!;
      const after = k;
      if (seg.kind === 'val') {
        const fn = seg.fn;
        const kc = fn.constant;
        k = kc !== undefined
          ? (s, c, v) => { const x = derefKey(v, kc); return x === undefined ? false : after(s, c, x); }
          : (s, c, v) => { const key = fn(s, c); if (key === undefined) return false; const x = derefKey(v, key); return x === undefined ? false : after(s, c, x); };
      } else if (seg.match === null) {
        const slot = seg.slot;
        const each = this.iteration();
        k = (s, c, v) => {
          if (Array.isArray(v)) {
            for (let i = 0; i < v.length; i++) {
              if ((i & 255) === 255) c.tick(loc);
              s[slot] = i;
              if (after(s, c, v[i]!)) return true;
            }
            return false;
          }
          return each(v, c, loc, (key, x) => { s[slot] = key; return after(s, c, x); });
        };
      } else {
        const m = seg.match;
        const each = this.iteration();
        k = (s, c, v) => each(v, c, loc, (key, x) => m(s, c, key) && after(s, c, x));
      }
    }
    const start = k;
    return (s, c) => {
      const v = source(s, c);
      return v === undefined ? false : start(s, c, v);
    };
  }

  /**
   * Where a ref's value comes from before its remaining path: a local or computed head, the
   * input, or the rule tree (a node's document, a package, or base data).
   */
  private refSource(ref: Ref, scope: Scope): { source: Val; rest: Term[] } {
    const head = ref.head;
    if (head.kind === 'var' && head.name === 'input') {
      this.noteInputPath(ref.path, scope);
      return { source: (_s, c) => c.input, rest: ref.path };
    }
    if (head.kind === 'var' && head.name === 'data') return this.dataSource(ref.path, scope);
    return { source: this.value(head, scope), rest: ref.path };
  }

  /** Records an input path this document reads (for decision-cache keys). */
  private noteInputKeys(keys: string[]): void {
    if (this.facts.inputPaths !== 'all') this.facts.inputPaths.add(pathKey(keys));
  }

  private noteInputPath(path: Term[], _scope: Scope): void {
    const keys: string[] = [];
    for (const p of path) {
      if (p.kind === 'scalar' && typeof p.value === 'string') keys.push(p.value);
      else break;
    }
    this.noteInputKeys(keys);
  }

  private dataSource(path: Term[], scope: Scope): { source: Val; rest: Term[] } {
    void scope;
    let node = this.program.tree.root;
    let i = 0;
    for (; i < path.length; i++) {
      const seg = path[i]!;
      if (seg.kind !== 'scalar' || typeof seg.value !== 'string') break;
      const child = node.children.get(seg.value);
      if (!child) break;
      node = child;
      if (node.kind) { i++; break; }
    }
    if (node.kind === 'function') throw new CompileError('rego_type_error', `function ${pathText(node.path)} must be called`, path[0]?.loc);
    if (!node.kind && i < path.length && node.children.size > 0 && literalValue(path[i]!) === undefined &&
        path.slice(i).every(t => isGroundTerm(t, scope))) {
      return { source: this.dispatch(node, path[i]!, path.slice(i + 1), scope), rest: [] };
    }
    if (node.kind || i === path.length || (!isConstString(path[i]!) && literalValue(path[i]!) === undefined)) {
      const doc = this.docOf(node);
      return { source: (_s, c) => doc(c), rest: path.slice(i) };
    }
    // Below a package, outside every rule: base data only.
    const basePrefix: Value[] = [...node.path];
    let j = i;
    for (; j < path.length && literalValue(path[j]!) !== undefined && !isComposite(path[j]!); j++) basePrefix.push(literalValue(path[j]!)!);
    const allStrings = basePrefix.every(k => typeof k === 'string');
    if (allStrings && basePrefix.length === 1) {
      const k0 = basePrefix[0] as string;
      return {
        source: (_s, c) => (c.overrides === null ? readOwnKey(c.data, k0) : applyOverrides(c, basePrefix as string[], cc => basePath(cc.data, basePrefix))),
        rest: path.slice(j),
      };
    }
    return {
      source: (_s, c) => (c.overrides === null || !allStrings
        ? basePath(c.data, basePrefix) : applyOverrides(c, basePrefix as string[], cc => basePath(cc.data, basePrefix))),
      rest: path.slice(j),
    };
  }

  /**
   * `data.pkg[k].rest` with `k` known only at run time: go straight to the child named by `k`
   * instead of building the whole package (which could include the rule asking).
   */
  private dispatch(node: TreeNode, keyTerm: Term, rest: Term[], scope: Scope): Val {
    const key = this.value(keyTerm, scope);
    const restKeys = rest.map(t => this.value(t, scope));
    const nowhere = keyTerm.loc;
    const children = new Map<string, () => Val>();
    for (const [name, child] of node.children) {
      let compiled: Val | undefined;
      const ref: Term = {
        kind: 'ref', head: { kind: 'var', name: 'data', loc: nowhere },
        path: [...child.path.map(p => ({ kind: 'scalar' as const, value: p, loc: nowhere })), ...rest], loc: nowhere,
      };
      const build = () => (compiled ??= this.value(ref, scope));
      if (this.onCompileStack(child)) { this.facts.inputPaths = 'all'; this.facts.nondeterministic = true; }
      else build();
      children.set(name, build);
    }
    const path = node.path;
    return (s, c) => {
      const k = key(s, c);
      if (k === undefined) return undefined;
      const child = typeof k === 'string' ? children.get(k) : undefined;
      if (child) return child()(s, c);
      let v = derefKey(basePath(c.data, path), k);
      for (let i = 0; i < restKeys.length && v !== undefined; i++) {
        const rk = restKeys[i]!(s, c);
        if (rk === undefined) return undefined;
        v = derefKey(v, rk);
      }
      return v;
    };
  }

  /** Whether a node or something below it is being compiled right now. */
  private onCompileStack(node: TreeNode): boolean {
    for (const id of this.compiling) {
      const p = this.program.tree.nodes[id]!.path;
      if (p.length >= node.path.length && node.path.every((x, i) => p[i] === x)) return true;
    }
    return false;
  }

  // ---- calls -----------------------------------------------------------------------------------

  private callExpr(t: Call, scope: Scope, kont: () => Step): Step {
    const name = t.name;
    if (name.length === 1 && (name[0] === 'eq' || name[0] === 'assign')) {
      if (name[0] === 'assign') {
        // `x := v` declares x in this scope, shadowing any outer variable.
        forVars(t.args[0]!, n => { scope.declare(n); });
      }
      return this.unify(t.args[0]!, t.args[1]!, scope, kont);
    }
    const joined = name.join('.');
    const arity = this.program.arityOf(name);
    if (arity !== undefined && t.args.length === arity + 1) {
      const decl = BUILTINS_BY_NAME.get(joined);
      const f = this.callValue({ ...t, args: t.args.slice(0, arity) }, scope, decl?.relation === true);
      const out = t.args[arity]!;
      if (decl?.relation) {
        const m = this.pattern(out, scope);
        const next = kont();
        return (s, c) => {
          const results = f(s, c);
          if (!Array.isArray(results)) return false;
          for (const r of results) if (m(s, c, r) && next(s, c)) return true;
          return false;
        };
      }
      if (isGroundTerm(out, scope)) {
        const o = this.value(out, scope);
        const next = kont();
        return (s, c) => {
          const v = f(s, c);
          if (v === undefined) return false;
          const w = o(s, c);
          return w !== undefined && equal(v, w) ? next(s, c) : false;
        };
      }
      const m = this.pattern(out, scope);
      const next = kont();
      return (s, c) => {
        const v = f(s, c);
        return v !== undefined && m(s, c, v) ? next(s, c) : false;
      };
    }
    const f = this.callValue(t, scope, false);
    if (joined === 'equal' && t.args.length === 2) {
      // Fused `a == b` test: the hottest expression shape. The common operand shapes
      // (`x.k`, `input.k`, a constant string) are read inline, without a closure call each.
      const next = kont();
      const fused = this.fusedEquality(t.args[0]!, t.args[1]!, scope, next, (s, c) => (isTruthy(f(s, c)) ? next(s, c) : false));
      if (fused) return fused;
      const a = this.value(t.args[0]!, scope), b = this.value(t.args[1]!, scope);
      return (s, c) => {
        if (c.mocks !== null) return isTruthy(f(s, c)) ? next(s, c) : false;
        const x = a(s, c);
        if (x === undefined) return false;
        const y = b(s, c);
        if (y === undefined) return false;
        if (x === y || ((typeof x === 'object' || typeof x === 'bigint' || typeof x === 'number') && equal(x, y))) return next(s, c);
        return false;
      };
    }
    if ((joined === 'lt' || joined === 'lte' || joined === 'gt' || joined === 'gte') && t.args.length === 2) {
      // Fused ordering test: operands read directly, numbers compared inline, everything else by
      // the total order (comparisons never fail in Rego, whatever the types).
      const next = kont();
      // The body's end: answer true without calling it.
      const last = next === HALT;
      const a = this.value(t.args[0]!, scope), b = this.value(t.args[1]!, scope);
      // The operator as a number tested inline: one call fewer per comparison than a test function.
      const op = ORDER_OPS[joined];
      const px = this.inputPath(t.args[0]!, scope), py = this.inputPath(t.args[1]!, scope);
      if (px && py) {
        // `input.a.b >= input.c.d`: both operands read inline.
        const p0 = px.first, p1 = px.second, q0 = py.first, q1 = py.second;
        const general: Step = (s, c) => {
          if (c.mocks !== null) return isTruthy(f(s, c)) ? last || next(s, c) : false;
          const i = c.input;
          let x = p0(i);
          if (x !== undefined && p1 !== null) x = p1(x);
          if (x === undefined) return false;
          let y = q0(i);
          if (y !== undefined && q1 !== null) y = q1(y);
          if (y === undefined) return false;
          return orderHolds(op, x, y) ? last || next(s, c) : false;
        };
        // Two-key paths on both sides: a function of the test's own (see input-tests.ts).
        return (px.pair && py.pair && pooledOrderTest(px.pair, op, py.pair, last, next, general)) || general;
      }
      return (s, c) => {
        if (c.mocks !== null) return isTruthy(f(s, c)) ? last || next(s, c) : false;
        const x = a(s, c);
        if (x === undefined) return false;
        const y = b(s, c);
        if (y === undefined) return false;
        return orderHolds(op, x, y) ? last || next(s, c) : false;
      };
    }
    const next = kont();
    return (s, c) => {
      const v = f(s, c);
      return v === undefined || v === false ? false : next(s, c);
    };
  }

  /**
   * `x.k == input.k2`, `input.a.b == input.c.d`, `x.k == "c"`, `input.a.b == "c"` as single
   * closures with inline reads. Undefined on either side fails the test, as `==` on undefined
   * does. While a `with` replaces a function, every test takes `mocked` (the general call).
   */
  private fusedEquality(a: Term, b: Term, scope: Scope, next: Step, mocked: Step): Step | undefined {
    type Shape = { kind: 'slotKey'; slot: number; read: KeyReader } | InputPath | { kind: 'str'; value: string }
      | { kind: 'slot'; slot: number };
    const shape = (t: Term): Shape | undefined => {
      if (t.kind === 'scalar' && typeof t.value === 'string') return { kind: 'str', value: t.value };
      if (t.kind === 'var' && t.name !== '_' && scope.isBound(t.name)) return { kind: 'slot', slot: scope.slot(t.name) };
      const path = this.inputPath(t, scope);
      if (path) return path;
      if (t.kind !== 'ref' || t.path.length !== 1 || t.head.kind !== 'var') return undefined;
      const seg = t.path[0]!;
      if (seg.kind !== 'scalar' || typeof seg.value !== 'string') return undefined;
      if (t.head.name === 'input' || t.head.name === 'data' || !scope.isBound(t.head.name)) return undefined;
      return { kind: 'slotKey', slot: scope.slot(t.head.name), read: keyReader(seg.value) };
    };
    let x = shape(a), y = shape(b);
    if (!x || !y) return undefined;
    if (x.kind === 'str' || x.kind === 'slot' || (x.kind === 'input' && y.kind === 'slotKey')) [x, y] = [y, x];
    // The body's end: answer true without calling it.
    const last = next === HALT;
    if (x.kind === 'input' && y.kind === 'slot') {
      // `input.k == v` with `v` bound (template parameters): one closure, no value closures.
      const slot = y.slot, r0 = x.first, r1 = x.second;
      return (s, c) => {
        if (c.mocks !== null) return mocked(s, c);
        let p = r0(c.input);
        if (p !== undefined && r1 !== null) p = r1(p);
        if (p === undefined) return false;
        const q = s[slot] as Value | undefined;
        return q !== undefined && sameValue(p, q) ? last || next(s, c) : false;
      };
    }
    if (x.kind === 'slot' || y.kind === 'slot') return undefined;
    if (x.kind === 'slotKey' && y.kind === 'input') {
      const slot = x.slot, readK1 = x.read, r0 = y.first, r1 = y.second;
      return (s, c) => {
        if (c.mocks !== null) return mocked(s, c);
        const p = readK1(s[slot] as Value);
        if (p === undefined) return false;
        let q = r0(c.input);
        if (q !== undefined && r1 !== null) q = r1(q);
        return q !== undefined && sameValue(p!, q!) ? last || next(s, c) : false;
      };
    }
    if (x.kind === 'input' && y.kind === 'input') {
      // `input.a.b == input.c.d`: comparing two attributes of the request (ABAC's usual shape).
      const p0 = x.first, p1 = x.second, q0 = y.first, q1 = y.second;
      const general: Step = (s, c) => {
        if (c.mocks !== null) return mocked(s, c);
        const i = c.input;
        let p = p0(i);
        if (p !== undefined && p1 !== null) p = p1(p);
        if (p === undefined) return false;
        let q = q0(i);
        if (q !== undefined && q1 !== null) q = q1(q);
        return q !== undefined && sameValue(p, q) ? last || next(s, c) : false;
      };
      return (x.pair && y.pair && pooledEqualTest(x.pair, y.pair, last, next, general)) || general;
    }
    if (x.kind === 'slotKey' && y.kind === 'str') {
      const slot = x.slot, str = y.value, readK1 = x.read;
      return (s, c) => (c.mocks !== null ? mocked(s, c) : readK1(s[slot] as Value) === str ? last || next(s, c) : false);
    }
    if (x.kind === 'input' && y.kind === 'str') {
      const str = y.value, r0 = x.first, r1 = x.second;
      return (s, c) => {
        if (c.mocks !== null) return mocked(s, c);
        const p = r0(c.input);
        return p !== undefined && (r1 === null ? p : r1(p)) === str ? last || next(s, c) : false;
      };
    }
    return undefined;
  }

  /**
   * `input.k` or `input.k1.k2` with constant string keys, as key readers (noted as read): tests
   * on such operands read them inline instead of through a value closure. Each test makes the
   * reader calls itself rather than through a shared helper: a helper's call sites would see
   * every key's reader and V8 would stop inlining them (ABAC measured 35% slower that way).
   */
  private inputPath(t: Term, scope: Scope): InputPath | undefined {
    if (t.kind !== 'ref' || t.head.kind !== 'var' || t.head.name !== 'input' || t.path.length > 2) return undefined;
    if (!t.path.every(p => p.kind === 'scalar' && typeof p.value === 'string')) return undefined;
    this.noteInputPath(t.path, scope);
    const keys = t.path.map(p => (p as { value: string }).value);
    if (keys.length === 1) return { kind: 'input', first: keyReader(keys[0]!), second: null };
    const [k1, k2] = keys as [string, string];
    const pair = needsOwnCheck(k1) || needsOwnCheck(k2) ? undefined : [k1, k2] as const;
    // One call for both keys while the pair pool lasts.
    const both = pairReader(k1, k2);
    if (both) return { kind: 'input', first: both, second: null, pair };
    return { kind: 'input', first: keyReader(k1), second: keyReader(k2), pair };
  }

  /** A call whose operands are all bound → value function. */
  callValue(t: Call, scope: Scope, relation: boolean): Val {
    const name = t.name;
    const joined = name.join('.');
    const loc = t.loc;
    const args = isPrint(t) ? [] : t.args.map(a => this.value(a, scope));
    if (joined === 'print' || joined === 'internal.print') {
      // An argument that iterates is printed as the set of its values (empty: `<undefined>`),
      // one line per combination, as OPA does.
      const parts = t.args.map(a => (isGroundTerm(a, scope) ? { one: this.value(a, scope), all: undefined } : { one: undefined, all: this.printCollector(a, scope) }));
      return (s, c) => {
        const operands: Operand[] = parts.map(p => (p.one ? { value: p.one(s, c) } : { values: p.all!(s, c) as PolSet }));
        const total = renderingCount(operands);
        forEachRendering(operands, texts => c.print(texts.join(' ')), MAX_PRINT_LINES);
        if (total > MAX_PRINT_LINES) c.print(`... ${Number.isFinite(total) ? total - MAX_PRINT_LINES : 'more'} more lines not printed (at most ${MAX_PRINT_LINES} per print call)`);
        return true;
      };
    }
    if (joined === 'internal.template_string' && args.length === 1) {
      // `$"a {x} b"` (see the parser): the parts joined, each expression the set of its values.
      const parts = args[0]!;
      return (s, c) => {
        const operands = templateOperands(parts(s, c));
        if (!operands) throw new EvalError('eval_type_error', 'internal.template_string: operand 1 must be an array of strings and sets', loc);
        if (renderingCount(operands) > 1) throw new EvalError('eval_conflict_error', 'template-strings must not produce multiple outputs', loc);
        return singleRendering(operands);
      };
    }
    const fast = this.operator(joined, args);
    if (fast) return this.mockable(joined, fast, args);
    if (name[0] === 'data') {
      const node = nodeAt(this.program.tree, name.slice(1), false);
      if (!node || node.kind !== 'function') {
        // Calling a non-function document: OPA treats `data.p.q(x)` on a value as undefined.
        if (node && node.kind) throw new CompileError('rego_type_error', `${joined} is not a function${shadowedBuiltinHint(name)}`, loc);
        throw new CompileError('rego_type_error', `undefined function ${joined}`, loc);
      }
      const fn = this.functionOf(node);
      this.mergeFacts(node);
      const general: Val = (s, c) => {
        const vals: Value[] = new Array(args.length);
        for (let i = 0; i < args.length; i++) { const v = args[i]!(s, c); if (v === undefined) return undefined; vals[i] = v; }
        return fn(vals, c);
      };
      return this.mockable(joined, general, args);
    }
    const decl = BUILTINS_BY_NAME.get(joined);
    const impl: BuiltinImpl | undefined = BUILTIN_IMPLS[joined];
    if (!decl || !impl) throw new CompileError('rego_type_error', `undefined function ${joined}`, loc);
    if (decl.nondeterministic) this.facts.nondeterministic = true;
    if (joined === 'time.now_ns') this.facts.readsClock = true;
    this.facts.cost += COST.builtin;
    void relation;
    const n = args.length;
    let general: Val;
    if (n === 1) {
      const a0 = args[0]!;
      general = (s, c) => {
        const x = a0(s, c);
        if (x === undefined) return undefined;
        try { return impl([x], c); } catch (e) { return c.builtinFailed(e, loc, joined); }
      };
    } else if (n === 2) {
      const a0 = args[0]!, a1 = args[1]!;
      general = (s, c) => {
        const x = a0(s, c);
        if (x === undefined) return undefined;
        const y = a1(s, c);
        if (y === undefined) return undefined;
        try { return impl([x, y], c); } catch (e) { return c.builtinFailed(e, loc, joined); }
      };
    } else {
      general = (s, c) => {
        const vals: Value[] = new Array(n);
        for (let i = 0; i < n; i++) { const v = args[i]!(s, c); if (v === undefined) return undefined; vals[i] = v; }
        try { return impl(vals, c); } catch (e) { return c.builtinFailed(e, loc, joined); }
      };
    }
    return this.mockable(joined, general, args);
  }

  /**
   * Wraps a call so `with <name> as <mock>` can replace it; free when no mock is active. A mock
   * function runs with mocks switched off, so it can call the original and never another mock.
   */
  private mockable(name: string, f: Val, args: Val[]): Val {
    return (s, c) => {
      if (c.mocks === null) return f(s, c);
      const mock = c.mocks.get(name);
      if (!mock) return f(s, c);
      const vals: Value[] = [];
      for (const a of args) { const v = a(s, c); if (v === undefined) return undefined; vals.push(v); }
      if ('value' in mock) return mock.value;
      c.pushWith(c.input, c.overrides, null);
      try { return mock.call(vals, c); } finally { c.popWith(); }
    };
  }

  /** Comparisons and membership inline; everything else goes through the builtin table. */
  private operator(name: string, args: Val[]): Val | undefined {
    if (args.length !== 2 && !(name === 'internal.member_3' && args.length === 3)) return undefined;
    const a = args[0]!, b = args[1]!;
    const bin = (op: (x: Value, y: Value) => boolean): Val => (s, c) => {
      const x = a(s, c);
      if (x === undefined) return undefined;
      const y = b(s, c);
      if (y === undefined) return undefined;
      return op(x, y);
    };
    switch (name) {
      case 'equal': {
        const k = b.constant;
        if (k !== undefined && typeof k === 'string') return (s, c) => { const x = a(s, c); return x === undefined ? undefined : x === k; };
        return (s, c) => {
          const x = a(s, c);
          if (x === undefined) return undefined;
          const y = b(s, c);
          if (y === undefined) return undefined;
          return x === y || (typeof x === 'object' || typeof y === 'object' || typeof x === 'bigint' || typeof y === 'bigint' ? equal(x, y) : false);
        };
      }
      case 'neq': return bin((x, y) => !equal(x, y));
      case 'lt': return bin((x, y) => compare(x, y) < 0);
      case 'lte': return bin((x, y) => compare(x, y) <= 0);
      case 'gt': return bin((x, y) => compare(x, y) > 0);
      case 'gte': return bin((x, y) => compare(x, y) >= 0);
      case 'internal.member_2': {
        const k = b.constant;
        if (k instanceof PolSet) return (s, c) => { const x = a(s, c); return x === undefined ? undefined : k.has(x); };
        this.facts.cost += COST.membership;
        return bin((x, coll) => memberOf(x, coll));
      }
      case 'internal.member_3': {
        const v = args[2]!;
        return (s, c) => {
          const key = a(s, c), x = b(s, c), coll = v(s, c);
          if (key === undefined || x === undefined || coll === undefined) return undefined;
          const at = derefKey(coll, key);
          return at !== undefined && !(coll instanceof PolSet) && equal(at, x);
        };
      }
      default: return undefined;
    }
  }

  // ---- unification -----------------------------------------------------------------------------

  private unify(a: Term, b: Term, scope: Scope, kont: () => Step): Step {
    return this.hoisted([a, b], scope, ([x, y]) => this.unifyTerms(x!, y!, scope, kont));
  }

  private unifyTerms(a: Term, b: Term, scope: Scope, kont: () => Step): Step {
    // `[path, value] := walk(x)`: a relation yields several values, each unified in turn.
    for (const [rel, other] of [[b, a], [a, b]] as const) {
      if (rel.kind === 'call' && BUILTINS_BY_NAME.get(rel.name.join('.'))?.relation && isGroundTerm(rel, scope)) {
        const f = this.callValue(rel, scope, true);
        const m = this.pattern(other, scope);
        const next = kont();
        return (s, c) => {
          const results = f(s, c);
          if (!Array.isArray(results)) return false;
          for (const r of results) if (m(s, c, r) && next(s, c)) return true;
          return false;
        };
      }
    }
    const ga = isGroundTerm(a, scope), gb = isGroundTerm(b, scope);
    if (ga && gb) {
      const va = this.value(a, scope), vb = this.value(b, scope);
      const next = kont();
      return (s, c) => {
        const x = va(s, c);
        if (x === undefined) return false;
        const y = vb(s, c);
        return y !== undefined && equal(x, y) ? next(s, c) : false;
      };
    }
    if (ga || gb) {
      const v = this.value(ga ? a : b, scope);
      const m = this.pattern(ga ? b : a, scope);
      const next = kont();
      return (s, c) => {
        const x = v(s, c);
        return x !== undefined && m(s, c, x) ? next(s, c) : false;
      };
    }
    if (a.kind === 'array' && b.kind === 'array' && a.items.length === b.items.length) {
      const go = (i: number): Step => (i === a.items.length ? kont() : this.unifyTerms(a.items[i]!, b.items[i]!, scope, () => go(i + 1)));
      return go(0);
    }
    if (a.kind === 'object' && b.kind === 'object' && a.entries.length === b.entries.length) {
      const pairs: [Term, Term][] = [];
      for (const [ka, va] of a.entries) {
        const kv = literalValue(ka);
        const match = b.entries.find(([kb]) => kv !== undefined && equal(kv, literalValue(kb) ?? null) && literalValue(kb) !== undefined);
        if (!match) return () => false;
        pairs.push([va, match[1]]);
      }
      const go = (i: number): Step => (i === pairs.length ? kont() : this.unifyTerms(pairs[i]![0], pairs[i]![1], scope, () => go(i + 1)));
      return go(0);
    }
    if ((a.kind === 'array' && b.kind === 'object') || (a.kind === 'object' && b.kind === 'array') ||
        (a.kind === 'array' && b.kind === 'array') || (a.kind === 'object' && b.kind === 'object')) {
      return () => false;
    }
    throw new CompileError('rego_unsafe_var_error', 'unification of two unbound terms is unsafe', a.loc);
  }

  /** A pattern: binds unbound variables to the parts of a value; ground parts must be equal. */
  pattern(t: Term, scope: Scope): Matcher {
    if (t.kind === 'var') {
      if (scope.isBound(t.name)) {
        const slot = scope.slot(t.name);
        return (s, _c, v) => equal(s[slot] as Value, v);
      }
      const slot = scope.bind(t.name);
      return (s, _c, v) => { s[slot] = v; return true; };
    }
    if (isGroundTerm(t, scope)) {
      const f = this.value(t, scope);
      const k = f.constant;
      if (k !== undefined && (typeof k === 'string' || typeof k === 'boolean')) return (_s, _c, v) => v === k;
      return (s, c, v) => { const x = f(s, c); return x !== undefined && equal(x, v); };
    }
    if (t.kind === 'array') {
      const ms = t.items.map(i => this.pattern(i, scope));
      const n = ms.length;
      return (s, c, v) => {
        if (!Array.isArray(v) || v.length !== n) return false;
        for (let i = 0; i < n; i++) if (!ms[i]!(s, c, v[i]!)) return false;
        return true;
      };
    }
    if (t.kind === 'object') {
      const entries = t.entries.map(([k, x]) => {
        if (!isGroundTerm(k, scope)) throw new CompileError('rego_unsafe_var_error', 'object keys in patterns must be bound', k.loc);
        return [this.value(k, scope), this.pattern(x, scope)] as const;
      });
      const n = entries.length;
      return (s, c, v) => {
        if (!isObject(v) || objectSize(v) !== n) return false;
        for (const [k, m] of entries) {
          const key = k(s, c);
          if (key === undefined) return false;
          const x = objectGet(v, key);
          if (x === undefined || !m(s, c, x)) return false;
        }
        return true;
      };
    }
    if (t.kind === 'ref' || t.kind === 'call') {
      // Hoisting leaves no iterating refs; a ref with an unbound head is unsafe.
      throw new CompileError('rego_unsafe_var_error', 'reference with unbound variables cannot be unified', t.loc);
    }
    throw new CompileError('rego_unsafe_var_error', `cannot unify ${t.kind} with unbound variables`, t.loc);
  }

  // ---- some … in, every ------------------------------------------------------------------------

  private someIn(key: Term | undefined, value: Term, coll: Term, scope: Scope, kont: () => Step, loc: Loc): Step {
    this.facts.cost += COST.iteration;
    return this.hoisted([coll], scope, ([collTerm]) => {
      const cv = this.value(collTerm!, scope);
      const each = this.iteration();
      for (const t of key ? [key, value] : [value]) forVars(t, n => { scope.declare(n); });
      const km = key ? this.pattern(key, scope) : null;
      const vm = this.pattern(value, scope);
      const stream = this.orderFree ? this.memberStreamOf(collTerm!) : undefined;
      const next = kont();
      if (stream) {
        // Members are searched, not kept: run the set rule's bodies straight into this loop.
        const emit = !km && value.kind === 'var'
          ? ((slot: number) => (s: Slots, c: Ctx, x: Value) => { s[slot] = x; return next(s, c); })(scope.slot(value.name))
          : (s: Slots, c: Ctx, x: Value) => (km === null || km(s, c, x)) && vm(s, c, x) && next(s, c);
        return (s, c) => {
          if (!stream.usable(c)) return each(cv(s, c), c, loc, (_k, x) => emit(s, c, x));
          return stream.run(c, x => emit(s, c, x));
        };
      }
      if (!km && value.kind === 'var') {
        const slot = scope.slot(value.name);
        return (s, c) => {
          const v = cv(s, c);
          if (Array.isArray(v)) {
            // The common case, without a callback per element.
            for (let i = 0; i < v.length; i++) {
              if ((i & 255) === 255) c.tick(loc);
              s[slot] = v[i];
              if (next(s, c)) return true;
            }
            return false;
          }
          return each(v, c, loc, (_k, x) => { s[slot] = x; return next(s, c); });
        };
      }
      return (s, c) => each(cv(s, c), c, loc, (k, x) => (km === null || km(s, c, k)) && vm(s, c, x) && next(s, c));
    }, loc);
  }

  private every(key: Var | undefined, value: Var, domain: Term, body: Expr[], scope: Scope, kont: () => Step): Step {
    this.facts.cost += COST.iteration;
    return this.hoisted([domain], scope, ([dom]) => {
      const dv = this.value(dom!, scope);
      const inner = new Scope(scope.frame, scope);
      const ks = key ? inner.declare(key.name) : -1;
      const vs = inner.declare(value.name);
      if (key) inner.bind(key.name);
      inner.bind(value.name);
      const check = this.inOrder(true, () => this.body(body, inner, () => HALT));
      const next = kont();
      const each = this.printsAnywhere ? forEachEntry : forEachEntryAnyOrder;
      return (s, c) => {
        const d = dv(s, c);
        // Undefined or non-collection domains make `every` fail (as OPA does), not hold vacuously.
        if (d === undefined || d === null || typeof d !== 'object') return false;
        const failed = (c.strict ? forEachEntry : each)(d, (k, x) => {
          if (ks >= 0) s[ks] = k;
          s[vs] = x;
          return !check(s, c);
        });
        return failed ? false : next(s, c);
      };
    });
  }

  // ---- with ------------------------------------------------------------------------------------

  private withExpr(e: Expr, scope: Scope, kont: () => Step): Step {
    type Mod = { kind: 'input'; path: string[]; value: Val } | { kind: 'data'; path: string[]; value: Val; fn?: string }
      | { kind: 'mock'; name: string; value: Val | null; target: ((args: Value[], c: Ctx) => Value | undefined) | null };
    const mods: Mod[] = e.with.map(w => {
      const names = refNames(w.target);
      if (!names) throw new CompileError('rego_compile_error', 'with keyword target must reference existing input, data, or a function', w.loc);
      if (names[0] === 'input') return { kind: 'input', path: names.slice(1), value: this.value(w.value, scope) };
      if (names[0] === 'data') {
        const node = nodeAt(this.program.tree, names.slice(1), false);
        if (node?.kind === 'function') return this.mockOf(names.join('.'), w.value, scope);
        return { kind: 'data', path: names.slice(1), value: this.value(w.value, scope) };
      }
      return this.mockOf(names.join('.'), w.value, scope);
    });
    const inner = this.expr({ ...e, with: [] }, scope, () => {
      const next = kont();
      return (s, c) => {
        const st = c.suspendWith();
        try { return next(s, c); } finally { c.resumeWith(st); }
      };
    });
    return (s, c) => {
      let input = c.input;
      let overrides = c.overrides;
      let mocks = c.mocks;
      for (const m of mods) {
        if (m.kind === 'mock') {
          mocks = new Map(mocks ?? []);
          if (m.target) mocks.set(m.name, { call: m.target });
          else {
            const v = m.value!(s, c);
            if (v === undefined) return false;
            mocks.set(m.name, { value: v });
          }
          continue;
        }
        const v = m.value(s, c);
        if (v === undefined) return false;
        if (m.kind === 'input') input = m.path.length ? setPath(input, m.path, v) : v;
        else overrides = [...(overrides ?? []), { path: m.path, value: v }];
      }
      c.pushWith(input, overrides, mocks);
      try { return inner(s, c); } finally { c.popWith(); }
    };
  }

  private mockOf(name: string, value: Term, scope: Scope): { kind: 'mock'; name: string; value: Val | null; target: ((args: Value[], c: Ctx) => Value | undefined) | null } {
    const names = refNames(value);
    if (names) {
      const joined = names.join('.');
      if (names[0] === 'data') {
        const node = nodeAt(this.program.tree, names.slice(1), false);
        if (node?.kind === 'function') return { kind: 'mock', name, value: null, target: this.functionOf(node) };
      } else if (!scope.isBound(names[0]!) && BUILTIN_IMPLS[joined]) {
        const impl = BUILTIN_IMPLS[joined]!;
        return { kind: 'mock', name, value: null, target: (args, c) => { try { return impl(args, c); } catch (e) { return c.builtinFailed(e, value.loc, joined); } } };
      }
    }
    return { kind: 'mock', name, value: this.value(value, scope), target: null };
  }

  // ---- values ----------------------------------------------------------------------------------

  /** A ground term → value function (undefined when a ref or call is undefined). */
  value(t: Term, scope: Scope): Val {
    const lit = literalValue(t);
    if (lit !== undefined) return constVal(lit);
    switch (t.kind) {
      case 'var': {
        if (t.name === 'input') { this.facts.inputPaths = 'all'; return (_s, c) => c.input; }
        if (t.name === 'data') { const doc = this.docOf(this.program.tree.root); return (_s, c) => doc(c); }
        if (!scope.isBound(t.name)) throw new CompileError('rego_unsafe_var_error', `var ${t.name} is unsafe`, t.loc);
        const slot = scope.slot(t.name);
        return s => s[slot] as Value;
      }
      case 'ref': {
        const { source, rest } = this.refSource(t, scope);
        if (rest.length === 0) return source;
        const keys = rest.map(p => this.value(p, scope));
        if (keys.every(k => k.constant !== undefined)) {
          const ks = keys.map(k => k.constant!);
          if (ks.every(k => typeof k === 'string')) {
            // The hot shape: `x.a.b` / `input.a.b` with constant keys, each read by its key's own
            // reader (one load site per key; see key-readers.ts).
            const rs = (ks as string[]).map(keyReader);
            const [r0, r1] = rs as [KeyReader, KeyReader | undefined];
            const head = t.head;
            if (head.kind === 'var' && head.name === 'input') {
              if (rs.length === 1) return (_s, c) => r0(c.input);
              const both = rs.length === 2 ? pairReader(ks[0] as string, ks[1] as string) : undefined;
              if (both) return (_s, c) => both(c.input);
              if (rs.length === 2) return (_s, c) => { const v = r0(c.input); return v === undefined ? undefined : r1!(v); };
            } else if (head.kind === 'var' && head.name !== 'data' && scope.isBound(head.name)) {
              const slot = scope.slot(head.name);
              if (rs.length === 1) return s => r0(s[slot] as Value);
              if (rs.length === 2) return s => { const v = r0(s[slot] as Value); return v === undefined ? undefined : r1!(v); };
            }
            if (rs.length === 1) return (s, c) => r0(source(s, c));
            return (s, c) => {
              let v = source(s, c);
              for (let i = 0; i < rs.length && v !== undefined; i++) v = rs[i]!(v);
              return v;
            };
          }
          return (s, c) => {
            let v = source(s, c);
            for (let i = 0; i < ks.length && v !== undefined; i++) v = derefKey(v, ks[i]!);
            return v;
          };
        }
        return (s, c) => {
          let v = source(s, c);
          for (let i = 0; i < keys.length && v !== undefined; i++) {
            const k = keys[i]!(s, c);
            if (k === undefined) return undefined;
            v = derefKey(v, k);
          }
          return v;
        };
      }
      case 'call': return this.callValue(t, scope, false);
      case 'array': {
        const items = t.items.map(i => this.value(i, scope));
        return (s, c) => {
          const out: Value[] = new Array(items.length);
          for (let i = 0; i < items.length; i++) { const v = items[i]!(s, c); if (v === undefined) return undefined; out[i] = v; }
          return out;
        };
      }
      case 'set': {
        const items = t.items.map(i => this.value(i, scope));
        return (s, c) => {
          const out = new PolSet();
          for (const f of items) { const v = f(s, c); if (v === undefined) return undefined; out.add(v); }
          return out;
        };
      }
      case 'object': {
        const entries = t.entries.map(([k, v]) => [this.value(k, scope), this.value(v, scope)] as const);
        return (s, c) => {
          const list: [Value, Value][] = [];
          for (const [kf, vf] of entries) {
            const k = kf(s, c);
            if (k === undefined) return undefined;
            const v = vf(s, c);
            if (v === undefined) return undefined;
            list.push([k, v]);
          }
          return makeObject(list);
        };
      }
      case 'arraycompr': case 'setcompr': case 'objectcompr': return this.comprehension(t, scope);
      default: throw new CompileError('rego_compile_error', `unexpected ${t.kind}`, t.loc);
    }
  }

  /** `{v | v = arg}` for a print argument that iterates. */
  private printCollector(arg: Term, scope: Scope): Val {
    const v: Var = { kind: 'var', name: `$p${this.tempCounter++}`, loc: arg.loc };
    const body: Expr[] = [{ kind: 'expr', negated: false, with: [], loc: arg.loc, body: { kind: 'term', term: { kind: 'call', name: ['eq'], args: [v, arg], loc: arg.loc } } }];
    return this.comprehension({ kind: 'setcompr', head: v, body, loc: arg.loc }, scope);
  }

  private comprehension(t: Term & { body: Expr[] }, scope: Scope): Val {
    this.facts.cost += COST.iteration;
    const inner = new Scope(scope.frame, scope);
    const acc = scope.frame.alloc();
    const loc = t.loc;
    if (t.kind === 'arraycompr' || t.kind === 'setcompr') {
      const isSet = t.kind === 'setcompr';
      const head = (t as { head: Term }).head;
      const step = this.inOrder(isSet, () => this.body(t.body, inner, () => {
        const h = this.value(head, inner);
        return isSet
          ? (s, c) => { const v = h(s, c); if (v !== undefined) (s[acc] as PolSet).add(v); return false; }
          : (s, c) => { const v = h(s, c); if (v !== undefined) (s[acc] as Value[]).push(v); return false; };
      }));
      return (s, c) => {
        const saved = s[acc];
        const out = isSet ? new PolSet() : [];
        s[acc] = out;
        step(s, c);
        s[acc] = saved;
        return out;
      };
    }
    const oc = t as { key: Term; value: Term };
    const step = this.inOrder(false, () => this.body(t.body, inner, () => {
      const kf = this.value(oc.key, inner), vf = this.value(oc.value, inner);
      return (s, c) => {
        const k = kf(s, c);
        if (k === undefined) return false;
        const v = vf(s, c);
        if (v === undefined) return false;
        const m = s[acc] as Map<string, [Value, Value]>;
        const key = keyOf(k);
        const prev = m.get(key);
        if (prev && !equal(prev[1], v)) throw new EvalError('eval_conflict_error', 'object keys must be unique', loc);
        m.set(key, [k, v]);
        return false;
      };
    }));
    return (s, c) => {
      const saved = s[acc];
      const m = new Map<string, [Value, Value]>();
      s[acc] = m;
      step(s, c);
      s[acc] = saved;
      return makeObject(m.values());
    };
  }

  /** Compiles a query body; `terminal` receives the scope after the last expression. */
  query(body: Expr[], scope: Scope, terminal: () => Step): Step {
    return this.body(body, scope, terminal);
  }
}

// ---- helpers -----------------------------------------------------------------------------------

function newFacts(): CompileFacts { return { inputPaths: new Set(), nondeterministic: false, readsClock: false, cost: 0 }; }
function mergeFactsInto(into: CompileFacts, from: CompileFacts): void {
  if (from.inputPaths === 'all') into.inputPaths = 'all';
  else if (into.inputPaths !== 'all') for (const p of from.inputPaths) into.inputPaths.add(p);
  into.nondeterministic ||= from.nondeterministic;
  into.readsClock ||= from.readsClock;
  into.cost = Math.min(COST.max, into.cost + from.cost);
}

/**
 * A compiled rule body: `run` gives the head's value or undefined; `constant` is the head's value
 * when it is a constant; `test` is set for a constant head over a body without variables (run it
 * on `NO_VARIABLES`: true when the body holds).
 */
interface CompiledBody {
  run: (c: Ctx, args?: Value[]) => Value | undefined;
  constant: Value | undefined;
  test?: Step;
}

/** The bodies' tests when every definition is one variable-free body with one same constant. */
function variableFreeTests(chains: (CompiledBody[] | undefined)[]): { value: Value; steps: Step[] } | undefined {
  if (chains.length === 0) return undefined;
  const steps: Step[] = [];
  let value: Value | undefined;
  for (const chain of chains) {
    if (!chain || chain.length !== 1) return undefined;
    const b = chain[0]!;
    if (!b.test || b.constant === undefined) return undefined;
    if (value === undefined) value = b.constant;
    else if (!equal(value, b.constant)) return undefined;
    steps.push(b.test);
  }
  return { value: value!, steps };
}

/** An operand `input.k` or `input.k1.k2` (see `Compiler.inputPath`). */
interface InputPath {
  kind: 'input';
  first: KeyReader;
  second: KeyReader | null;
  /** The two keys of `input.k1.k2` when neither is one a prototype defines (pooled tests). */
  pair?: readonly [string, string];
}

/** The frame of bodies without variables: never written to (their constant heads end in `HALT`). */
const NO_VARIABLES: Slots = [undefined];

/**
 * `==` on two defined values: identity settles strings and booleans; numbers (1 == 1.0 across
 * representations), bigints and collections take `equal`. One module-level function, so V8 can
 * inline it into every fused test (a closure per test could not be).
 */
function sameValue(p: Value, q: Value): boolean {
  return p === q || ((typeof p === 'object' || typeof p === 'bigint' || typeof p === 'number') && equal(p, q));
}

function isTruthy(v: Value | undefined): boolean { return v !== undefined && v !== false; }

function isPrint(t: Term): boolean {
  return t.kind === 'call' && ((t.name.length === 1 && t.name[0] === 'print') || t.name.join('.') === 'internal.print');
}

function isComposite(t: Term): boolean { return t.kind === 'array' || t.kind === 'set' || t.kind === 'object'; }
function isConstString(t: Term): boolean { return t.kind === 'scalar' && typeof t.value === 'string'; }

function forVars(t: Term, fn: (name: string) => void): void {
  const visit = (x: Term): void => {
    switch (x.kind) {
      case 'var': if (x.name !== 'input' && x.name !== 'data') fn(x.name); break;
      case 'ref': visit(x.head); x.path.forEach(visit); break;
      case 'call': x.args.forEach(visit); break;
      case 'array': case 'set': x.items.forEach(visit); break;
      case 'object': for (const [k, v] of x.entries) { visit(k); visit(v); } break;
      default: break;
    }
  };
  visit(t);
}

function hasUnboundVar(t: Term, bound: (name: string) => boolean): boolean {
  let found = false;
  forVars(t, n => { if (!bound(n)) found = true; });
  return found;
}

/** Every variable of the term (outside closures) is bound, so it has a value (or is undefined). */
export function isGroundTerm(t: Term, scope: Scope): boolean {
  return !hasUnboundVar(t, n => scope.isBound(n));
}

function iterate(v: Value | undefined, c: Ctx, loc: Loc | undefined, fn: (k: Value, x: Value) => boolean): boolean {
  if (v === undefined || v === null || typeof v !== 'object') return false;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) { c.tick(loc); if (fn(i, v[i]!)) return true; }
    return false;
  }
  if (v instanceof PolSet || v instanceof PolObject) return forEachEntry(v, (k, x) => { c.tick(loc); return fn(k, x); });
  const o = v as PlainObject;
  const keys = Object.keys(o);
  if (keys.length > 1) keys.sort(compareStrings);
  for (const k of keys) { c.tick(loc); if (fn(k, o[k]!)) return true; }
  return false;
}

/**
 * Like `iterate`, in whatever order the collection holds its members (no sorting), for bodies
 * where the order cannot be observed. Strict builtin errors keep OPA's order.
 */
function iterateAnyOrder(v: Value | undefined, c: Ctx, loc: Loc | undefined, fn: (k: Value, x: Value) => boolean): boolean {
  if (c.strict) return iterate(v, c, loc, fn);
  if (v === undefined || v === null || typeof v !== 'object') return false;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) { c.tick(loc); if (fn(i, v[i]!)) return true; }
    return false;
  }
  if (v instanceof PolSet || v instanceof PolObject) return forEachEntryAnyOrder(v, (k, x) => { c.tick(loc); return fn(k, x); });
  const o = v as PlainObject;
  for (const k of Object.keys(o)) { c.tick(loc); if (fn(k, o[k]!)) return true; }
  return false;
}

/** `compare` results that satisfy each ordering operator. */
const ORDER_OPS: Record<'lt' | 'lte' | 'gt' | 'gte', number> = { lt: LT, lte: LTE, gt: GT, gte: GTE };

/** Whether `x op y` holds: numbers compared inline, everything else by Rego's total order. */
function orderHolds(op: number, x: Value, y: Value): boolean {
  const r = typeof x === 'number' && typeof y === 'number' ? (x < y ? -1 : x > y ? 1 : 0) : compare(x, y);
  return op === LT ? r < 0 : op === LTE ? r <= 0 : op === GT ? r > 0 : r >= 0;
}

/** Builtins whose output makes evaluation order observable. */
const OUTPUT_CALLS = new Set(['print', 'trace']);

/** True when any rule of the program calls one of `names` (single-segment builtin names). */
function containsCall(modules: Program['modules'], names: Set<string>): boolean {
  let found = false;
  const visit = (t: Term) => { if (t.kind === 'call' && t.name.length === 1 && names.has(t.name[0]!)) found = true; };
  for (const m of modules) {
    for (const rule of m.rules) {
      for (let r: Rule | undefined = rule; r && !found; r = r.else) {
        for (const e of r.body) forEachExprTerm(e, visit, true);
        for (const t of [r.head.value, r.head.key, ...(r.head.args ?? [])]) if (t) forEachTerm(t, visit, true);
      }
      if (found) return true;
    }
  }
  return found;
}

function memberOf(x: Value, coll: Value): boolean {
  if (coll instanceof PolSet) return coll.has(x);
  if (Array.isArray(coll)) { for (const e of coll) if (equal(e, x)) return true; return false; }
  if (isObject(coll)) {
    if (coll instanceof PolObject) { for (const [, e] of coll.entries()) if (equal(e, x)) return true; return false; }
    for (const k of Object.keys(coll)) if (equal(coll[k]!, x)) return true;
    return false;
  }
  return false;
}

/** Reads base data; an integer key also finds the same digits as a string key (stored JSON). */
export function basePath(data: Value, path: readonly (string | Value)[]): Value | undefined {
  let v: Value | undefined = data;
  for (let i = 0; i < path.length && v !== undefined; i++) {
    const k = path[i]!;
    const next: Value | undefined = derefKey(v, k);
    v = next === undefined && typeof k === 'number' && isObject(v) ? derefKey(v, String(k)) : next;
  }
  return v;
}

function defineOwn(o: PlainObject, k: string, v: Value): void {
  Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
}

function mergeObjects(a: PlainObject | PolObject, b: PlainObject | PolObject): Value {
  if (a instanceof PolObject || b instanceof PolObject) return b;
  const out: PlainObject = {};
  for (const k of Object.keys(a)) defineOwn(out, k, a[k]!);
  for (const k of Object.keys(b)) {
    const prev = Object.prototype.hasOwnProperty.call(out, k) ? out[k] : undefined;
    const v = b[k]!;
    defineOwn(out, k, prev !== undefined && isObject(prev) && isObject(v) ? mergeObjects(prev, v) : v);
  }
  return out;
}

/** Document at `path` under active `with data…` replacements. */
function applyOverrides(c: Ctx, path: string[], compute: (c: Ctx) => Value | undefined): Value | undefined {
  const list = c.overrides as DataOverride[];
  for (let i = list.length - 1; i >= 0; i--) {
    const o = list[i]!;
    if (o.path.length <= path.length && o.path.every((p, j) => p === path[j])) return basePath(o.value, path.slice(o.path.length));
  }
  let v = compute(c);
  for (const o of list) {
    if (o.path.length > path.length && path.every((p, j) => p === o.path[j])) v = setPath(v, o.path.slice(path.length), o.value);
  }
  return v;
}

/** Builds the nested object of object rules, detecting conflicting values for one key. */
class NestedBuilder {
  private readonly entries = new Map<string, { key: Value; value?: Value; child?: NestedBuilder }>();
  count = 0;
  put(keys: Value[], v: Value, text: string, loc: Loc | undefined): void {
    let b: NestedBuilder = this;
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i]!;
      const id = keyOf(k);
      let e = b.entries.get(id);
      if (i === keys.length - 1) {
        if (e?.child) {
          if (isObject(v)) { for (const [ck, cv] of objectEntriesOf(v)) e.child.put([ck], cv, text, loc); b.count++; this.count++; return; }
          throw new EvalError('eval_conflict_error', `rule ${text} produced conflicting values`, loc);
        }
        if (e && e.value !== undefined) {
          if (e.value instanceof PolSet && v instanceof PolSet && loc === undefined) {
            // A multi-value rule below merges into the set built by a ref-head rule.
            for (const m of v.values()) e.value.add(m);
            return;
          }
          if (!equal(e.value, v)) throw new EvalError('eval_conflict_error', `object keys must be unique`, loc);
          return;
        }
        b.entries.set(id, { key: k, value: v });
        this.count++;
        return;
      }
      if (!e) { e = { key: k, child: new NestedBuilder() }; b.entries.set(id, e); }
      else if (!e.child) {
        if (e.value !== undefined && isObject(e.value)) {
          const child = new NestedBuilder();
          for (const [ck, cv] of objectEntriesOf(e.value)) child.put([ck], cv, text, loc);
          e.child = child;
          delete e.value;
        } else throw new EvalError('eval_conflict_error', `rule ${text} produced conflicting values`, loc);
      }
      b = e.child!;
    }
  }
  /** Adds `member` to the set at `keys` (multi-value rules with a ref head). */
  addMember(keys: Value[], member: Value, text: string, loc: Loc | undefined): void {
    const last = keys[keys.length - 1]!;
    let b: NestedBuilder = this;
    if (keys.length > 1) {
      const parentKeys = keys.slice(0, -1);
      for (const k of parentKeys) {
        const id = keyOf(k);
        let e = b.entries.get(id);
        if (!e) { e = { key: k, child: new NestedBuilder() }; b.entries.set(id, e); }
        if (!e.child) throw new EvalError('eval_conflict_error', `rule ${text} produced conflicting values`, loc);
        b = e.child;
      }
    }
    const id = keyOf(last);
    const e = b.entries.get(id);
    if (!e) { b.entries.set(id, { key: last, value: new PolSet([member]) }); this.count++; return; }
    if (!(e.value instanceof PolSet)) throw new EvalError('eval_conflict_error', `rule ${text} produced conflicting values`, loc);
    e.value.add(member);
    this.count++;
  }

  build(): Value {
    const list: [Value, Value][] = [];
    for (const e of this.entries.values()) list.push([e.key, e.child ? e.child.build() : e.value!]);
    return makeObject(list);
  }
}

function objectEntriesOf(v: PlainObject | PolObject): [Value, Value][] {
  if (v instanceof PolObject) return [...v.entries()];
  return Object.keys(v).map(k => [k, v[k]!] as [Value, Value]);
}

export { type FunctionMock };

/** Operator symbols by the built-in they call (`div` ← `/`). */
const SYMBOL_OF_OPERATOR = new Map<string, string>(Object.entries(OPERATORS).map(([symbol, name]) => [name, symbol]));

/**
 * Why a call resolved to a rule rather than a built-in, when that is what happened: a rule named
 * like a built-in (`div`, `count`) hides it in its package, as in OPA, operators included.
 */
function shadowedBuiltinHint(name: readonly string[]): string {
  const short = name[name.length - 1]!;
  if (!BUILTINS_BY_NAME.has(short)) return '';
  const symbol = SYMBOL_OF_OPERATOR.get(short);
  return ` (the rule \`${short}\` hides the built-in \`${short}\`${symbol ? `, which \`${symbol}\` calls` : ''}; rename the rule)`;
}
