/** Every engine workload, by id. */
import type { Workload } from '../workload.js';
import { rbacWorkload } from './rbac.js';
import { abacWorkload } from './abac.js';
import { contextualWorkload } from './contextual.js';
import { SCALE_SIZES, scaleWorkload } from './scale.js';

const FACTORIES: Record<string, () => Workload> = {
  rbac: rbacWorkload,
  abac: abacWorkload,
  contextual: contextualWorkload,
  ...Object.fromEntries(SCALE_SIZES.map(n => [`scale-${n}`, () => scaleWorkload(n)])),
};

export const WORKLOAD_IDS: readonly string[] = Object.keys(FACTORIES);

export function makeWorkload(id: string): Workload {
  const f = Object.prototype.hasOwnProperty.call(FACTORIES, id) ? FACTORIES[id] : undefined;
  if (!f) throw new Error(`unknown workload \`${id}\` (known: ${WORKLOAD_IDS.join(', ')})`);
  return f();
}
