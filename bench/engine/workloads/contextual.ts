/**
 * Contextual: the RBAC workload plus business hours in a time zone (from the request's RFC 3339
 * timestamp), a CIDR allow-list for the client address and a managed device.
 */
import type { Context } from '@cedar-policy/cedar-wasm/nodejs';
import { Rng } from '../rng.js';
import { ZonedClock } from '../zoned-time.js';
import type { Workload } from '../workload.js';
// Engines are imported when built, so a worker loads only the engine it measures.
import { polEngine, polCachedEngine, cedarAuthorizer, casbinEnforcer } from '../adapters/lazy.js';
import { RBAC_POLICY } from './rbac.js';
import { casbinRbacLines, cedarRbacPolicies, cedarUserEntities, floorRbac, rbacData, rbacDocuments, rbacRequests } from './rbac-data.js';

export interface ContextualRequest {
  user: string; action: string; resource: string;
  time: string; ip: string; device: { managed: boolean };
}

const TIME_ZONE = 'America/New_York';
const CIDRS = ['10.0.0.0/8', '192.168.0.0/16', '203.0.113.0/24'];

export const CONTEXTUAL_POLICY = `package contextual

default allow := false

allowed_networks := ${JSON.stringify(CIDRS).replace(/,/g, ', ')}

allow if {
	data.rbac.allow
	input.device.managed == true
	from_allowed_network
	in_business_hours
}

from_allowed_network if {
	some cidr in allowed_networks
	net.cidr_contains(cidr, input.ip)
}

in_business_hours if {
	ns := time.parse_rfc3339_ns(input.time)
	not time.weekday([ns, "${TIME_ZONE}"]) in {"Saturday", "Sunday"}
	[hour, _, _] := time.clock([ns, "${TIME_ZONE}"])
	hour >= 9
	hour < 18
}
`;

const CEDAR_CONTEXT_POLICY = `forbid(principal, action, resource) unless {
  context.managed &&
  context.weekday >= 1 && context.weekday <= 5 &&
  context.hour >= 9 && context.hour < 18 &&
  (${CIDRS.map(c => `context.ip.isInRange(ip("${c}"))`).join(' || ')})
};`;

const CASBIN_MODEL = `
[request_definition]
r = sub, obj, act, ctx

[policy_definition]
p = sub, obj, act

[role_definition]
g = _, _

[policy_effect]
e = some(where (p.eft == allow))

[matchers]
m = g(r.sub, p.sub) && r.obj == p.obj && r.act == p.act && r.ctx.managed == true && r.ctx.weekday >= 1 && r.ctx.weekday <= 5 && r.ctx.hour >= 9 && r.ctx.hour < 18 && (${CIDRS.map(c => `ipMatch(r.ctx.ip, "${c}")`).join(' || ')})
`;

const ALLOWED_PREFIXES = ['10.', '192.168.', '203.0.113.'];
const OTHER_PREFIXES = ['198.51.100.', '172.16.', '8.8.'];

function address(rng: Rng, prefix: string): string {
  const parts = prefix.split('.').filter(Boolean);
  while (parts.length < 4) parts.push(String(rng.int(256)));
  return parts.join('.');
}

function requests(count: number): ContextualRequest[] {
  const base = rbacRequests(rbacData(), count, 21);
  const rng = new Rng(22);
  const year = Date.UTC(2026, 0, 1);
  return base.map(r => {
    // Mostly office hours in New York (13:00–23:00 UTC covers 09:00–18:00 in both offsets), over a whole year so both UTC offsets occur.
    const day = rng.int(365);
    const hourUtc = rng.chance(0.7) ? 12 + rng.int(12) : rng.int(24);
    const ms = year + day * 86_400_000 + hourUtc * 3_600_000 + rng.int(3600) * 1000;
    const ip = rng.chance(0.7) ? address(rng, rng.pick(ALLOWED_PREFIXES)) : address(rng, rng.pick(OTHER_PREFIXES));
    return { ...r, time: new Date(ms).toISOString(), ip, device: { managed: rng.chance(0.85) } };
  });
}

