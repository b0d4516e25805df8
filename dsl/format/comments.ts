/**
 * Comment placement for the formatter. Comments are not in the tree: they are emitted from a queue
 * ordered by position, before the first statement or body expression that follows them (leading)
 * or at the end of the line of the node they share a source line with (trailing). A comment inside
 * a term (e.g. in a one-line array) moves to just before the next expression, so none is lost.
 */
import type { Comment } from '../ast/nodes.js';

export class CommentQueue {
  private i = 0;
  private readonly lineStarts: number[] = [0];

  constructor(private readonly comments: Comment[], source: string) {
    for (let k = 0; k < source.length; k++) if (source.charCodeAt(k) === 10) this.lineStarts.push(k + 1);
  }

  /** 1-based line of a source offset. */
  lineOf(offset: number): number {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid]! <= offset) lo = mid; else hi = mid - 1;
    }
    return lo + 1;
  }

  /** Removes and returns the comments that start before `offset`. */
  takeBefore(offset: number): Comment[] {
    const out: Comment[] = [];
    while (this.i < this.comments.length && this.comments[this.i]!.loc.offset < offset) out.push(this.comments[this.i++]!);
    return out;
  }

  /**
   * Removes and returns the next comment if it sits on the line where a node ends (`end`), after
   * the node and before the next sibling starts (`nextStart`).
   */
  takeTrailing(end: number, nextStart = Infinity): Comment | undefined {
    const c = this.comments[this.i];
    if (c && c.loc.offset >= end && c.loc.offset < nextStart && c.loc.line === this.lineOf(Math.max(0, end - 1))) {
      this.i++;
      return c;
    }
    return undefined;
  }

  rest(): Comment[] { return this.takeBefore(Infinity); }
}

export const commentText = (c: Comment): string => '#' + c.text.replace(/\s+$/, '');
