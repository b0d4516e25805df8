/**
 * The .pol grammar (Rego v1 syntax) as a pure chevrotain CST parser: no AST building here
 * (see to-ast.ts), only the shape of the language and the few context rules Rego needs:
 *
 * - A reference continues with `.name`, `[expr]` or `(args)` only when written without whitespace
 *   before the `.`/`[`/`(` (`x [0]` is two terms, as in OPA).
 * - Expressions in a body are separated by `;` or by a line break. An expression continues onto
 *   the next line only when that line starts with an infix operator (`+`, `==`, `in`, ...) or the
 *   expression is still inside brackets, parentheses or braces; this is OPA's rule too.
 * - A keyword directly followed by `.` or `[` is a name (`not.foo`, `contains.x[y]`), and any
 *   keyword may follow a `.` in a reference (`input.in`, `foo.not`).
 * - Infix operators are parsed as one flat list per expression; precedence is applied when the
 *   AST is built, which keeps the parser shallow and fast.
 * - `[x | ...]`, `{x | ...}` and `{k: v | ...}` are comprehensions when a `|` appears at the top
 *   level of the brackets before any `,`; the head expression then stops at that `|`.
 *
 * chevrotain's token-level error recovery is off: the driver (parse.ts) splits a module into
 * statements and parses each on its own, so every broken statement is reported once, the others
 * are still checked, and no re-synchronisation guesses produce follow-up errors.
 */
import { CstParser, tokenMatcher, type IToken, type TokenType } from 'chevrotain';
import type { PolToken } from '../lexer/index.js';
import * as T from '../lexer/tokens.js';

const OPENERS = new Set<TokenType>([T.LBrack, T.LBrace, T.LParen]);
const CLOSERS = new Set<TokenType>([T.RBrack, T.RBrace, T.RParen]);

export class PolGrammar extends CstParser {
  /** The `|` that ends the head of the comprehension being parsed; infix chains stop there. */
  private stopBar: IToken | undefined;

  constructor() {
    super(T.ALL_TOKENS, { recoveryEnabled: false, maxLookahead: 3, nodeLocationTracking: 'none' });
    this.performSelfAnalysis();
  }

  /** True when the token at `k` is a keyword used as a name: directly followed by `.` or `[`. */
  private kwRef(k: number): boolean {
    const t = this.LA(k);
    if (!tokenMatcher(t, T.Keyword)) return false;
    const n = this.LA(k + 1);
    return (n.tokenType === T.Dot || n.tokenType === T.LBrack) && n.startOffset === (t.endOffset ?? t.startOffset) + 1;
  }

  /** True when the next token touches the previous one (no whitespace between them). */
  private adjacent(): boolean {
    const prev = this.LA(0);
    const next = this.LA(1);
    return next.startOffset === (prev.endOffset ?? prev.startOffset) + 1;
  }

  private isKw(k: number, type: TokenType): boolean {
    return this.LA(k).tokenType === type && !this.kwRef(k);
  }

  /** A new expression may start here: after `;`, or on a new line that does not close the body. */
  private canContinueBody(): boolean {
    const t = this.LA(1) as PolToken;
    if (t.tokenType === T.Semi) return true;
    return t.nl === true && !CLOSERS.has(t.tokenType) && t.tokenType.name !== 'EOF';
  }

  /** Finds the top-level `|` of a bracketed term if it comes before any top-level `,`. */
  private findComprehensionBar(): IToken | undefined {
    let depth = 0;
    for (let k = 1; ; k++) {
      const t = this.LA(k);
      const type = t.tokenType;
      if (type.name === 'EOF') return undefined;
      if (OPENERS.has(type)) depth++;
      else if (CLOSERS.has(type)) { if (depth === 0) return undefined; depth--; }
      else if (depth === 0) {
        if (type === T.Comma) return undefined;
        if (type === T.Bar) return t;
      }
    }
  }

  // ---- module structure ----

  public module = this.RULE('module', () => {
    this.MANY(() => this.SUBRULE(this.statement));
  });

