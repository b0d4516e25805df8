/**
 * The RBAC data set shared by the RBAC, contextual and scale workloads: 20 roles, grants of
 * (role, resource, action), 1,000 users with 1–3 roles each. Deterministic for a given seed.
 */
import { Rng } from '../rng.js';

export const ACTIONS = ['read', 'write', 'delete', 'list'] as const;

export interface Grant { role: string; resource: string; action: string }

export interface RbacData {
  roles: string[];
  grants: Grant[];
  /** user → roles */
  userRoles: Map<string, string[]>;
  /** role → users holding it, for generating allowed requests */
  roleUsers: Map<string, string[]>;
  resources: string[];
}

export interface RbacRequest { user: string; action: string; resource: string }

const USERS = 1000;
const ROLES = 20;

function assignUsers(rng: Rng, roles: string[]): Pick<RbacData, 'userRoles' | 'roleUsers'> {
  const userRoles = new Map<string, string[]>();
  const roleUsers = new Map<string, string[]>(roles.map(r => [r, []]));
  for (let u = 0; u < USERS; u++) {
    const user = `user${u}`;
    const n = 1 + rng.int(3);
    const mine: string[] = [];
    while (mine.length < n) {
      const r = rng.pick(roles);
      if (!mine.includes(r)) mine.push(r);
    }
    userRoles.set(user, mine);
    for (const r of mine) roleUsers.get(r)!.push(user);
  }
  return { userRoles, roleUsers };
}

/** 200 distinct grants over 50 resources: the RBAC workload's data. */
export function rbacData(seed = 1): RbacData {
  const rng = new Rng(seed);
  const roles = Array.from({ length: ROLES }, (_, i) => `role${i}`);
  const resources = Array.from({ length: 50 }, (_, i) => `res${i}`);
  const seen = new Set<string>();
  const grants: Grant[] = [];
  while (grants.length < 200) {
    const g = { role: rng.pick(roles), resource: rng.pick(resources), action: rng.pick(ACTIONS) };
    const k = `${g.role}|${g.resource}|${g.action}`;
    if (seen.has(k)) continue;
    seen.add(k);
    grants.push(g);
  }
  return { roles, grants, resources, ...assignUsers(rng, roles) };
}

/**
 * `rules` grants, one per (resource, action) pair, each given to one role: the scale workload's
 * data, where every grant is its own policy rule.
 */
export function scaleData(rules: number, seed = 2): RbacData {
  const rng = new Rng(seed);
  const roles = Array.from({ length: ROLES }, (_, i) => `role${i}`);
  const resources = Array.from({ length: Math.ceil(rules / ACTIONS.length) }, (_, i) => `res${i}`);
  const grants: Grant[] = [];
  for (let i = 0; i < rules; i++) {
    grants.push({ role: rng.pick(roles), resource: resources[Math.floor(i / ACTIONS.length)]!, action: ACTIONS[i % ACTIONS.length]! });
  }
  return { roles, grants, resources, ...assignUsers(rng, roles) };
}

/** Half the requests come from a grant and a user holding its role (allowed), half are random. */
export function rbacRequests(data: RbacData, count: number, seed = 3): RbacRequest[] {
  const rng = new Rng(seed);
  const users = [...data.userRoles.keys()];
  const out: RbacRequest[] = [];
  for (let i = 0; i < count; i++) {
    if (rng.chance(0.5)) {
      const g = rng.pick(data.grants);
      const holders = data.roleUsers.get(g.role)!;
      out.push({ user: holders.length ? rng.pick(holders) : rng.pick(users), action: g.action, resource: g.resource });
    } else {
      out.push({ user: rng.pick(users), action: rng.pick(ACTIONS), resource: rng.pick(data.resources) });
    }
  }
  return out;
}

/** `{ user: [roles] }` and `{ role: [{action, resource}] }` as policy data. */
export function rbacDocuments(data: RbacData): { user_roles: Record<string, string[]>; role_grants: Record<string, { action: string; resource: string }[]> } {
  const user_roles: Record<string, string[]> = {};
  for (const [u, rs] of data.userRoles) user_roles[u] = rs;
  const role_grants: Record<string, { action: string; resource: string }[]> = {};
  for (const r of data.roles) role_grants[r] = [];
  for (const g of data.grants) role_grants[g.role]!.push({ action: g.action, resource: g.resource });
  return { user_roles, role_grants };
}

/** The floor's view: per role, a set of `action resource` keys. */
export function grantIndex(data: RbacData): Map<string, Set<string>> {
  const byRole = new Map<string, Set<string>>(data.roles.map(r => [r, new Set<string>()]));
  for (const g of data.grants) byRole.get(g.role)!.add(`${g.action} ${g.resource}`);
  return byRole;
}

/** Hand-written RBAC check. */
export function floorRbac(data: RbacData): (r: RbacRequest) => boolean {
  const userRoles = data.userRoles;
  const byRole = grantIndex(data);
  return r => {
    const roles = userRoles.get(r.user);
    if (roles === undefined) return false;
    const key = `${r.action} ${r.resource}`;
    for (let i = 0; i < roles.length; i++) if (byRole.get(roles[i]!)!.has(key)) return true;
    return false;
  };
}

/** Cedar: one `permit` per grant; users are entities whose parents are their roles. */
export function cedarRbacPolicies(data: RbacData): string {
  return data.grants
    .map(g => `permit(principal in Role::"${g.role}", action == Action::"${g.action}", resource == Resource::"${g.resource}");`)
    .join('\n');
}

/** Each user's entity slice (the user with its role parents), built once as a Cedar app would cache it. */
export function cedarUserEntities(data: RbacData): Map<string, { uid: { type: string; id: string }; attrs: Record<string, never>; parents: { type: string; id: string }[] }[]> {
  const out = new Map<string, { uid: { type: string; id: string }; attrs: Record<string, never>; parents: { type: string; id: string }[] }[]>();
  for (const [u, roles] of data.userRoles) {
    out.set(u, [{ uid: { type: 'User', id: u }, attrs: {}, parents: roles.map(id => ({ type: 'Role', id })) }]);
  }
  return out;
}

export const CASBIN_RBAC_MODEL = `
[request_definition]
r = sub, obj, act

[policy_definition]
p = sub, obj, act

[role_definition]
g = _, _

[policy_effect]
e = some(where (p.eft == allow))

[matchers]
m = g(r.sub, p.sub) && r.obj == p.obj && r.act == p.act
`;

/** Casbin policy lines: a `p` line per grant and a `g` line per (user, role). */
export function casbinRbacLines(data: RbacData): string[] {
  const lines = data.grants.map(g => `p, ${g.role}, ${g.resource}, ${g.action}`);
  for (const [u, roles] of data.userRoles) for (const r of roles) lines.push(`g, ${u}, ${r}`);
  return lines;
}
