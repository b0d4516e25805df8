/**
 * Decision-for-decision agreement between engines on a workload's request set: the floor is the
 * reference, and any engine that decides one request differently is reported with examples.
 */
import { ENGINES, type EngineName, type Workload } from './workload.js';

export interface Disagreement {
  workload: string;
  engine: EngineName;
  /** How many requests the engine decided differently from the floor. */
  count: number;
  /** The first few, with the floor's decision. */
  examples: { index: number; request: unknown; floor: boolean; engine: boolean }[];
}

/** Decisions as a compact string of `1` (allow) and `0` (deny), cheap to send between processes. */
export function decisionString(decide: (r: unknown) => boolean, requests: unknown[]): string {
  let s = '';
  for (const r of requests) s += decide(r) ? '1' : '0';
  return s;
}

export function compareDecisions(workload: string, engine: EngineName, requests: unknown[], floor: string, other: string): Disagreement | undefined {
  if (floor === other) return undefined;
  const examples: Disagreement['examples'] = [];
  let count = 0;
  for (let i = 0; i < Math.max(floor.length, other.length); i++) {
    if (floor[i] === other[i]) continue;
    count++;
    if (examples.length < 3) examples.push({ index: i, request: requests[i], floor: floor[i] === '1', engine: other[i] === '1' });
  }
  return { workload, engine, count, examples };
}

/** Runs every engine of `workload` in this process over `count` requests and compares with the floor. */
export async function checkAgreement(workload: Workload, count: number, engines: readonly EngineName[] = ENGINES): Promise<Disagreement[]> {
  const requests = workload.requests(count);
  const floor = decisionString(await workload.engines.floor(), requests);
  const out: Disagreement[] = [];
  for (const engine of engines) {
    if (engine === 'floor') continue;
    const d = compareDecisions(workload.id, engine, requests, floor, decisionString(await workload.engines[engine](), requests));
    if (d) out.push(d);
  }
  return out;
}

export function describeDisagreement(d: Disagreement): string {
  const ex = d.examples.map(e => `  #${e.index}: floor=${e.floor ? 'allow' : 'deny'} ${d.engine}=${e.engine ? 'allow' : 'deny'} request=${JSON.stringify(e.request)}`);
  return [`${d.workload}: ${d.engine} disagrees with the floor on ${d.count} request(s)`, ...ex].join('\n');
}
