/**
 * The load generator: one child process (`load-child.ts`) kept for a whole run, one load per
 * request line, so it never shares an event loop with the servers and autocannon starts once.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { LoadOptions, LoadSummary } from './load-child.js';

const CHILD = fileURLToPath(new URL('./load-child.js', import.meta.url));

export class LoadGenerator {
  private readonly child: ChildProcess;
  private buffer = '';
  private stderr = '';
  private pending: { resolve(s: LoadSummary): void; reject(e: Error): void } | undefined;
  private exited: Error | undefined;

  constructor() {
    this.child = spawn(process.execPath, [CHILD], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      this.buffer += d;
      const nl = this.buffer.indexOf('\n');
      if (nl < 0 || !this.pending) return;
      const line = this.buffer.slice(0, nl);
      this.buffer = this.buffer.slice(nl + 1);
      const p = this.pending;
      this.pending = undefined;
      try { p.resolve(JSON.parse(line) as LoadSummary); } catch (e) { p.reject(e as Error); }
    });
    this.child.stderr!.setEncoding('utf8').on('data', (d: string) => { this.stderr = (this.stderr + d).slice(-2000); });
    const fail = (e: Error) => { this.exited = e; this.pending?.reject(e); this.pending = undefined; };
    this.child.on('error', fail);
    this.child.on('exit', code => fail(new Error(`load generator exited with ${code}: ${this.stderr.slice(-500)}`)));
  }

  run(opts: LoadOptions): Promise<LoadSummary> {
    if (this.exited) return Promise.reject(this.exited);
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.child.stdin!.write(JSON.stringify(opts) + '\n');
    });
  }

  async close(): Promise<void> {
    if (this.exited) return;
    const done = new Promise<void>(r => this.child.once('exit', () => r()));
    this.child.stdin!.end();
    await done;
  }
}


/** The median of a run's figures (the mean of the middle two for an even count). */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
