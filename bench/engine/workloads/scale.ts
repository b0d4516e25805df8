/**
 * Scale: RBAC where every grant is its own policy rule (`allow if { input.resource == ...;
 * input.action == ...; role in the user's roles }`), at 200, 1,000 and 10,000 rules. With rule
 * indexing, pol's cost should barely grow with the rule count.
 */
import type { Workload } from '../workload.js';
// Engines are imported when built, so a worker loads only the engine it measures.
import { polEngine, polCachedEngine, cedarAuthorizer, casbinEnforcer } from '../adapters/lazy.js';
import {
  CASBIN_RBAC_MODEL, casbinRbacLines, cedarRbacPolicies, cedarUserEntities, floorRbac, rbacDocuments, rbacRequests, scaleData, type RbacData, type RbacRequest,
} from './rbac-data.js';

export const SCALE_SIZES = [200, 1000, 10000] as const;

/** One `allow` rule per grant. */
export function scalePolicy(data: RbacData): string {
  const rules = data.grants.map(g => `allow if {
	input.resource == "${g.resource}"
	input.action == "${g.action}"
	"${g.role}" in data.user_roles[input.user]
}`);
  return `package scale\n\ndefault allow := false\n\n${rules.join('\n\n')}\n`;
}

export function scaleWorkload(rules: number): Workload {
  const data = scaleData(rules);
  const pol = { modules: { 'scale.pol': scalePolicy(data) }, data: { user_roles: rbacDocuments(data).user_roles }, path: 'scale/allow' };
  return {
    id: `scale-${rules}`,
    title: `Scale: ${rules.toLocaleString('en-US')} rules`,
    description: `RBAC with one policy rule per grant (${rules.toLocaleString('en-US')} rules, 20 roles, 1,000 users)`,
    facts: { rules, users: data.userRoles.size },
    requests: count => rbacRequests(data, count, 31),
    engines: {
      floor: async () => { const f = floorRbac(data); return r => f(r as RbacRequest); },
      pol: () => polEngine(pol),
      'pol-cached': () => polCachedEngine(pol),
      cedar: async () => {
        const authorize = await cedarAuthorizer(cedarRbacPolicies(data));
        const entities = cedarUserEntities(data);
        return request => {
          const r = request as RbacRequest;
          return authorize({
            principal: { type: 'User', id: r.user },
            action: { type: 'Action', id: r.action },
            resource: { type: 'Resource', id: r.resource },
            context: {},
            entities: entities.get(r.user) ?? [],
          });
        };
      },
      casbin: async () => {
        const e = await casbinEnforcer(CASBIN_RBAC_MODEL, casbinRbacLines(data));
        return request => { const r = request as RbacRequest; return e.enforceSync(r.user, r.resource, r.action); };
      },
    },
  };
}
