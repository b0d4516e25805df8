/**
 * The library entry points: compile modules once into a prepared policy, then evaluate entry
 * points (the hot path) or ad-hoc queries (`opa eval` shape).
 */
import { createHash, type Hash } from 'node:crypto';
import type { Expr, Term } from '../../dsl/ast/nodes.js';
import { PolError, renderDiagnostic, sortDiagnostics, type Diagnostic, type Loc } from '../../dsl/diagnostic.js';
import { parseModuleSteps, parseQuery, parseTerm } from '../../dsl/parser/index.js';
import { checkModulesSteps, checkQuery, type Program } from '../../dsl/checker/stages.js';
import { finish, type Steps } from '../../dsl/steps.js';
import { DEFAULT_SLICE_MS, runInSlices } from './run-slices.js';
import { DataDigests } from '../data-digest.js';
import { nodeAt, pathText } from '../../dsl/checker/tree.js';
import { BUILTINS_BY_NAME } from '../../dsl/builtins/decls.js';
import { displayName } from '../../dsl/checker/safety.js';
import { forEachExprTerm } from '../../dsl/checker/walk.js';
import type { BuiltinHost } from '../builtins/types.js';
import { toJSON, type Value } from '../value.js';
import { Ctx, EvalError } from '../eval/context.js';
import { Tracer } from '../eval/trace.js';
import { CompileError, Compiler, literalValue, type Slots, type Val } from './compiler.js';
import { FrameLayout, Scope } from './scope.js';
import type {
  CompileOptions, EntryPoint, EvalOptions, EvalQueryOptions, Explanation, PreparedPolicy, QueryOptions, QueryResult, RuleInfo,
} from '../api.js';

/** Turns any failure into a `PolError` with OPA's code and `file:row: code: message` text. */
export function toPolError(e: unknown): PolError {
  if (e instanceof PolError) return e;
  if (e instanceof EvalError) {
    // The place travels as a diagnostic too, so callers never read it back out of the text.
    const loc = e.loc;
    return new PolError(e.code, e.text, loc && loc.file ? [{ code: e.code as Diagnostic['code'], message: e.message, file: loc.file, line: loc.line, col: loc.col }] : []);
  }
  if (e instanceof CompileError) {
    const d: Diagnostic = { code: e.code as Diagnostic['code'], message: e.message, file: e.loc?.file ?? '', line: e.loc?.line ?? 0, col: e.loc?.col ?? 0 };
    return new PolError(e.code, renderDiagnostic(d), [d]);
  }
  if (e instanceof RangeError && /call stack/i.test(e.message)) return new PolError('eval_internal_error', 'evaluation exceeded the maximum depth');
  return new PolError('eval_internal_error', e instanceof Error ? e.message : String(e));
}

function failWith(diags: Diagnostic[], sources: Record<string, string>): never {
  const sorted = sortDiagnostics(diags);
  const first = sorted[0]!;
  const text = sorted.map(d => renderDiagnostic(d, sources[d.file])).join('\n');
  throw new PolError(first.code, sorted.length === 1 ? text : `${sorted.length} errors occurred:\n${text}`, sorted);
}

/** Parses and checks modules; throws `PolError` with every diagnostic. */
export function checkSources(modules: Record<string, string>): Program {
  return finish(checkSourcesSteps(modules));
}

/** `checkSources` a unit of work at a time (see `Steps`). */
function* checkSourcesSteps(modules: Record<string, string>): Steps<Program> {
  const parsed = [];
  const diags: Diagnostic[] = [];
  for (const file of Object.keys(modules).sort()) {
    const r = yield* parseModuleSteps(file, modules[file]!);
    diags.push(...r.diagnostics);
    if (r.value) parsed.push(r.value);
  }
  if (diags.length) failWith(diags, modules);
  const checked = yield* checkModulesSteps(parsed);
  if (!checked.value) failWith(checked.diagnostics, modules);
  return checked.value;
}

/**
 * An entry point's path as a Rego ref in brackets, `data["a/b"][0]`: any key, and numbers as
 * array indices. For paths the slashed and dotted forms cannot say (OPA's Data API reads each URL
 * segment as one key, and an all-digit one as an index).
 */
export function bracketPath(segments: readonly (string | number)[]): string {
  return 'data' + segments.map(s => `[${JSON.stringify(s)}]`).join('');
}