  public statement = this.RULE('statement', () => {
    this.OR({
      IGNORE_AMBIGUITIES: true,
      DEF: [
        { GATE: () => this.isKw(1, T.Package), ALT: () => this.SUBRULE(this.packageDecl) },
        { GATE: () => this.isKw(1, T.Import), ALT: () => this.SUBRULE(this.importDecl) },
        { ALT: () => this.SUBRULE(this.rule) },
      ],
    });
  });

  public packageDecl = this.RULE('packageDecl', () => {
    this.CONSUME(T.Package);
    this.SUBRULE(this.operand);
  });

  public importDecl = this.RULE('importDecl', () => {
    this.CONSUME(T.Import);
    this.SUBRULE(this.operand);
    this.OPTION(() => {
      this.CONSUME(T.As);
      this.CONSUME(T.Name);
    });
  });

  public rule = this.RULE('rule', () => {
    this.OPTION({ GATE: () => this.isKw(1, T.Default), DEF: () => this.CONSUME(T.Default) });
    this.SUBRULE(this.ruleHead);
    this.OPTION2(() => this.SUBRULE(this.ruleBody));
    this.MANY({ GATE: () => this.isKw(1, T.Else), DEF: () => this.SUBRULE(this.elseClause) });
  });

  public ruleHead = this.RULE('ruleHead', () => {
    this.CONSUME(T.Name);
    this.MANY(() => this.SUBRULE(this.headSuffix));
    this.OPTION(() => {
      this.OR({
        IGNORE_AMBIGUITIES: true,
        DEF: [
          { GATE: () => this.isKw(1, T.Contains), ALT: () => { this.CONSUME(T.Contains); this.SUBRULE(this.exprKV); } },
          { ALT: () => { this.CONSUME(T.Assign); this.SUBRULE2(this.exprKV); } },
          { ALT: () => { this.CONSUME(T.Unify); this.SUBRULE3(this.exprKV); } },
          // Not valid Rego: parsed so that the AST builder can explain the mistake.
          { ALT: () => { this.CONSUME(T.EqEq); this.SUBRULE4(this.exprKV); } },
        ],
      });
    });
  });

  public ruleBody = this.RULE('ruleBody', () => {
    this.OR({
      IGNORE_AMBIGUITIES: true,
      DEF: [
        {
          GATE: () => this.isKw(1, T.If),
          ALT: () => {
            this.CONSUME(T.If);
            this.OR2({
              IGNORE_AMBIGUITIES: true,
              DEF: [
                { ALT: () => { this.CONSUME(T.LBrace); this.SUBRULE(this.body); this.CONSUME(T.RBrace); } },
                { ALT: () => this.SUBRULE(this.literal) },
              ],
            });
          },
        },
        // v0 syntax (`p { ... }`), rejected with a targeted message when the AST is built.
        { ALT: () => { this.CONSUME2(T.LBrace); this.SUBRULE2(this.body); this.CONSUME2(T.RBrace); } },
      ],
    });
  });

  public elseClause = this.RULE('elseClause', () => {
    this.CONSUME(T.Else);
    this.OPTION(() => {
      this.OR([
        { ALT: () => this.CONSUME(T.Assign) },
        { ALT: () => this.CONSUME(T.Unify) },
      ]);
      this.SUBRULE(this.exprKV);
    });
    this.OPTION2({
      GATE: () => this.isKw(1, T.If) || this.LA(1).tokenType === T.LBrace,
      DEF: () => this.SUBRULE(this.ruleBody),
    });
  });

  // ---- bodies and expressions ----

  public body = this.RULE('body', () => {
    this.SUBRULE(this.literal);
    this.MANY({
      GATE: () => this.canContinueBody(),
      DEF: () => {
        this.OPTION(() => this.CONSUME(T.Semi));
        this.SUBRULE2(this.literal);
      },
    });
  });

