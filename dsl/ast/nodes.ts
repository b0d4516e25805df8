/**
 * The .pol abstract syntax tree. Every node carries a `loc`; structural equality ignores it.
 * The shapes follow Rego's: operators are calls (`x + 1` is `plus(x, 1)`, `x = y` is `eq(x, y)`,
 * `x := y` is `assign(x, y)`, `x in xs` is `internal.member_2(x, xs)`), and refs are a head term
 * followed by path terms (`input.a[x]` is head `input`, path ["a", x]).
 */
import type { Loc } from '../diagnostic.js';

export type Term =
  | Scalar | NumberTerm | Var | Ref | Call
  | ArrayTerm | SetTerm | ObjectTerm
  | ArrayCompr | SetCompr | ObjectCompr;

/** String, boolean or null literal. */
export interface Scalar { kind: 'scalar'; value: string | boolean | null; loc: Loc; raw?: boolean }
/** A number literal kept as written, so integers beyond 2^53 and long decimals are not rounded by the parser. */
export interface NumberTerm { kind: 'number'; text: string; loc: Loc }
/** A variable. `_` is a wildcard: each occurrence is a distinct fresh variable. */
export interface Var { kind: 'var'; name: string; loc: Loc }
/** `head.path[0][path[1]]...`; dotted segments are string scalars. */
export interface Ref { kind: 'ref'; head: Term; path: Term[]; loc: Loc }
/**
 * A call. `name` is the operator or function reference as dotted segments
 * (`["count"]`, `["io","jwt","decode"]`, `["data","lib","f"]`, `["plus"]`).
 * `infix` is the operator as written (`+`, `==`, `:=`, `in`) so the formatter can print it back.
 * A template string (`$"a {x}"`) is a call of `internal.template_string` on its parts, each
 * expression as the set of its values; `template` keeps its source text for the formatter.
 */
export interface Call { kind: 'call'; name: string[]; args: Term[]; loc: Loc; infix?: string; template?: string }
export interface ArrayTerm { kind: 'array'; items: Term[]; loc: Loc }
export interface SetTerm { kind: 'set'; items: Term[]; loc: Loc }
export interface ObjectTerm { kind: 'object'; entries: [Term, Term][]; loc: Loc }
export interface ArrayCompr { kind: 'arraycompr'; head: Term; body: Expr[]; loc: Loc }
export interface SetCompr { kind: 'setcompr'; head: Term; body: Expr[]; loc: Loc }
export interface ObjectCompr { kind: 'objectcompr'; key: Term; value: Term; body: Expr[]; loc: Loc }

/** `with <target> as <value>`; the target is `input...`, `data...` or a function/builtin name. */
export interface With { target: Term; value: Term; loc: Loc }

export type ExprBody =
  | { kind: 'term'; term: Term }
  /** `some x, y` declarations. */
  | { kind: 'some'; vars: Var[] }
  /** `some x in xs` / `some k, v in xs`. `key` is set only in the two-variable form. */
  | { kind: 'somein'; key?: Term; value: Term; collection: Term }
  /** `every v in xs { ... }` / `every k, v in xs { ... }`. */
  | { kind: 'every'; key?: Var; value: Var; domain: Term; body: Expr[] };

export interface Expr { kind: 'expr'; negated: boolean; body: ExprBody; with: With[]; loc: Loc }

export interface RuleHead {
  /**
   * The rule's reference relative to its package: the name then any further segments,
   * e.g. `a.b[x]` is [Scalar "a", Scalar "b", Var x]. `p[k] := v` is [Scalar "p", k] with value v.
   */
  ref: Term[];
  /** Function parameters when the rule is a function (`f(x, y) := ...`). */
  args?: Term[];
  /** `p contains key` (multi-value rule). */
  key?: Term;
  /** The value after `:=` or `=`; absent means `true`. */
  value?: Term;
  /** `:=` (true) or `=` (false); meaningful only when `value` is set. */
  assign: boolean;
  contains: boolean;
  loc: Loc;
}

export interface Rule {
  kind: 'rule';
  default: boolean;
  head: RuleHead;
  /** Empty for a rule without body (`p := 1`, `default p := false`). */
  body: Expr[];
  /** `else` branch: its head holds only `value` (and the function args are the parent's). */
  else?: Rule;
  /** True when the body was written (`if { }` or `{ }`), false for `p := 1`. */
  hasBody: boolean;
  loc: Loc;
}

export interface Import { path: Ref | Var; alias?: string; loc: Loc }
export interface Package { path: string[]; loc: Loc }
export interface Comment { text: string; loc: Loc }

export interface Module {
  kind: 'module';
  file: string;
  package: Package;
  imports: Import[];
  rules: Rule[];
  comments: Comment[];
}

/** Canonical OPA-style names for operators; the parser emits these, the engine implements them. */
export const OPERATORS = {
  '+': 'plus', '-': 'minus', '*': 'mul', '/': 'div', '%': 'rem',
  '|': 'or', '&': 'and',
  '==': 'equal', '!=': 'neq', '<': 'lt', '<=': 'lte', '>': 'gt', '>=': 'gte',
  '=': 'eq', ':=': 'assign',
} as const;
export const MEMBER_2 = 'internal.member_2';
export const MEMBER_3 = 'internal.member_3';
