/** Shared set-up for server tests: fixture policies copied to a temp dir, apps built from config fragments. */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { buildApp, resolveConfig, type BuildOptions } from '../../server/index.js';

/** The fixture directory (sources live outside dist/, two levels above dist/test/server). */
export const FIXTURES = fileURLToPath(new URL('../../../test/fixtures/server/', import.meta.url));

/** A private copy of the fixture policies, removed by the returned cleanup. */
export function fixtureCopy(): { dir: string; cleanup: () => void } {
  const root = mkdtempSync(join(tmpdir(), 'pol-server-'));
  const dir = join(root, 'policies');
  cpSync(join(FIXTURES, 'policies'), dir, { recursive: true });
  return { dir, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

/** Builds an app over a fresh copy of the fixture policies, with `overrides` merged into the config. */
export async function makeApp(overrides: Record<string, unknown> = {}, opts: BuildOptions = {}): Promise<{ app: FastifyInstance; dir: string; close: () => Promise<void> }> {
  const { dir, cleanup } = fixtureCopy();
  const policies = { dir, watch: false, ...(overrides.policies as object | undefined) };
  let app: FastifyInstance;
  try {
    app = buildApp(resolveConfig({ ...overrides, policies }), { logger: false, ...opts });
  } catch (e) { cleanup(); throw e; }
  await app.pol.initialLoad;
  return { app, dir, close: async () => { await app.close(); cleanup(); } };
}

/** Parses a JSON response body. */
export function json(body: string): any { // eslint-disable-line @typescript-eslint/no-explicit-any
  return JSON.parse(body);
}

/**
 * I/O for `runServe` in tests: collected output, a stop signal, and the URL it listens on once it
 * does.
 */
export function serveIO() {
  let out = '', err = '';
  let stop!: () => void;
  const stopSignal = new Promise<void>(r => { stop = r; });
  let listening!: (url: string) => void;
  const url = new Promise<string>(r => { listening = r; });
  return { io: { stdout: (t: string) => { out += t; }, stderr: (t: string) => { err += t; }, stopSignal, onListening: listening }, stop, url, out: () => out, err: () => err };
}
