/** Runs a benchmark worker script in a child node process and picks out its `RESULT` line. */
import { spawn } from 'node:child_process';

export const RESULT_PREFIX = 'RESULT ';

/** Node flags for measuring: `gc()` for heap figures, and a young generation large enough that a heap stretch sees no scavenge. */
export const WORKER_NODE_FLAGS = ['--expose-gc', '--max-semi-space-size=128'];

export interface ChildOutcome<T> {
  result?: T;
  /** Why the child produced no result: exit code or signal and the tail of its stderr. */
  failure?: string;
}

export function runChild<T>(script: string, args: string[], timeoutMs: number, extraFlags: string[] = []): Promise<ChildOutcome<T>> {
  return new Promise(resolve => {
    const child = spawn(process.execPath, [...WORKER_NODE_FLAGS, ...extraFlags, script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; if (stderr.length > 64_000) stderr = stderr.slice(-32_000); });
    const timer = setTimeout(() => { child.kill('SIGKILL'); }, timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const line = stdout.split('\n').find(l => l.startsWith(RESULT_PREFIX));
      if (code === 0 && line) {
        try {
          resolve({ result: JSON.parse(line.slice(RESULT_PREFIX.length)) as T });
          return;
        } catch { /* reported below */ }
      }
      // A V8 abort prints its reason between `#` lines, then a native stack: keep the reason.
      const fatal = /#\s*Fatal error[^\n]*\n#\s*([^\n]+)/.exec(stderr);
      const tail = fatal ? `V8 fatal error "${fatal[1]!.trim()}"` : stderr.trim().split('\n').slice(-6).join(' | ');
      const how = signal ? `killed by ${signal}${signal === 'SIGKILL' ? ` (timeout ${timeoutMs} ms?)` : ''}` : `exit code ${code}`;
      resolve({ failure: `${how}${line ? '' : ', no result'}${tail ? `: ${tail}` : ''}` });
    });
  });
}

/**
 * Flags for the rerun. Node 20's V8 aborts some long timing loops with a fatal "unreachable code"
 * in `Deoptimizer::DoComputeBuiltinContinuation` (seen with cedar-wasm's glue code); without
 * TurboFan inlining that deoptimisation path is not taken. The rerun's flags are reported.
 */
export const RERUN_NODE_FLAGS = ['--no-turbo-inlining'];

/**
 * Runs a child and, when it crashes, once more with `RERUN_NODE_FLAGS`. A rerun is reported in
 * `crashes`, never hidden.
 */
export async function runWithRetry<T>(script: string, args: string[], timeoutMs: number, extraFlags: string[] = []): Promise<{ result?: T; crashes: string[] }> {
  const crashes: string[] = [];
  for (let attempt = 0; attempt < 2; attempt++) {
    const out = await runChild<T>(script, args, timeoutMs, attempt === 0 ? extraFlags : [...extraFlags, ...RERUN_NODE_FLAGS]);
    if (out.result !== undefined) return { result: out.result, crashes };
    crashes.push(`${attempt === 0 ? '' : `rerun with ${RERUN_NODE_FLAGS.join(' ')}: `}${out.failure ?? 'unknown failure'}`);
  }
  return { crashes };
}
