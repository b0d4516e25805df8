/**
 * `regex.globs_match`: do two glob-style expressions (`.`, `*`, `+`, `[a-z]`, `\` escapes) match a
 * common non-empty string? Each expression is a sequence of single-character steps, optionally
 * repeated; the question is answered by a search over pairs of positions (a product automaton),
 * which is linear in the product of the two lengths.
 */
import { builtinError } from './check.js';

interface Step { ranges: [number, number][]; star: boolean }

const ANY: [number, number][] = [[0, 0x10ffff]];

function invalid(input: string, pos: number, what: string): Error {
  return builtinError('regex.globs_match', `input:${input}, pos:${pos}, ${what}: the input provided is invalid`);
}

function parse(input: string): Step[] {
  const cs = [...input];
  const steps: Step[] = [];
  for (let i = 0; i < cs.length; i++) {
    const c = cs[i]!;
    if (c === '*' || c === '+') {
      const prev = steps[steps.length - 1];
      if (!prev || prev.star) throw invalid(input, i + 1, `quantifier '${c}' with nothing to repeat`);
      if (c === '*') prev.star = true;
      else steps.push({ ranges: prev.ranges, star: true });
      continue;
    }
    if (c === ']') throw invalid(input, i + 1, "set-close ']' with no preceding '['");
    if (c === '.') { steps.push({ ranges: ANY, star: false }); continue; }
    if (c === '\\') {
      const e = cs[++i];
      if (e === undefined) throw invalid(input, i, "escape '\\' at end of input");
      steps.push({ ranges: [[e.codePointAt(0)!, e.codePointAt(0)!]], star: false });
      continue;
    }
    if (c === '[') {
      const ranges: [number, number][] = [];
      let j = i + 1;
      for (; j < cs.length && cs[j] !== ']'; j++) {
        let lo = cs[j]!;
        if (lo === '\\' && j + 1 < cs.length) lo = cs[++j]!;
        if (cs[j + 1] === '-' && j + 2 < cs.length && cs[j + 2] !== ']') {
          let hi = cs[j + 2]!;
          j += 2;
          if (hi === '\\' && j + 1 < cs.length) hi = cs[++j]!;
          ranges.push([lo.codePointAt(0)!, hi.codePointAt(0)!]);
        } else {
          ranges.push([lo.codePointAt(0)!, lo.codePointAt(0)!]);
        }
      }
      if (j >= cs.length) throw invalid(input, i + 1, "set-open '[' with no closing ']'");
      steps.push({ ranges, star: false });
      i = j;
      continue;
    }
    steps.push({ ranges: [[c.codePointAt(0)!, c.codePointAt(0)!]], star: false });
  }
  return steps;
}

function overlap(a: [number, number][], b: [number, number][]): boolean {
  for (const [x1, y1] of a) for (const [x2, y2] of b) if (x1 <= y2 && x2 <= y1) return true;
  return false;
}

export function globsIntersect(g1: string, g2: string): boolean {
  const a = parse(g1), b = parse(g2);
  // State: positions i in a, j in b, and whether a character has been consumed yet.
  const seen = new Set<number>();
  const stack: [number, number, number][] = [[0, 0, 0]];
  const width = (b.length + 1) * 2;
  while (stack.length > 0) {
    const [i, j, used] = stack.pop()!;
    const key = i * width + j * 2 + used;
    if (seen.has(key)) continue;
    seen.add(key);
    if (i === a.length && j === b.length && used) return true;
    const sa = a[i], sb = b[j];
    if (sa?.star) stack.push([i + 1, j, used]);
    if (sb?.star) stack.push([i, j + 1, used]);
    if (sa && sb && overlap(sa.ranges, sb.ranges)) {
      stack.push([sa.star ? i : i + 1, sb.star ? j : j + 1, 1]);
    }
  }
  return false;
}
