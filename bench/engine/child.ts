/** Runs a benchmark worker script in a child node process and picks out its `RESULT` line. */
import { spawn } from 'node:child_process';

export const RESULT_PREFIX = 'RESULT ';

/** Node flags for measuring: `gc()` for heap figures, and a young generation large enough that a heap stretch sees no scavenge. */
export const WORKER_NODE_FLAGS = ['--expose-gc', '--max-semi-space-size=128'];

export interface ChildOutcome<T> {
  result?: T;
  /** Why the child produced no result: exit code or signal and the V8 reason or the tail of its stderr. */
  failure?: string;
  /** The child was killed for running past its time limit. */
  timedOut?: boolean;
}

/** The essentials of a crashed child's stderr: V8's fatal reason and the native frame it died in, or the last lines. */
export function crashSummary(stderr: string): string {
  // A V8 abort prints its reason between `#` lines, then a native stack: keep the reason and the
  // first V8 frame that names a function (e.g. `Deoptimizer::DoComputeBuiltinContinuation`).
  const fatal = /#\s*Fatal error[^\n]*\n#\s*([^\n]+)/.exec(stderr);
  if (fatal) {
    const frames = [...stderr.matchAll(/^\s*\d+: 0x[0-9a-f]+ v8::internal::([A-Za-z_:]+)/gm)].map(m => m[1]!);
    return `V8 fatal error "${fatal[1]!.trim()}"${frames.length ? ` in ${frames[0]}` : ''}`;
  }
  return stderr.trim().split('\n').slice(-6).join(' | ');
}

export function runChild<T>(script: string, args: string[], timeoutMs: number, extraFlags: readonly string[] = [], baseFlags: readonly string[] = WORKER_NODE_FLAGS): Promise<ChildOutcome<T>> {
  return new Promise(resolve => {
    const child = spawn(process.execPath, [...baseFlags, ...extraFlags, script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '', timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; if (stderr.length > 64_000) stderr = stderr.slice(-32_000); });
    const timer = setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const line = stdout.split('\n').find(l => l.startsWith(RESULT_PREFIX));
      if (code === 0 && line) {
        try {
          resolve({ result: JSON.parse(line.slice(RESULT_PREFIX.length)) as T });
          return;
        } catch { /* reported below */ }
      }
      const tail = crashSummary(stderr);
      const how = timedOut ? `killed after the ${timeoutMs / 1000} s time limit` : signal ? `killed by ${signal}` : `exit code ${code}`;
      resolve({ failure: `${how}${line ? '' : ', no result'}${tail ? `: ${tail}` : ''}`, timedOut });
    });
  });
}

/**
 * Flags added for the last rerun, after a crash and a crash of a fresh process with the same flags.
 * Without TurboFan inlining the optimised code of the glue around a crashing call is simpler (and
 * slower); the flags a result was measured with are always reported next to it.
 */
export const RERUN_NODE_FLAGS = ['--no-turbo-inlining'];

/** One failed attempt: the flags it ran with (beyond the base flags) and what happened. */
export interface Attempt { flags: string[]; failure: string }

export interface RetryOutcome<T> {
  result?: T;
  /** Failed attempts before the result (or all of them when there is none), each described. */
  crashes: Attempt[];
  /** Flags (beyond `WORKER_NODE_FLAGS`) of the process whose result this is, or of the last attempt. */
  flags: string[];
}

/**
 * Runs a child; when it crashes, reruns it in a fresh process with the same flags (V8 aborts are
 * often timing-dependent), and when that crashes too, once more with `RERUN_NODE_FLAGS` added.
 * At most three attempts; two timeouts end the attempts early. Every failed attempt is returned
 * in `crashes` with its flags, never hidden.
 */
export async function runWithRetry<T>(script: string, args: string[], timeoutMs: number, extraFlags: readonly string[] = [], baseFlags: readonly string[] = WORKER_NODE_FLAGS): Promise<RetryOutcome<T>> {
  const plan = [[...extraFlags], [...extraFlags], [...extraFlags, ...RERUN_NODE_FLAGS.filter(f => !extraFlags.includes(f))]];
  const crashes: Attempt[] = [];
  let timeouts = 0;
  for (const flags of plan) {
    const out = await runChild<T>(script, args, timeoutMs, flags, baseFlags);
    if (out.result !== undefined) return { result: out.result, crashes, flags };
    crashes.push({ flags, failure: out.failure ?? 'unknown failure' });
    if (out.timedOut && ++timeouts >= 2) break;
  }
  return { crashes, flags: crashes[crashes.length - 1]?.flags ?? [...extraFlags] };
}

/** One failed attempt and its flags, for logs and reports. */
export function describeAttempt(a: Attempt): string {
  return `${a.flags.length ? `with \`${a.flags.join(' ')}\`` : 'with no extra flags'}: ${a.failure}`;
}
