/**
 * Compile benchmark for one policy size in a fresh process:
 * `node compile-worker.js <rules> <repeats>`. The first compile is the cold one a server pays at
 * start-up; the repeats give the warm figures. Memory is the heap retained by the compiled policy.
 */
import { compile, type PreparedPolicy } from '../../engine/index.js';
import { parseModule, checkModules } from '../../dsl/index.js';
import { RESULT_PREFIX } from './child.js';
import { rbacDocuments, scaleData } from './workloads/rbac-data.js';
import { scalePolicy } from './workloads/scale.js';

export interface CompileResult {
  rules: number;
  sourceBytes: number;
  coldMs: number;
  parseMs: number;
  checkMs: number;
  compileMs: number;
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

function run(rules: number, repeats: number): CompileResult {
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
  return {
    rules, sourceBytes: Buffer.byteLength(source), coldMs, retainedBytes,
    parseMs: median(parse), checkMs: median(check), compileMs: median(full),
  };
}

/** Holds a reference so the compiled policy stays alive until its size has been read. */
let kept: PreparedPolicy | undefined;
function keep(p: PreparedPolicy): void { kept = p; }

try {
  const [rulesText, repeatsText] = process.argv.slice(2);
  const result = run(Number(rulesText), Number(repeatsText ?? 3));
  process.stdout.write(RESULT_PREFIX + JSON.stringify(result) + '\n');
  if (kept === undefined) process.exitCode = 1;
} catch (e) {
  process.stderr.write(`${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
  process.exitCode = 1;
}
