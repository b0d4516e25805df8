/** A small line diff in unified format (enough for `pol fmt --diff`). */

type Op = { kind: ' ' | '-' | '+'; line: string };

/** Above this many cells the LCS table is not worth it: the whole file is shown as replaced. */
const MAX_CELLS = 16_000_000;
const CONTEXT = 3;

function lineOps(a: string[], b: string[]): Op[] {
  const n = a.length, m = b.length;
  if (n * m > MAX_CELLS) return [...a.map(line => ({ kind: '-' as const, line })), ...b.map(line => ({ kind: '+' as const, line }))];
  // lcs[i][j] = length of the longest common subsequence of a[i..] and b[j..].
  const lcs: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    }
  }
  const ops: Op[] = [];
  let i = 0, j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) { ops.push({ kind: ' ', line: a[i]! }); i++; j++; }
    else if (lcs[i + 1]![j]! >= lcs[i]![j + 1]!) ops.push({ kind: '-', line: a[i++]! });
    else ops.push({ kind: '+', line: b[j++]! });
  }
  while (i < n) ops.push({ kind: '-', line: a[i++]! });
  while (j < m) ops.push({ kind: '+', line: b[j++]! });
  return ops;
}

function splitLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** Unified diff of `before` → `after` labelled with `file`; empty when they are equal. */
export function unifiedDiff(file: string, before: string, after: string): string {
  if (before === after) return '';
  const ops = lineOps(splitLines(before), splitLines(after));
  const out = [`--- ${file}`, `+++ ${file} (formatted)`];
  let k = 0;
  // Line numbers (1-based) in each file of ops[k].
  const posA: number[] = [], posB: number[] = [];
  let la = 1, lb = 1;
  for (const op of ops) {
    posA.push(la); posB.push(lb);
    if (op.kind !== '+') la++;
    if (op.kind !== '-') lb++;
  }
  while (k < ops.length) {
    if (ops[k]!.kind === ' ') { k++; continue; }
    const start = Math.max(0, k - CONTEXT);
    let end = k;
    // Extend the hunk while the next change is within 2 × CONTEXT unchanged lines.
    for (;;) {
      while (end < ops.length && ops[end]!.kind !== ' ') end++;
      let next = end;
      while (next < ops.length && ops[next]!.kind === ' ') next++;
      if (next < ops.length && next - end <= 2 * CONTEXT) { end = next; continue; }
      end = Math.min(ops.length, end + CONTEXT);
      break;
    }
    const hunk = ops.slice(start, end);
    const countA = hunk.filter(o => o.kind !== '+').length;
    const countB = hunk.filter(o => o.kind !== '-').length;
    const startA = countA ? posA[start]! : posA[start]! - 1;
    const startB = countB ? posB[start]! : posB[start]! - 1;
    out.push(`@@ -${startA},${countA} +${startB},${countB} @@`);
    for (const o of hunk) out.push(o.kind + o.line);
    k = end;
  }
  return out.join('\n') + '\n';
}
