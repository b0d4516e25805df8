/** `pol version`: the package version and the runtime it runs on. */
import { readFileSync } from 'node:fs';
import { EXIT_OK, type CliIO } from './io.js';

/** The version in package.json (two levels above the compiled `dist/cli/`). */
export function polVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
  return pkg.version ?? 'unknown';
}

export async function runVersion(_argv: string[], io: CliIO): Promise<number> {
  io.stdout(`pol ${polVersion()}\nnode ${process.version} (${process.platform}-${process.arch})\n`);
  return EXIT_OK;
}
