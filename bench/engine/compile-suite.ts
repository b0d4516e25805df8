/** Compile benchmarks: parse + check + compile of 10, 1,000 and 10,000-rule policies, each in a fresh process. */
import { fileURLToPath } from 'node:url';
import { describeAttempt, runWithRetry, type Attempt } from './child.js';
import type { CompileResult } from './compile-worker.js';

export const COMPILE_SIZES = [10, 1000, 10000] as const;

export interface CompileRun { rules: number; result?: CompileResult; crashes: Attempt[]; flags: string[] }

const WORKER = fileURLToPath(new URL('./compile-worker.js', import.meta.url));

export async function runCompileSuite(opts: { quick: boolean; log: (line: string) => void; sizes?: readonly number[] }): Promise<CompileRun[]> {
  const out: CompileRun[] = [];
  for (const rules of opts.sizes ?? COMPILE_SIZES) {
    const repeats = opts.quick ? 1 : 5;
    const { result, crashes, flags } = await runWithRetry<CompileResult>(WORKER, [String(rules), String(repeats)], opts.quick ? 120_000 : 600_000);
    for (const c of crashes) opts.log(`  compile ${rules}: CRASHED ${describeAttempt(c)}`);
    opts.log(result ? `  compile ${rules} rules: cold ${result.coldMs.toFixed(0)} ms, warm ${result.compileMs.toFixed(0)} ms` : `  compile ${rules}: FAILED ${crashes.length} times`);
    out.push({ rules, result, crashes, flags });
  }
  return out;
}
