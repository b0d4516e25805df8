/**
 * Every message the lexer, parser and AST builder report, in one place. Messages are lowercase,
 * one line, with user text in backticks; `help` says what to write instead.
 */
export interface Msg { message: string; help?: string }

const q = (s: string) => '`' + s.replace(/`/g, "'").replace(/[\r\n]+/g, ' ') + '`';
const clip = (s: string) => (s.length > 40 ? s.slice(0, 37) + '...' : s);

export const MSG = {
  unexpectedChar: (ch: string): Msg => ({
    message: `unexpected character ${q(clip(ch))}`,
    help: ch.startsWith('!') ? 'write `not x` to negate and `!=` for inequality'
      : ch.startsWith("'") ? 'strings use double quotes (`"text"`) or backticks for raw strings'
      : undefined,
  }),
  logicalWord: (word: string): Msg => ({
    message: `unexpected ${q(word)}: Rego has no boolean operators`,
    help: word === 'and' || word === '&&'
      ? 'write each condition on its own line (or separate them with `;`): all must hold'
      : 'write one rule per alternative: a rule holds when any of its definitions does',
  }),
  loneDollar: (): Msg => ({
    message: 'unexpected `$`',
    help: 'a template string starts with `$"` or `$`` (e.g. `$"user {input.user}"`)',
  }),
  unterminatedTemplate: (): Msg => ({
    message: 'unterminated template string',
    help: 'close the template string with its quote, and each `{expression}` with `}` (write a literal brace as `\\{`)',
  }),
  templateTooDeep: (max: number): Msg => ({ message: `template strings are nested more than ${max} deep`, help: 'build the inner parts as separate rules or variables' }),
  incompleteTemplateExpression: (): Msg => ({ message: 'incomplete template-string expression: it ends at `}`' }),
  templateExpression: (): Msg => ({
    message: 'invalid template-string expression',
    help: 'a template expression is one value, e.g. `{input.user}`, `{count(x) + 1}` or `{f(x) with input as y}`',
  }),
  unterminatedString: (): Msg => ({
    message: 'unterminated string',
    help: 'close the string with `"` on the same line, or use a raw string in backticks for multi-line text',
  }),
  unterminatedRawString: (): Msg => ({ message: 'unterminated raw string', help: 'close the raw string with a backtick' }),
  invalidEscape: (esc: string): Msg => ({
    message: `invalid escape ${q(esc)} in string`,
    help: 'valid escapes are \\" \\\\ \\/ \\b \\f \\n \\r \\t and \\uXXXX',
  }),
  leadingZero: (text: string): Msg => ({ message: `number ${q(text)} has a leading zero` }),
  numberTooBig: (text: string): Msg => ({ message: `number ${q(clip(text))} is too big` }),
  unaryMinus: (): Msg => ({
    message: 'unary minus applies only to number literals',
    help: 'write `0 - x` to negate a value',
  }),

  unexpectedEof: (): Msg => ({ message: 'unexpected end of file' }),
  unexpectedToken: (tok: string, expected?: string): Msg => ({
    message: expected ? `unexpected ${q(clip(tok))}, expected ${expected}` : `unexpected ${q(clip(tok))}`,
  }),
  unexpectedKeyword: (kw: string): Msg => ({
    message: `unexpected keyword ${q(kw)}`,
    help: `a keyword can be a name only after a dot (\`input.${kw}\`) or directly before \`.\` or \`[\` (\`${kw}.x\`)`,
  }),
  unmatchedOpen: (open: string): Msg => ({ message: `unmatched ${q(open)}`, help: `add the closing ${q(closerOf(open))}` }),
  unmatchedClose: (close: string): Msg => ({ message: `unexpected ${q(close)} without a matching opening bracket` }),
  mismatchedClose: (open: string, close: string): Msg => ({
    message: `${q(open)} is closed by ${q(close)}`,
    help: `close it with ${q(closerOf(open))}`,
  }),
  tooDeep: (): Msg => ({ message: 'expression nesting is too deep' }),
  tooManyOperators: (max: number): Msg => ({ message: `expression has more than ${max} operators`, help: 'split it into several expressions' }),
  missingSeparator: (tok: string): Msg => ({
    message: `unexpected ${q(clip(tok))}: expressions must be separated by \`;\` or a new line`,
  }),
  misplacedAssign: (op: string): Msg => ({
    message: `unexpected ${q(op)}: assignment and unification are only allowed at the top level of an expression`,
    help: op === ':=' ? 'use `==` to compare values; `x := value` declares a local variable' : 'use `==` to compare values',
  }),
  missingOperand: (tok: string, op: string): Msg => ({ message: `unexpected ${q(clip(tok))}: missing operand after ${q(op)}` }),
  incompleteLine: (tok: string): Msg => ({
    message: `line ends with ${q(tok)}, so the next line was read as its continuation`,
    help: `complete the expression after ${q(tok)}`,
  }),
  incompleteExpr: (expected?: string): Msg => ({ message: expected ? `incomplete expression, expected ${expected}` : 'incomplete expression' }),
  emptyBody: (): Msg => ({ message: 'found empty body', help: 'remove the braces, or add an expression such as `true`' }),

  missingPackage: (): Msg => ({ message: 'missing `package` declaration', help: 'start the file with `package <name>`' }),
  duplicatePackage: (): Msg => ({ message: 'unexpected `package`: a file declares exactly one package' }),
  packagePath: (): Msg => ({ message: 'package path must be a name followed by `.name` or `["name"]` segments' }),
  importPath: (): Msg => ({ message: 'import path must be a name followed by `.name` or `["name"]` segments' }),
  importRoot: (root: string): Msg => ({
    message: `unexpected import path, must begin with one of: \`data\`, \`input\`, \`future\`, \`rego\`, got ${q(root)}`,
  }),
  importKeywordTail: (name: string): Msg => ({
    message: `unexpected import path, must not end with a keyword, got ${q(name)}`,
    help: 'import a different path or use an alias',
  }),
  importAliasKeyword: (name: string): Msg => ({ message: `unexpected import alias, must not be a keyword, got ${q(name)}` }),
  futureImport: (): Msg => ({ message: 'invalid import, must be `future.keywords` or `future.keywords.<keyword>`' }),
  futureKeyword: (kw: string): Msg => ({ message: `unexpected keyword ${q(kw)}, must be one of \`contains\`, \`every\`, \`if\`, \`in\`` }),
  futureAlias: (): Msg => ({ message: '`future` imports cannot be aliased' }),
  regoImport: (): Msg => ({ message: 'invalid import, must be `rego.v1`' }),

  missingIf: (name: string): Msg => ({
    message: `\`if\` keyword is required before rule body`,
    help: `write \`${name} if { ... }\` (Rego v1 syntax)`,
  }),
  v0PartialSet: (name: string, key: string): Msg => ({
    message: '`contains` keyword is required for partial set rules',
    help: `write \`${name} contains ${key} if { ... }\``,
  }),
  eqeqAtHead: (name: string): Msg => ({
    message: `unexpected \`==\` in rule head`,
    help: `use \`:=\` to define a value: \`${name} := ...\``,
  }),
  ruleNeedsBodyOrValue: (name: string): Msg => ({
    message: `rule ${q(name)} has neither a value nor a body`,
    help: `write \`${name} := <value>\` or \`${name} if { ... }\``,
  }),
  headAfterCall: (): Msg => ({ message: 'function arguments must come last in a rule head' }),
  containsWithArgs: (name: string): Msg => ({
    message: `the \`contains\` keyword can only be used with multi-value rule definitions (e.g., \`${name} contains <VALUE> if { ... }\`)`,
  }),
  defaultNoValue: (): Msg => ({ message: 'illegal default rule (must have a value)', help: 'write `default p := <value>`' }),
  defaultValue: (what: string): Msg => ({ message: `illegal default rule (value cannot contain ${what})` }),
  defaultArgs: (what: string): Msg => ({ message: `illegal default rule (arguments cannot contain ${what})` }),
  defaultRepeatedArg: (name: string): Msg => ({ message: `illegal default rule (arguments cannot be repeated ${name})` }),
  defaultBody: (): Msg => ({ message: 'default rules cannot have a body' }),
  elseVarHead: (): Msg => ({ message: 'else keyword cannot be used on rules with variables in head' }),
  elseMultiValue: (): Msg => ({ message: 'else keyword cannot be used on multi-value rules' }),
  elseDefault: (): Msg => ({ message: 'else keyword cannot be used on default rules' }),
  elseNeedsValueOrBody: (): Msg => ({ message: 'expected else value term or rule body', help: 'write `else := <value>` or `else := <value> if { ... }`' }),
  ruleHeadRef: (): Msg => ({ message: 'rule head must be a name followed by `.name` or `[term]` segments' }),

  someNegated: (): Msg => ({ message: 'illegal negation of `some`' }),
  everyNegated: (): Msg => ({ message: 'illegal negation of `every`' }),
  someForm: (): Msg => ({ message: 'expected `some x`, `some x, y`, `some x in xs` or `some k, v in xs`' }),
  everyForm: (): Msg => ({ message: 'expected `every x in xs { ... }` or `every k, v in xs { ... }`' }),
  everyKeyVar: (): Msg => ({ message: 'every: expected key to be a variable' }),
  everyValueVar: (): Msg => ({ message: 'every: expected value to be a variable' }),
  keyValueIn: (): Msg => ({ message: 'expected `in` after `key, value`', help: 'write `k, v in xs`' }),
  withTarget: (): Msg => ({ message: 'expected with target path (`input...`, `data...` or a function name)' }),
  callTarget: (): Msg => ({ message: 'only named functions can be called (e.g. `f(x)`, `io.jwt.decode(t)`)' }),
  illegalRefHead: (what: string): Msg => ({ message: `illegal ref (head cannot be ${what})` }),
};

export function closerOf(open: string): string {
  return open === '(' ? ')' : open === '[' ? ']' : '}';
}
