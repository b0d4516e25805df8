/**
 * One HTTP benchmark scenario: what to load (method, URL path, headers, body) against which
 * server. Each scenario is one file in `scenarios/`, listed in `scenarios/index.ts`; a scenario
 * that needs its own server (a gateway pipeline, a Redis-backed limiter) brings a `start` function.
 */
import type { Listening } from './servers.js';

/** The request autocannon repeats. */
export interface LoadRequest {
  /** Path and query, appended to the server's base URL. */
  path: string;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  headers?: Record<string, string>;
  body?: string;
}

/** Servers shared by several scenarios, started once per run. */
export type SharedServer = 'bare' | 'pol';

export interface HttpScenario {
  /** Short id, e.g. `decide-cached`; `bare` is the baseline every ratio is taken against. */
  id: string;
  /** Row title in bench/RESULTS.md (markdown). */
  title: string;
  /** Position in the table and in the first round. */
  order: number;
  /** A shared server, or a function starting this scenario's own server (closed after the run). */
  server: SharedServer | (() => Promise<Listening>);
  request: LoadRequest;
  /** Target as a fraction of the bare route's req/s, with where it comes from, e.g. issue #4. */
  target?: { ratio: number; source: string };
}

export const JSON_HEADERS = { 'content-type': 'application/json' } as const;