  /**
   * `[not] lhs [(:= | =) rhs]`, where each side is a chain or `k, v in xs`. The statement is
   * written out here rather than through exprKV, because most of a policy is literals and every
   * rule level costs time in a large file.
   */
  public literal = this.RULE('literal', () => {
    this.OR({
      IGNORE_AMBIGUITIES: true,
      DEF: [
        { GATE: () => this.isKw(1, T.Some), ALT: () => this.SUBRULE(this.someDecl) },
        { GATE: () => this.isKw(1, T.Every), ALT: () => this.SUBRULE(this.everyExpr) },
        {
          ALT: () => {
            this.OPTION({ GATE: () => this.isKw(1, T.Not), DEF: () => this.CONSUME(T.Not) });
            this.SUBRULE(this.chain);
            this.OPTION2(() => { this.CONSUME(T.Comma); this.SUBRULE2(this.chain); });
            this.OPTION3(() => {
              this.OR2([
                { ALT: () => this.CONSUME(T.Assign) },
                { ALT: () => this.CONSUME(T.Unify) },
              ]);
              this.SUBRULE3(this.chain);
              this.OPTION4(() => { this.CONSUME2(T.Comma); this.SUBRULE4(this.chain); });
            });
          },
        },
      ],
    });
    this.MANY({ GATE: () => this.isKw(1, T.With), DEF: () => this.SUBRULE(this.withClause) });
  });

  public someDecl = this.RULE('someDecl', () => {
    this.CONSUME(T.Some);
    this.SUBRULE(this.chain);
    this.MANY(() => {
      this.CONSUME(T.Comma);
      this.SUBRULE2(this.chain);
    });
  });

  public everyExpr = this.RULE('everyExpr', () => {
    this.CONSUME(T.Every);
    this.SUBRULE(this.exprKV);
    this.CONSUME(T.LBrace);
    this.SUBRULE(this.body);
    this.CONSUME(T.RBrace);
  });

  public withClause = this.RULE('withClause', () => {
    this.CONSUME(T.With);
    this.SUBRULE(this.operand);
    this.CONSUME(T.As);
    this.SUBRULE(this.exprKV);
  });

  /** An infix chain, optionally `k, v in xs` (OPA allows the key/value form wherever a full expression is expected). */
  public exprKV = this.RULE('exprKV', () => {
    this.SUBRULE(this.chain);
    this.OPTION(() => {
      this.CONSUME(T.Comma);
      this.SUBRULE2(this.chain);
    });
  });

  /** Operands and infix operators in source order; precedence is applied by the AST builder. */
  public chain = this.RULE('chain', () => {
    this.SUBRULE(this.operand);
    this.MANY({
      GATE: () => {
        const t = this.LA(1);
        return t !== this.stopBar && !(t.tokenType === T.In && this.kwRef(1));
      },
      DEF: () => {
        this.CONSUME(T.BinOp);
        this.SUBRULE2(this.operand);
      },
    });
  });

  public operand = this.RULE('operand', () => {
    this.OR({
      IGNORE_AMBIGUITIES: true,
      DEF: [
        { GATE: () => this.kwRef(1), ALT: () => this.CONSUME(T.Keyword) },
        { ALT: () => this.CONSUME(T.Ident) },
        { ALT: () => this.CONSUME(T.Contains) },
        { ALT: () => this.CONSUME(T.NumberLit) },
        // `.5`, which OPA accepts as 0.5 (the number must touch the dot).
        { GATE: () => this.LA(2).startOffset === this.LA(1).startOffset + 1, ALT: () => { this.CONSUME3(T.Dot); this.CONSUME2(T.NumberLit); } },
        { ALT: () => this.CONSUME(T.StringLit) },
        { ALT: () => this.CONSUME(T.RawString) },
        { ALT: () => this.CONSUME(T.TemplateString) },
        { ALT: () => this.CONSUME(T.True) },
        { ALT: () => this.CONSUME(T.False) },
        { ALT: () => this.CONSUME(T.Null) },
        { ALT: () => { this.CONSUME(T.Minus); this.SUBRULE(this.operand); } },
        { ALT: () => { this.CONSUME(T.LParen); this.SUBRULE(this.exprKV); this.CONSUME(T.RParen); } },
        { ALT: () => this.SUBRULE(this.arrayTerm) },
        { ALT: () => this.SUBRULE(this.braceTerm) },
        // Reported by the lexer layer; accepted here so one unterminated string is one error.
        { ALT: () => this.CONSUME(T.UnterminatedString) },
        { ALT: () => this.CONSUME(T.UnterminatedRawString) },
        { ALT: () => this.CONSUME(T.UnterminatedTemplate) },
      ],
    });
    // Reference suffixes are inlined (not a subrule) for speed; the AST builder orders them by offset.
    this.MANY({
      GATE: () => this.adjacent(),
      DEF: () => {
        this.OR2([
          { ALT: () => { this.CONSUME(T.Dot); this.CONSUME2(T.Name); } },
          { ALT: () => { this.CONSUME2(T.LBrack); this.SUBRULE2(this.exprKV); this.CONSUME2(T.RBrack); } },
          { ALT: () => this.SUBRULE(this.callArgs) },
        ]);
      },
    });
  });

