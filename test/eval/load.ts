/** Finds the evaluation-case files and the list of known engine bugs, both kept in the source tree. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadYaml } from './yaml.js';
import { validateCaseFile, type CaseFileResult } from './schema.js';

// Compiled to dist/test/eval/: the YAML files stay in test/eval/ of the repository.
const repoRoot = resolve(fileURLToPath(new URL('../../../', import.meta.url)));
export const evalDir = resolve(repoRoot, 'test', 'eval');
export const casesDir = join(evalDir, 'cases');
export const knownBugsFile = join(evalDir, 'KNOWN_ENGINE_BUGS.md');

export interface CaseFile extends CaseFileResult { file: string }

/** Every `cases/*.yaml` file, validated; a file that does not parse becomes one error. */
export function loadCaseFiles(dir = casesDir): CaseFile[] {
  const names = readdirSync(dir).filter(n => n.endsWith('.yaml') || n.endsWith('.yml')).sort();
  return names.map(file => {
    const stem = file.replace(/\.ya?ml$/, '');
    let doc: unknown;
    try {
      doc = loadYaml(readFileSync(join(dir, file), 'utf8'), file);
    } catch (e) {
      return { file, cases: [], errors: [`YAML: ${(e as Error).message}`] };
    }
    return { file, ...validateCaseFile(doc, stem) };
  });
}

/**
 * Case ids marked as engine bugs, from the markdown list items written as
 * ``- `<file stem>/<note>` — diagnosis``.
 */
export function parseKnownBugs(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^\s*[-*]\s+`([^`]+)`\s*(?:—|–|-|:)\s*(.*)$/.exec(line);
    if (m) out.set(m[1]!, m[2]!.trim() || 'known engine bug');
  }
  return out;
}

export function readKnownBugs(file = knownBugsFile): Map<string, string> {
  return existsSync(file) ? parseKnownBugs(readFileSync(file, 'utf8')) : new Map();
}
