/**
 * Token definitions for .pol (Rego v1 syntax). Keywords are their own token types but also belong
 * to the `Name` category, because Rego lets keywords appear as reference segments (`foo.not`,
 * `input.in`) and, when directly followed by `.` or `[`, as the head of a reference (`not.foo`).
 */
import { createToken, Lexer, type TokenType } from 'chevrotain';

export const Name = createToken({ name: 'Name', pattern: Lexer.NA });
export const Keyword = createToken({ name: 'Keyword', pattern: Lexer.NA });
/** Every infix operator, so the parser keeps them in source order in one CST list. */
export const BinOp = createToken({ name: 'BinOp', pattern: Lexer.NA });

export const WhiteSpace = createToken({ name: 'WhiteSpace', pattern: /[ \t\r\n\f\v\u00a0\ufeff]+/, group: Lexer.SKIPPED, line_breaks: true });
export const Comment = createToken({ name: 'Comment', pattern: /#[^\n\r]*/, group: 'comments' });

export const Ident = createToken({ name: 'Ident', pattern: /[A-Za-z_][A-Za-z0-9_]*/, categories: [Name] });

function keyword(word: string, extra: TokenType[] = []): TokenType {
  return createToken({
    name: word === 'in' ? 'In' : word[0]!.toUpperCase() + word.slice(1),
    pattern: new RegExp(word),
    longer_alt: Ident,
    categories: [Name, Keyword, ...extra],
  });
}

export const Package = keyword('package');
export const Import = keyword('import');
export const As = keyword('as');
export const Default = keyword('default');
export const If = keyword('if');
export const Else = keyword('else');
export const Contains = keyword('contains');
export const Some = keyword('some');
export const Every = keyword('every');
export const In = keyword('in', [BinOp]);
export const Not = keyword('not');
export const With = keyword('with');
export const True = keyword('true');
export const False = keyword('false');
export const Null = keyword('null');

export const KEYWORD_TOKENS = [Package, Import, As, Default, If, Else, Contains, Some, Every, In, Not, With, True, False, Null];

/** A JSON-style string: escapes are validated when the AST is built, so the message can point at them. */
export const StringLit = createToken({ name: 'StringLit', pattern: /"(?:[^"\\\n\r]|\\[^\n\r])*"/ });
/** A string missing its closing quote on the same line; reported with a targeted message. */
export const UnterminatedString = createToken({ name: 'UnterminatedString', pattern: /"(?:[^"\\\n\r]|\\[^\n\r])*\\?/ });
export const RawString = createToken({ name: 'RawString', pattern: /`[^`]*`/, line_breaks: true });
export const UnterminatedRawString = createToken({ name: 'UnterminatedRawString', pattern: /`[^`]*/, line_breaks: true });
export const NumberLit = createToken({ name: 'NumberLit', pattern: /[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/ });

export const Assign = createToken({ name: 'Assign', pattern: /:=/ });
export const EqEq = createToken({ name: 'EqEq', pattern: /==/, categories: [BinOp] });
export const Neq = createToken({ name: 'Neq', pattern: /!=/, categories: [BinOp] });
export const Lte = createToken({ name: 'Lte', pattern: /<=/, categories: [BinOp] });
export const Gte = createToken({ name: 'Gte', pattern: />=/, categories: [BinOp] });
export const Lt = createToken({ name: 'Lt', pattern: /</, categories: [BinOp] });
export const Gt = createToken({ name: 'Gt', pattern: />/, categories: [BinOp] });
export const Unify = createToken({ name: 'Unify', pattern: /=/ });
export const Plus = createToken({ name: 'Plus', pattern: /\+/, categories: [BinOp] });
export const Minus = createToken({ name: 'Minus', pattern: /-/, categories: [BinOp] });
export const Star = createToken({ name: 'Star', pattern: /\*/, categories: [BinOp] });
export const Slash = createToken({ name: 'Slash', pattern: /\//, categories: [BinOp] });
export const Percent = createToken({ name: 'Percent', pattern: /%/, categories: [BinOp] });
export const Bar = createToken({ name: 'Bar', pattern: /\|/, categories: [BinOp] });
export const Amp = createToken({ name: 'Amp', pattern: /&/, categories: [BinOp] });
export const Colon = createToken({ name: 'Colon', pattern: /:/ });
export const Comma = createToken({ name: 'Comma', pattern: /,/ });
export const Semi = createToken({ name: 'Semi', pattern: /;/ });
export const Dot = createToken({ name: 'Dot', pattern: /\./ });
export const LParen = createToken({ name: 'LParen', pattern: /\(/ });
export const RParen = createToken({ name: 'RParen', pattern: /\)/ });
export const LBrack = createToken({ name: 'LBrack', pattern: /\[/ });
export const RBrack = createToken({ name: 'RBrack', pattern: /\]/ });
export const LBrace = createToken({ name: 'LBrace', pattern: /\{/ });
export const RBrace = createToken({ name: 'RBrace', pattern: /\}/ });
/** A `$` that starts no template string: not part of .pol; lexed to report it clearly. */
export const Dollar = createToken({ name: 'Dollar', pattern: /\$/ });
/** `$"... {expr} ..."` and `` $`...` ``, scanned whole by the scanner (see lexer/template.ts). */
export const TemplateString = createToken({ name: 'TemplateString', pattern: Lexer.NA, line_breaks: true });
/** A template string that does not close (or one of its expressions does not). */
export const UnterminatedTemplate = createToken({ name: 'UnterminatedTemplate', pattern: Lexer.NA, line_breaks: true });

/** Order matters: longer operators before their prefixes, keywords before identifiers. */
export const ALL_TOKENS: TokenType[] = [
  WhiteSpace, Comment,
  StringLit, UnterminatedString, RawString, UnterminatedRawString, NumberLit,
  ...KEYWORD_TOKENS, Ident,
  Assign, EqEq, Neq, Lte, Gte, Lt, Gt, Unify,
  Plus, Minus, Star, Slash, Percent, Bar, Amp,
  Colon, Comma, Semi, Dot, LParen, RParen, LBrack, RBrack, LBrace, RBrace, Dollar,
  TemplateString, UnterminatedTemplate, Name, Keyword, BinOp,
];
