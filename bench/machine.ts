/** Facts about the machine and the software versions, for the report header. */
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { cpus, totalmem, release, platform, arch, loadavg } from 'node:os';

/** The commit measured, and whether the working tree had uncommitted changes (numbers then describe those). */
export function gitRevision(): string {
  const root = new URL('../../', import.meta.url);
  try {
    const opts = { cwd: root, encoding: 'utf8' as const, stdio: ['ignore', 'pipe', 'ignore'] as ['ignore', 'pipe', 'ignore'] };
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], opts).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], opts).trim() !== '';
    return dirty ? `${head} with uncommitted changes` : head;
  } catch {
    return 'unknown (not a git checkout)';
  }
}

export interface MachineFacts {
  cpu: string;
  cores: number;
  memoryGiB: number;
  os: string;
  node: string;
  v8: string;
  load: string;
  revision: string;
  packages: Record<string, string>;
}

/** Installed version of a package, read from its own package.json under the repository's node_modules. */
export function packageVersion(name: string): string {
  try {
    const url = new URL(`../../node_modules/${name}/package.json`, import.meta.url);
    return (JSON.parse(readFileSync(url, 'utf8')) as { version: string }).version;
  } catch {
    return 'not installed';
  }
}

export function machineFacts(extra: Record<string, string> = {}): MachineFacts {
  const list = cpus();
  const pol = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return {
    cpu: list[0]?.model.trim() ?? 'unknown',
    cores: list.length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    os: `${platform()} ${release()} (${arch()})`,
    node: process.version,
    v8: process.versions.v8,
    load: loadavg().map(l => l.toFixed(2)).join(' '),
    revision: gitRevision(),
    packages: {
      pol: pol.version,
      '@cedar-policy/cedar-wasm': packageVersion('@cedar-policy/cedar-wasm'),
      casbin: packageVersion('casbin'),
      ...extra,
    },
  };
}
