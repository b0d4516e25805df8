/**
 * Compile benchmark for one policy size in a fresh process:
 * `node compile-worker.js <rules> <repeats>`. The first compile is the cold one a server pays at
 * start-up; the repeats give the warm figures. Memory is the heap retained by the compiled policy.
 * The background figures are those of a server reloading the policy: `compileInSlices` with the
 * server's slice, and the longest the event loop waited meanwhile (a request's worst wait).
 */
import { compile, compileInSlices, type PreparedPolicy } from '../../engine/index.js';
import { COMPILE_SLICE_MS } from '../../server/policy-store/store.js';
import { parseModule, checkModules } from '../../dsl/index.js';
import { RESULT_PREFIX } from './child.js';
import type { PlainObject } from '../../engine/value.js';
import { rbacDocuments, scaleData } from './workloads/rbac-data.js';
import { scalePolicy } from './workloads/scale.js';

export interface CompileResult {
  rules: number;
  sourceBytes: number;
  coldMs: number;
  parseMs: number;
  checkMs: number;
  compileMs: number;
  /** Warm, in slices as the server compiles a reload: the whole compile's time and the longest the event loop waited. */
  backgroundMs: number;
  longestPauseMs: number;
  retainedBytes: number | null;
}

type GC = () => void;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function timed<T>(fn: () => T): [T, number] {
  const t0 = process.hrtime.bigint();
  const v = fn();
  return [v, Number(process.hrtime.bigint() - t0) / 1e6];
}

/** Time to compile in slices, and the longest gap between turns of the event loop meanwhile. */
async function inBackground(modules: Record<string, string>, data: PlainObject): Promise<[number, number]> {
  let longest = 0, last = performance.now(), done = false;
  const tick = (): void => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
    if (!done) setImmediate(tick);
  };
  setImmediate(tick);
  const t0 = performance.now();
  (await compileInSlices({ modules, data }, COMPILE_SLICE_MS)).entrypoint('scale/allow');
  const ms = performance.now() - t0;
  done = true;
  longest = Math.max(longest, performance.now() - last);
  return [ms, longest];
}

async function run(rules: number, repeats: number): Promise<CompileResult> {
  const data = scaleData(rules);
  const source = scalePolicy(data);
  const modules = { 'scale.pol': source };
  const docs = { user_roles: rbacDocuments(data).user_roles };
  const gc = (globalThis as { gc?: GC }).gc;

  gc?.(); gc?.();
  const base = process.memoryUsage().heapUsed;
  const [cold, coldMs] = timed(() => { const p = compile({ modules, data: docs }); p.entrypoint('scale/allow'); return p; });
  gc?.(); gc?.();
  const retainedBytes = gc ? process.memoryUsage().heapUsed - base : null;
  keep(cold);

  const parse: number[] = [], check: number[] = [], full: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const [parsed, p] = timed(() => parseModule('scale.pol', source));
    parse.push(p);
    if (!parsed.value) throw new Error(`parse failed: ${JSON.stringify(parsed.diagnostics.slice(0, 3))}`);
    const mod = parsed.value;
    check.push(timed(() => checkModules([mod]))[1]);
    full.push(timed(() => compile({ modules, data: docs }).entrypoint('scale/allow'))[1]);
  }
  const background: number[] = [], pauses: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const [ms, pause] = await inBackground(modules, docs);
    background.push(ms);
    pauses.push(pause);
  }
  return {
    rules, sourceBytes: Buffer.byteLength(source), coldMs, retainedBytes,
    parseMs: median(parse), checkMs: median(check), compileMs: median(full),
    backgroundMs: median(background), longestPauseMs: median(pauses),
  };
}

/** Holds a reference so the compiled policy stays alive until its size has been read. */
let kept: PreparedPolicy | undefined;
function keep(p: PreparedPolicy): void { kept = p; }

try {
  const [rulesText, repeatsText] = process.argv.slice(2);
  const result = await run(Number(rulesText), Number(repeatsText ?? 3));
  process.stdout.write(RESULT_PREFIX + JSON.stringify(result) + '\n');
  if (kept === undefined) process.exitCode = 1;
} catch (e) {
  process.stderr.write(`${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
  process.exitCode = 1;
}