/** Hand-written IPv4 CIDR check over pre-parsed networks. */
function ipv4(text: string): number | undefined {
  const p = text.split('.');
  if (p.length !== 4) return undefined;
  let n = 0;
  for (const s of p) {
    const v = Number(s);
    if (!Number.isInteger(v) || v < 0 || v > 255 || s === '') return undefined;
    n = n * 256 + v;
  }
  return n;
}

function cidrMatcher(cidrs: string[]): (ip: string) => boolean {
  const nets = cidrs.map(c => {
    const [addr, bits] = c.split('/') as [string, string];
    const size = 2 ** (32 - Number(bits));
    const start = Math.floor(ipv4(addr)! / size) * size;
    return { start, end: start + size };
  });
  return ip => {
    const n = ipv4(ip);
    if (n === undefined) return false;
    for (const net of nets) if (n >= net.start && n < net.end) return true;
    return false;
  };
}

export function contextualWorkload(): Workload {
  const data = rbacData();
  const pol = {
    modules: { 'rbac.pol': RBAC_POLICY, 'contextual.pol': CONTEXTUAL_POLICY },
    data: rbacDocuments(data),
    path: 'contextual/allow',
  };
  return {
    id: 'contextual',
    title: 'Contextual',
    description: `RBAC + Monday–Friday 09:00–18:00 in ${TIME_ZONE} + client address in ${CIDRS.length} CIDRs + managed device. ` +
      'pol parses the RFC 3339 time and converts it to local time in the policy; Cedar and Casbin have no time zones, so their adapters (like the floor) ' +
      'get the local weekday and hour from a JS helper that remembers the zone offset per UTC hour.',
    facts: { grants: data.grants.length, users: data.userRoles.size, cidrs: CIDRS.length, timeZone: TIME_ZONE },
    requests,
    engines: {
      floor: async () => {
        const rbac = floorRbac(data);
        const clock = new ZonedClock(TIME_ZONE);
        const inNetworks = cidrMatcher(CIDRS);
        return request => {
          const r = request as ContextualRequest;
          if (!rbac(r) || r.device.managed !== true || !inNetworks(r.ip)) return false;
          const ms = Date.parse(r.time);
          if (Number.isNaN(ms)) return false;
          const { weekday, hour } = clock.at(ms);
          return weekday >= 1 && weekday <= 5 && hour >= 9 && hour < 18;
        };
      },
      pol: () => polEngine(pol),
      'pol-cached': () => polCachedEngine(pol),
      cedar: async () => {
        // Cedar has no time zones: the adapter computes local weekday and hour for it.
        const authorize = await cedarAuthorizer(`${cedarRbacPolicies(data)}\n${CEDAR_CONTEXT_POLICY}`);
        const entities = cedarUserEntities(data);
        const clock = new ZonedClock(TIME_ZONE);
        return request => {
          const r = request as ContextualRequest;
          const { weekday, hour } = clock.at(Date.parse(r.time));
          const context: Context = { managed: r.device.managed, weekday, hour, ip: { __extn: { fn: 'ip', arg: r.ip } } };
          return authorize({
            principal: { type: 'User', id: r.user },
            action: { type: 'Action', id: r.action },
            resource: { type: 'Resource', id: r.resource },
            context,
            entities: entities.get(r.user) ?? [],
          });
        };
      },
      casbin: async () => {
        const e = await casbinEnforcer(CASBIN_MODEL, casbinRbacLines(data));
        const clock = new ZonedClock(TIME_ZONE);
        return request => {
          const r = request as ContextualRequest;
          const { weekday, hour } = clock.at(Date.parse(r.time));
          return e.enforceSync(r.user, r.resource, r.action, { managed: r.device.managed, weekday, hour, ip: r.ip });
        };
      },
    },
  };
}
