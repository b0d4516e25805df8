/** Runs `pol` in-process against temporary files and captures what it prints. */
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { main } from '../../cli/pol.js';
import type { CliIO } from '../../cli/io.js';

export interface CliRun { code: number; stdout: string; stderr: string }

export async function pol(argv: string[], cwd: string): Promise<CliRun> {
  let stdout = '', stderr = '';
  const io: CliIO = { stdout: t => { stdout += t; }, stderr: t => { stderr += t; }, cwd };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

/** A temporary directory holding `files` (paths relative to it); removed by `cleanup`. */
export function tempTree(files: Record<string, string>): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'pol-cli-'));
  for (const [rel, text] of Object.entries(files)) {
    const full = join(dir, rel);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, text);
  }
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
