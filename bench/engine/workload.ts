/** What every engine workload provides: one request set and one implementation per engine. */

/** The engines compared, in report order. `floor` is the hand-written reference. */
export const ENGINES = ['floor', 'pol', 'pol-cached', 'cedar', 'casbin'] as const;
export type EngineName = (typeof ENGINES)[number];

export const ENGINE_LABELS: Record<EngineName, string> = {
  floor: 'hand-written TS (floor)',
  pol: 'pol (uncached)',
  'pol-cached': 'pol (decision cache)',
  cedar: 'Cedar (cedar-wasm, pre-parsed)',
  casbin: 'Casbin (in-memory enforcer)',
};

/** One authorization decision: true = allow. */
export type Decide = (request: unknown) => boolean;

export interface Workload {
  /** Short id used on the command line, e.g. `rbac`, `scale-10000`. */
  id: string;
  title: string;
  /** One line on what the policy does, for the report. */
  description: string;
  /** Deterministic request set. */
  requests(count: number): unknown[];
  /** Builds an engine's decision function; setup cost is not measured. */
  engines: Record<EngineName, () => Promise<Decide>>;
  /** Policy size facts for the report, e.g. rule counts. */
  facts?: Record<string, string | number>;
}
