/**
 * Template strings: `$"text {expr} text"` (one line, string escapes) and `` $`text {expr}` ``
 * (raw, may span lines). `\{` writes a literal brace in both. The scanner needs the whole template
 * as one token, so an expression's own strings, raw strings, nested templates and braces are
 * skipped while looking for the `}` that ends it.
 */

/** One piece of a template: literal text (escapes still encoded) or an expression's source. */
export type TemplatePart =
  | { kind: 'text'; start: number; end: number }
  | { kind: 'expr'; start: number; end: number };

export interface TemplateScan {
  /** Offset just past the closing quote, or where scanning stopped when the template is unterminated. */
  end: number;
  closed: boolean;
  /** Why it is not closed, for the error message. */
  problem?: 'unterminated' | 'unclosed-expression' | 'too-deep';
  parts: TemplatePart[];
}

/** Templates inside template expressions, at most (each level is parsed on its own). */
export const MAX_TEMPLATE_NESTING = 16;

const BACKSLASH = 0x5c, LBRACE = 0x7b, RBRACE = 0x7d, DQUOTE = 0x22, BACKTICK = 0x60, DOLLAR = 0x24, NEWLINE = 0x0a, CR = 0x0d, HASH = 0x23;

/** Scans the template starting at `start` (the `$`). */
export function scanTemplate(text: string, start: number, depth = 0): TemplateScan {
  if (depth >= MAX_TEMPLATE_NESTING) return { end: text.length, closed: false, problem: 'too-deep', parts: [] };
  const quote = text.charCodeAt(start + 1);
  const raw = quote === BACKTICK;
  const parts: TemplatePart[] = [];
  const n = text.length;
  let i = start + 2;
  let textStart = i;
  const closeText = () => { if (i > textStart) parts.push({ kind: 'text', start: textStart, end: i }); };
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === quote) {
      closeText();
      return { end: i + 1, closed: true, parts };
    }
    if (!raw && (c === NEWLINE || c === CR)) break;
    if (c === BACKSLASH) {
      // Raw templates know one escape, `\{`; a backslash before anything else is itself.
      if (!raw || text.charCodeAt(i + 1) === LBRACE) { i += 2; continue; }
      i++;
      continue;
    }
    if (c === LBRACE) {
      closeText();
      const exprStart = i + 1;
      const exprEnd = skipExpression(text, exprStart, depth);
      if (exprEnd === TOO_DEEP) return { end: n, closed: false, problem: 'too-deep', parts };
      if (exprEnd < 0) return { end: n, closed: false, problem: 'unclosed-expression', parts };
      parts.push({ kind: 'expr', start: exprStart, end: exprEnd });
      i = exprEnd + 1;
      textStart = i;
      continue;
    }
    i++;
  }
  closeText();
  return { end: i, closed: false, problem: 'unterminated', parts };
}

const TOO_DEEP = -2;

/** The offset of the `}` that closes an expression starting at `i`, -1 if none, TOO_DEEP. */
function skipExpression(text: string, i: number, depthOfTemplate: number): number {
  const n = text.length;
  let depth = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === RBRACE) {
      if (depth === 0) return i;
      depth--;
      i++;
    } else if (c === LBRACE) {
      depth++;
      i++;
    } else if (c === DQUOTE) {
      i++;
      while (i < n && text.charCodeAt(i) !== DQUOTE) {
        const d = text.charCodeAt(i);
        if (d === NEWLINE || d === CR) return -1;
        i += d === BACKSLASH ? 2 : 1;
      }
      i++;
    } else if (c === BACKTICK) {
      const close = text.indexOf('`', i + 1);
      if (close < 0) return -1;
      i = close + 1;
    } else if (c === DOLLAR && (text.charCodeAt(i + 1) === DQUOTE || text.charCodeAt(i + 1) === BACKTICK)) {
      const inner = scanTemplate(text, i, depthOfTemplate + 1);
      if (inner.problem === 'too-deep') return TOO_DEEP;
      if (!inner.closed) return -1;
      i = inner.end;
    } else if (c === HASH) {
      // A comment runs to the end of the line, braces and all.
      while (i < n && text.charCodeAt(i) !== NEWLINE) i++;
    } else i++;
  }
  return -1;
}

/**
 * A template's literal text with its escapes decoded: `\{` is a brace; in `$"..."` the other
 * escapes are a string literal's (decoded by `decodeEscapes`, given each stretch and its offset
 * in `text`), in a raw template a backslash before anything but `{` is itself.
 */
export function templateText(text: string, raw: boolean, decodeEscapes: (s: string, offset: number) => string): string {
  if (raw) return text.replace(/\\\{/g, '{');
  // Split on `\{` so the string decoder never sees it (it is not a string escape).
  let out = '';
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) !== BACKSLASH) continue;
    if (text.charCodeAt(i + 1) === LBRACE) {
      out += decodeEscapes(text.slice(from, i), from) + '{';
      from = i + 2;
    }
    i++;
  }
  return out + decodeEscapes(text.slice(from), from);
}
