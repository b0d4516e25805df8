/**
 * The keys a Data API URL names below its prefix, read as OPA reads them: each `/` segment is
 * one key, percent-decoded on its own (`a%2Fb` is the key `a/b`), empty segments skipped. Shared
 * by the queries (`/v1/data`, `/v0/data`) and the writes, so both name the same document.
 */
import { HttpError } from './errors.js';

export function documentKeys(rest: string): string[] {
  const out: string[] = [];
  for (const text of rest.split('/')) {
    if (text === '') continue;
    if (!text.includes('%')) { out.push(text); continue; }
    try {
      out.push(decodeURIComponent(text));
    } catch {
      throw new HttpError('invalid_parameter', 'the document path has a malformed percent escape');
    }
  }
  return out;
}

/** Whether the document at `path` (keys below `data`) is `prefix` or lies below it. */
export function startsWith(path: readonly string[], prefix: readonly string[]): boolean {
  if (path.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (path[i] !== prefix[i]) return false;
  return true;
}