const BRACKET_SEGMENT = /\[(?:(-?\d+)|("(?:[^"\\]|\\.)*"))\]/y;

/** The segments of a `bracketPath`, or undefined when `p` is not one. */
function bracketSegments(p: string): (string | number)[] | undefined {
  if (!p.startsWith('data[')) return undefined;
  const out: (string | number)[] = [];
  let i = 4;
  while (i < p.length) {
    BRACKET_SEGMENT.lastIndex = i;
    const m = BRACKET_SEGMENT.exec(p);
    if (!m) return undefined;
    out.push(m[1] !== undefined ? Number(m[1]) : JSON.parse(m[2]!) as string);
    i = BRACKET_SEGMENT.lastIndex;
  }
  return out;
}

function entryPath(path: string): (string | number)[] {
  const bracketed = bracketSegments(path);
  if (bracketed) return bracketed;
  let p = path.trim();
  if (p === 'data' || p === '' || p === '/') return [];
  if (p.startsWith('data.')) p = p.slice(5);
  else if (p.startsWith('data/')) p = p.slice(5);
  p = p.replace(/^\/+|\/+$/g, '');
  return p.includes('/') ? p.split('/').filter(Boolean) : p.split('.').filter(Boolean);
}

/** The keys below `data` that `path` names, as entry points read it (`data.a.b`, `/a/b/`, `a/b`, `a["b.c"]`). */
export function entrypointKeys(path: string): (string | number)[] {
  return entryPath(path);
}

/** The path an entry point for `path` reports as its own (`EntryPoint.path`): one spelling for `data.a.b`, `/a/b/`, `a/b`. */
export function entrypointPath(path: string): string {
  return entryPath(path).join('/');
}

/** A result as plain JSON values (sets become arrays, non-string-keyed objects plain ones). */
function plainResult(v: Value | undefined): Value | undefined {
  if (v === undefined || typeof v !== 'object' || v === null) return v;
  return toJSON(v) as Value;
}

/** The frame of an entry point that binds no variable: nothing is ever written to it. */
const NO_SLOTS: Slots = [];

const nowhere: Loc = { file: '', line: 0, col: 0, offset: 0, end: 0 };

/** Entry points a policy keeps compiled. */
export const MAX_ENTRYPOINTS = 1_000;

class Prepared implements PreparedPolicy {
  readonly revision: string;
  readonly warnings: Diagnostic[] = [];
  private readonly compiler: Compiler;
  private readonly traced: TracedProgram;
  private readonly entries = new Map<string, EntryPoint>();

  /** The revision hash over the sources alone, kept undigested: `withData` hashes only the new data onto a copy. */
  private readonly sourcesHash: Hash;

  /** `compiler` has every document of `program` compiled already (see `prepareSteps`). */
  constructor(
    private readonly program: Program, private readonly data: Value, private readonly host: BuiltinHost, private readonly sources: Record<string, string>,
    shared: { compiler: Compiler; sourcesHash: Hash; traced: TracedProgram }, digests: DataDigests = new DataDigests(),
  ) {
    this.sourcesHash = shared.sourcesHash;
    this.revision = this.sourcesHash.copy().update('data\0').update(digests.token(data)).digest('hex').slice(0, 16);
    // Compiled rules read data from the evaluation context, never at compile time: they serve any data.
    this.compiler = shared.compiler;
    this.traced = shared.traced;
  }

  withData(data: Value, digests?: DataDigests): PreparedPolicy {
    return new Prepared(this.program, data, this.host, this.sources, { compiler: this.compiler, sourcesHash: this.sourcesHash, traced: this.traced }, digests);
  }

  get explanationsReady(): boolean { return this.traced.ready; }

  prepareExplanations(sliceMs = DEFAULT_SLICE_MS): Promise<void> {
    const t = this.traced;
    if (t.ready) return Promise.resolve();
    t.preparing ??= (async () => {
      const compiler = t.compiler ??= new Compiler(this.program, true);
      try {
        await runInSlices(compileAllSteps(compiler, this.program), sliceMs);
        t.ready = true;
      } finally {
        t.preparing = undefined;
      }
    })();
    return t.preparing;
  }

  /**
   * The traced compiler for an explanation asked now. While `prepareExplanations` is compiling the
   * shared one between slices, it must not be entered: such an explanation compiles its own.
   */
  private tracedCompiler(): Compiler {
    const t = this.traced;
    if (t.preparing !== undefined) return new Compiler(this.program, true);
    return t.compiler ??= new Compiler(this.program, true);
  }

  entrypoint(path: string): EntryPoint {
    const cached = this.entries.get(path);
    if (cached) return cached;
    const segs = entryPath(path);
    const ref: Term = segs.length === 0
      ? { kind: 'var', name: 'data', loc: nowhere }
      : { kind: 'ref', head: { kind: 'var', name: 'data', loc: nowhere }, path: segs.map((s): Term => typeof s === 'number' ? { kind: 'number', text: String(s), loc: nowhere } : { kind: 'scalar', value: s, loc: nowhere }), loc: nowhere };
    let val: Val;
    const scope = new Scope(new FrameLayout());
    let facts;
    try {
      ({ val, facts } = this.compiler.withFacts(() => this.compiler.value(ref, scope)));
    } catch (e) { throw toPolError(e); }
    const size = scope.frame.size;
    // An index never names a rule: such a path is read through the general ref.
    const doc = segs.every(s => typeof s === 'string') ? this.compiler.entryDoc(segs as string[]) : undefined;
    const data = this.data, host = this.host, sources = this.sources;
    let spare: Ctx | null = null;
    let traced: { val: Val; size: number } | undefined;
    const tracedEntry = () => {
      if (traced) return traced;
      const compiler = this.tracedCompiler();
      const tscope = new Scope(new FrameLayout());
      try {
        traced = { val: compiler.value(ref, tscope), size: tscope.frame.size };
      } catch (e) { throw toPolError(e); }
      return traced;
    };
    /** The entry point's value in context `c`; a failed evaluation ends `c` and frees it for reuse. */
    const run = (c: Ctx): Value | undefined => {
      try {
        return doc !== undefined ? doc(c) : val(size === 0 ? NO_SLOTS : new Array(size) as Slots, c);
      } catch (e) {
        c.end();
        spare = c;
        throw toPolError(e);
      }
    };
    /** An evaluation with options, or one that overlaps another (the spare context is taken). */
    const evaluateWith = (input: Value | undefined, opts: EvalOptions | undefined): Value | undefined => {
      let c = spare;
      if (c === null) c = new Ctx(input, data, host, opts?.strictBuiltinErrors ?? false, opts?.nowNs, opts?.prints, opts?.deadlineMs);
      else {
        spare = null;
        c.begin(input, opts?.strictBuiltinErrors ?? false, opts?.nowNs, opts?.prints, opts?.deadlineMs);
      }
      const v = run(c);
      const failed = c.firstBuiltinError;
      c.end();
      spare = c;
      if (failed) throw toPolError(failed);
      return plainResult(v);
    };
    const inputPaths = facts.inputPaths === 'all' ? 'all' as const : [...facts.inputPaths].map(p => JSON.parse(p) as string[]).sort();
    const entry: EntryPoint = {
      path: segs.join('/'),
      inputPaths,
      nondeterministic: facts.nondeterministic,
      readsClock: facts.readsClock,
      cost: facts.cost,
      evaluate(input?: Value, opts?: EvalOptions): Value | undefined {
        // One context serves every evaluation that does not overlap another (the usual case):
        // a builtin host that evaluates again from inside an evaluation gets a fresh one.
        const c = spare;
        if (c === null || opts !== undefined) return evaluateWith(input, opts);
        spare = null;
        c.beginPlain(input);
        const v = run(c);
        c.endPlain();
        spare = c;
        return plainResult(v);
      },
      explain(input?: Value, opts?: EvalOptions): Explanation {
        const t = tracedEntry();
        const c = new Ctx(input, data, host, opts?.strictBuiltinErrors ?? false, opts?.nowNs, opts?.prints, opts?.deadlineMs);
        const tracer = new Tracer();
        c.tracer = tracer;
        let v: Value | undefined;
        try {
          v = t.val(new Array(t.size) as Slots, c);
        } catch (e) { throw toPolError(e); }
        if (c.firstBuiltinError) throw toPolError(c.firstBuiltinError);
        return { result: v === undefined ? undefined : toJSON(v) as Value, rules: tracer.outcomes(sources) };
      },
    };
    // Paths come from requests: past the bound the oldest entry point goes (it is compiled again if asked).
    if (this.entries.size >= MAX_ENTRYPOINTS) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(path, entry);
    return entry;
  }

  evaluate(path: string, input?: Value, opts?: EvalOptions): Value | undefined {
    return this.entrypoint(path).evaluate(input, opts);
  }

  rules(): RuleInfo[] {
    const out: RuleInfo[] = [];
    for (const n of this.program.tree.nodes) {
      const first = n.rules[0] ?? n.defaultRule;
      if (!first) continue;
      out.push({ path: pathText(n.path), keys: [...n.path], file: first.rule.loc.file, line: first.rule.loc.line, function: n.kind === 'function' });
    }
    return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  query(query: string, opts: QueryOptions = {}): QueryResult {
    const r = this.runQuery(query, opts);
    if (r.error) throw r.error;
    return { result: r.rows };
  }

  /**
   * True for a call written as a value (`count(x)`, `1 + 2`, `data.lib.f(1)`): a builtin or user
   * function called with exactly its parameters. Unification, output-argument forms and
   * `print` have no value of their own; their expression value stays `true`.
   */
  private callHasValue(t: Term & { kind: 'call' }): boolean {
    const name = t.name.join('.');
    if (name === 'eq' || name === 'assign' || name === 'print' || name === 'trace') return false;
    const decl = BUILTINS_BY_NAME.get(name);
    if (decl) return !decl.relation && decl.args.length === t.args.length;
    if (t.name[0] !== 'data') return false;
    const node = nodeAt(this.program.tree, t.name.slice(1), false);
    const arity = node?.kind === 'function' ? node.rules[0]?.rule.head.args?.length : undefined;
    return arity === t.args.length;
  }

  /** Runs a query and returns rows and the error together (as OPA's `Query.Run` does). */
  runQuery(query: string, opts: QueryOptions = {}): { rows: QueryResult['result']; error: PolError | undefined } {
    const parsed = parseQuery(query, 'query');
    if (!parsed.value || parsed.diagnostics.length) failWith(parsed.diagnostics, { query });
    // A bare term's value is the expression's value (as `opa eval` shows it), captured in a variable.
    const captures: (string | null)[] = [];
    const body: Expr[] = [];
    parsed.value.forEach((e, i) => {
      const b = e.body;
      const capturedCall = b.kind === 'term' && b.term.kind === 'call' && !e.negated && this.callHasValue(b.term);
      if (b.kind === 'term' && (b.term.kind !== 'call' || capturedCall) && !e.negated) {
        const name = `$q${i}`;
        captures.push(name);
        const v: Term = { kind: 'var', name, loc: e.loc };
        body.push({ ...e, body: { kind: 'term', term: { kind: 'call', name: ['eq'], args: [v, b.term], loc: e.loc } } });
        // A call whose value is false fails the expression (`1 > 2`), as in OPA.
        if (capturedCall) body.push({ ...e, with: [], body: { kind: 'term', term: { kind: 'call', name: ['neq'], args: [v, { kind: 'scalar', value: false, loc: e.loc }], loc: e.loc } } });
        return;
      }
      captures.push(null);
      body.push(e);
    });
    const userVars: string[] = [];
    for (const e of parsed.value) {
      forEachExprTerm(e, t => {
        if (t.kind === 'var' && t.name !== '_' && t.name !== 'input' && t.name !== 'data' && !userVars.includes(t.name)) userVars.push(t.name);
      });
    }
    const checked = checkQuery(this.program, body);
    if (!checked.value) failWith(checked.diagnostics, { query });
    let input: Value | undefined = opts.input;
    if (opts.inputTerm !== undefined) input = this.inputFromTerm(opts.inputTerm);
    const frame = new FrameLayout();
    const scope = new Scope(frame);
    const rows: QueryResult['result'] = [];
    const texts = parsed.value.map(e => ({ text: query.slice(e.loc.offset, e.loc.end), location: { row: e.loc.line, col: e.loc.col } }));
    let step;
    try {
      step = this.compiler.query(checked.value, scope, () => {
        const slots = new Map(scope.ownNames());
        const captureSlots = captures.map(n => (n === null ? -1 : slots.get(n) ?? -1));
        const varSlots = userVars.map(v => [v, slots.get(v)] as const).filter(([, s]) => s !== undefined) as [string, number][];
        return (s: Slots) => {
          const bindings: Record<string, unknown> = {};
          for (const [name, slot] of varSlots) if (s[slot] !== undefined) bindings[displayName(name)] = toJSON(s[slot] as Value);
          rows.push({
            expressions: texts.map((t, i) => ({ value: captureSlots[i]! >= 0 ? toJSON(s[captureSlots[i]!] as Value) : true, ...t })),
            bindings,
          });
          return false;
        };
      });
    } catch (e) { throw toPolError(e); }
    const c = new Ctx(input, this.data, this.host, opts.strictBuiltinErrors ?? false, opts.nowNs, opts.prints, opts.deadlineMs);
    try {
      step(new Array(frame.size) as Slots, c);
    } catch (e) {
      return { rows, error: toPolError(e) };
    }
    return { rows, error: c.firstBuiltinError ? toPolError(c.firstBuiltinError) : undefined };
  }

  private inputFromTerm(text: string): Value {
    const r = parseTerm(text, 'input');
    if (!r.value || r.diagnostics.length) failWith(r.diagnostics, { input: text });
    const lit = literalValue(r.value);
    if (lit !== undefined) return lit;
    const v = this.compiler.value(r.value, new Scope(new FrameLayout()));
    const out = v([], new Ctx(undefined, this.data, this.host, false, undefined, undefined, undefined));
    if (out === undefined) throw new PolError('rego_type_error', 'input term is undefined');
    return out;
  }
}

/** Parses, checks and compiles modules. Throws `PolError` with every diagnostic on failure. */
export function compile(opts: CompileOptions): PreparedPolicy {
  return finish(compileSteps(opts));
}

/** `compile` a unit of work at a time: a statement parsed, a rule checked, a document compiled. */
export function* compileSteps(opts: CompileOptions): Steps<PreparedPolicy> {
  const program = yield* checkSourcesSteps(opts.modules);
  return yield* prepareSteps(program, opts.data ?? {}, opts.host ?? {}, opts.modules, opts.dataDigests);
}

/** Compiles every document up front, so errors surface at compile time, not on first request. */
function* prepareSteps(program: Program, data: Value, host: BuiltinHost, sources: Record<string, string>, digests: DataDigests | undefined): Steps<Prepared> {
  const sourcesHash = createHash('sha256');
  for (const f of Object.keys(sources).sort()) sourcesHash.update(f).update('\0').update(sources[f]!).update('\0');
  const compiler = new Compiler(program);
  yield* compileAllSteps(compiler, program);
  // The revision's share of the data, a container (or a large one's chunk) at a time.
  const dataDigests = digests ?? new DataDigests();
  yield* dataDigests.warmSteps(data);
  return new Prepared(program, data, host, sources, { compiler, sourcesHash, traced: { compiler: undefined, ready: false, preparing: undefined } }, dataDigests);
}

/** Every document and function of `program`, a rule definition at a time (see `Steps`). */
function* compileAllSteps(compiler: Compiler, program: Program): Steps<void> {
  try {
    for (const n of program.tree.nodes) if (n.kind && n.kind !== 'function') { yield* compiler.docOfSteps(n); yield; }
    for (const n of program.tree.nodes) if (n.kind === 'function') { compiler.functionOf(n); yield; }
  } catch (e) { throw toPolError(e); }
}

/**
 * The traced variant of a program that explanations run, compiled on first use (a document at a
 * time as an entry point's explanation needs it, or whole by `prepareExplanations`) and shared by
 * the policy's `withData` copies: traced rules read data when they run, as the others do.
 */
interface TracedProgram {
  compiler: Compiler | undefined;
  /** Every document is compiled: explanations start at once. */
  ready: boolean;
  /** `prepareExplanations` under way. */
  preparing: Promise<void> | undefined;
}

/** One-shot query evaluation in `opa eval --format json` shape. */
export function evalQuery(opts: EvalQueryOptions): QueryResult {
  const prepared = compile({ modules: opts.modules ?? {}, data: opts.data, host: opts.host });
  return prepared.query(opts.query, opts);
}

/** Like `evalQuery` but returns rows and error together, for conformance judging. */
export function evalQueryRaw(opts: EvalQueryOptions): { rows: QueryResult['result']; error: PolError | undefined } {
  let prepared: Prepared;
  try {
    prepared = compile({ modules: opts.modules ?? {}, data: opts.data, host: opts.host }) as Prepared;
  } catch (e) { return { rows: [], error: toPolError(e) }; }
  try {
    return prepared.runQuery(opts.query, opts);
  } catch (e) { return { rows: [], error: toPolError(e) }; }
}
