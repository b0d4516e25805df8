/** ABAC: owner or same department, and clearance at least the resource's classification. */
import type { EntityJson } from '@cedar-policy/cedar-wasm/nodejs';
import { Rng } from '../rng.js';
import type { Workload } from '../workload.js';
// Engines are imported when built, so a worker loads only the engine it measures.
import { polEngine, polCachedEngine, cedarAuthorizer, casbinEnforcer } from '../adapters/lazy.js';

interface User { id: string; department: string; clearance: number }
interface Resource { id: string; owner: string; department: string; classification: number }
export interface AbacRequest { user: User; resource: Resource }

const DEPARTMENTS = ['sales', 'finance', 'hr', 'ops', 'legal', 'it', 'support', 'marketing', 'research', 'security'];

export const ABAC_POLICY = `package abac

default allow := false

allow if {
	input.user.clearance >= input.resource.classification
	input.resource.owner == input.user.id
}

allow if {
	input.user.clearance >= input.resource.classification
	input.resource.department == input.user.department
}
`;

const CEDAR_POLICY = `permit(principal, action, resource) when {
  principal.clearance >= resource.classification &&
  (resource.owner == principal || resource.department == principal.department)
};`;

const CASBIN_MODEL = `
[request_definition]
r = sub, obj

[policy_definition]
p = sub, obj

[policy_effect]
e = some(where (p.eft == allow))

[matchers]
m = r.sub.clearance >= r.obj.classification && (r.obj.owner == r.sub.id || r.obj.department == r.sub.department)
`;

function users(rng: Rng): User[] {
  return Array.from({ length: 1000 }, (_, i) => ({ id: `user${i}`, department: rng.pick(DEPARTMENTS), clearance: rng.int(4) }));
}

function requests(count: number): AbacRequest[] {
  const rng = new Rng(11);
  const people = users(rng);
  const out: AbacRequest[] = [];
  for (let i = 0; i < count; i++) {
    const user = rng.pick(people);
    // A third owned by the caller, a third in the caller's department, a third unrelated.
    const kind = rng.int(3);
    const owner = kind === 0 ? user.id : rng.pick(people).id;
    const department = kind === 1 ? user.department : rng.pick(DEPARTMENTS);
    out.push({ user, resource: { id: `doc${i}`, owner, department, classification: rng.int(4) } });
  }
  return out;
}

export function abacWorkload(): Workload {
  const pol = { modules: { 'abac.pol': ABAC_POLICY }, path: 'abac/allow' };
  return {
    id: 'abac',
    title: 'ABAC',
    description: 'allow when the caller owns the resource or shares its department, and their clearance is at least its classification',
    facts: { users: 1000, departments: DEPARTMENTS.length, levels: 4 },
    requests,
    engines: {
      floor: async () => request => {
        const { user, resource } = request as AbacRequest;
        return user.clearance >= resource.classification && (resource.owner === user.id || resource.department === user.department);
      },
      pol: () => polEngine(pol),
      'pol-cached': () => polCachedEngine(pol),
      cedar: async () => {
        const authorize = await cedarAuthorizer(CEDAR_POLICY);
        return request => {
          const { user, resource } = request as AbacRequest;
          // Cedar reads attributes from entities, so each request carries its two entities.
          const entities: EntityJson[] = [
            { uid: { type: 'User', id: user.id }, attrs: { department: user.department, clearance: user.clearance }, parents: [] },
            {
              uid: { type: 'Document', id: resource.id },
              attrs: { owner: { __entity: { type: 'User', id: resource.owner } }, department: resource.department, classification: resource.classification },
              parents: [],
            },
          ];
          return authorize({
            principal: { type: 'User', id: user.id },
            action: { type: 'Action', id: 'view' },
            resource: { type: 'Document', id: resource.id },
            context: {},
            entities,
          });
        };
      },
      casbin: async () => {
        const e = await casbinEnforcer(CASBIN_MODEL, []);
        return request => { const { user, resource } = request as AbacRequest; return e.enforceSync(user, resource); };
      },
    },
  };
}
