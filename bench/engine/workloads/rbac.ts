/** RBAC: 20 roles, 200 grants, 1,000 users with 1–3 roles; the policy reads roles and grants from data. */
import type { Workload } from '../workload.js';
// Engines are imported when built, so a worker loads only the engine it measures.
import { polEngine, polCachedEngine, cedarAuthorizer, casbinEnforcer } from '../adapters/lazy.js';
import {
  CASBIN_RBAC_MODEL, casbinRbacLines, cedarRbacPolicies, cedarUserEntities, floorRbac, rbacData, rbacDocuments, rbacRequests, type RbacRequest,
} from './rbac-data.js';

/** The shape of OPA's RBAC example: roles from data, grants per role, a set of the user's grants. */
export const RBAC_POLICY = `package rbac

default allow := false

allow if {
	some grant in user_is_granted
	input.action == grant.action
	input.resource == grant.resource
}

user_is_granted contains grant if {
	some role in data.user_roles[input.user]
	some grant in data.role_grants[role]
}
`;

export function rbacWorkload(): Workload {
  const data = rbacData();
  const pol = { modules: { 'rbac.pol': RBAC_POLICY }, data: rbacDocuments(data), path: 'rbac/allow' };
  return {
    id: 'rbac',
    title: 'RBAC',
    description: '20 roles, 200 grants, 1,000 users with 1–3 roles; allow when one of the user\'s roles grants the action on the resource',
    facts: { roles: data.roles.length, grants: data.grants.length, users: data.userRoles.size },
    requests: count => rbacRequests(data, count),
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
