/**
 * Explanations: which rule bodies were tried during a decision, which produced a value, and for
 * those that did not, the first expression that failed. Only the separately compiled, traced
 * program records anything, so ordinary decisions pay nothing for this.
 */
import type { Loc } from '../../dsl/diagnostic.js';

export interface TracedRule {
  /** `data.pkg.rule` */
  rule: string;
  loc: Loc;
  /** Expressions of the body in evaluation order. */
  exprs: Loc[];
}

export interface RuleOutcome {
  rule: string;
  file: string;
  line: number;
  matched: boolean;
  /** For a body that produced nothing: where it stopped. */
  failedAt?: { file: string; line: number; col: number; text: string };
}

export class Tracer {
  private readonly deepest = new Map<TracedRule, number>();
  reach(rule: TracedRule, index: number): void {
    const d = this.deepest.get(rule);
    if (d === undefined || index > d) this.deepest.set(rule, index);
  }
  outcomes(sources: Record<string, string>): RuleOutcome[] {
    const out: RuleOutcome[] = [];
    for (const [r, d] of this.deepest) {
      const o: RuleOutcome = { rule: r.rule, file: r.loc.file, line: r.loc.line, matched: d >= r.exprs.length };
      if (!o.matched) {
        const at = r.exprs[d]!;
        const src = sources[at.file];
        o.failedAt = { file: at.file, line: at.line, col: at.col, text: src ? src.slice(at.offset, at.end).replace(/\s+/g, ' ') : '' };
      }
      out.push(o);
    }
    return out.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line));
  }
}