  /** `.name`, `[expr]` and `(args)` after a rule head's name. */
  public headSuffix = this.RULE('headSuffix', () => {
    this.OR([
      { ALT: () => { this.CONSUME(T.Dot); this.CONSUME(T.Name); } },
      { ALT: () => { this.CONSUME(T.LBrack); this.SUBRULE(this.exprKV); this.CONSUME(T.RBrack); } },
      { ALT: () => this.SUBRULE(this.callArgs) },
    ]);
  });

  public callArgs = this.RULE('callArgs', () => {
    this.CONSUME(T.LParen);
    this.OPTION(() => this.SUBRULE(this.list));
    this.CONSUME(T.RParen);
  });

  /** `a, b, c` with an optional trailing comma. */
  public list = this.RULE('list', () => {
    this.SUBRULE(this.chain);
    this.MANY(() => {
      this.CONSUME(T.Comma);
      this.SUBRULE2(this.chain);
    });
    this.OPTION(() => this.CONSUME2(T.Comma));
  });

  public arrayTerm = this.RULE('arrayTerm', () => {
    const saved = this.stopBar;
    this.CONSUME(T.LBrack);
    this.ACTION(() => { this.stopBar = this.findComprehensionBar(); });
    this.OPTION(() => {
      this.SUBRULE(this.chain);
      this.OR([
        { ALT: () => { this.CONSUME(T.Bar); this.SUBRULE(this.body); } },
        {
          ALT: () => {
            this.MANY(() => { this.CONSUME(T.Comma); this.SUBRULE2(this.chain); });
            this.OPTION2(() => this.CONSUME2(T.Comma));
          },
        },
      ]);
    });
    this.ACTION(() => { this.stopBar = saved; });
    this.CONSUME(T.RBrack);
  });

  public braceTerm = this.RULE('braceTerm', () => {
    const saved = this.stopBar;
    this.CONSUME(T.LBrace);
    this.ACTION(() => { this.stopBar = this.findComprehensionBar(); });
    this.OPTION(() => {
      this.SUBRULE(this.chain);
      this.OR([
        {
          ALT: () => {
            this.CONSUME(T.Colon);
            this.SUBRULE2(this.chain);
            this.OR2([
              { ALT: () => { this.CONSUME(T.Bar); this.SUBRULE(this.body); } },
              {
                ALT: () => {
                  this.MANY(() => {
                    this.CONSUME(T.Comma);
                    this.SUBRULE3(this.chain);
                    this.CONSUME2(T.Colon);
                    this.SUBRULE4(this.chain);
                  });
                  this.OPTION2(() => this.CONSUME2(T.Comma));
                },
              },
            ]);
          },
        },
        { ALT: () => { this.CONSUME2(T.Bar); this.SUBRULE2(this.body); } },
        {
          ALT: () => {
            this.MANY2(() => { this.CONSUME3(T.Comma); this.SUBRULE5(this.chain); });
            this.OPTION3(() => this.CONSUME4(T.Comma));
          },
        },
      ]);
    });
    this.ACTION(() => { this.stopBar = saved; });
    this.CONSUME(T.RBrace);
  });

  // ---- entry points for queries and terms ----

  public query = this.RULE('query', () => {
    this.SUBRULE(this.body);
  });

  public termOnly = this.RULE('termOnly', () => {
    this.SUBRULE(this.exprKV);
  });
}

let shared: PolGrammar | undefined;

/** The one parser instance (self-analysis is costly; the instance is reset for every input). */
export function grammar(): PolGrammar {
  shared ??= new PolGrammar();
  return shared;
}
