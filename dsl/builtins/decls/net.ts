import { T, type BuiltinDecl } from '../types.js';

const cidrList = T.or(T.str, T.arr(T.or(T.str, T.arr(T.any))), T.set(T.or(T.str, T.arr(T.any))), T.obj(T.str, T.or(T.str, T.arr(T.any))));

export const decls: BuiltinDecl[] = [
  {
    name: 'net.cidr_contains', category: 'net',
    args: [
      { name: 'cidr', type: T.str, description: 'CIDR to check against' },
      { name: 'cidr_or_ip', type: T.str, description: 'CIDR or IP to check' },
    ],
    result: T.bool,
    description: 'Checks if a CIDR or IP is contained within another CIDR. Both IPv4 and IPv6 are supported.',
    example: 'net.cidr_contains("10.0.0.0/8", input.request.client_ip)',
  },
  {
    name: 'net.cidr_contains_matches', category: 'net',
    args: [
      { name: 'cidrs', type: cidrList, description: 'CIDRs to check against' },
      { name: 'cidrs_or_ips', type: cidrList, description: 'CIDRs or IPs to check' },
    ],
    result: T.set(T.arr(T.any)),
    description: 'Checks if collections of cidrs or ips are contained within another collection of cidrs and returns matches. Elements are strings or arrays whose first element is the CIDR/IP; each match is `[key in cidrs, key in cidrs_or_ips]` (the string itself, an array index, the set element, or the object key).',
    example: 'net.cidr_contains_matches({"office": "10.1.0.0/16"}, input.request.client_ip)',
  },
  {
    name: 'net.cidr_intersects', category: 'net',
    args: [
      { name: 'cidr1', type: T.str, description: 'first CIDR' },
      { name: 'cidr2', type: T.str, description: 'second CIDR' },
    ],
    result: T.bool,
    description: 'Checks if a CIDR intersects with another CIDR (e.g. `192.168.0.0/16` overlaps with `192.168.1.0/24`). Supports both IPv4 and IPv6 notations.',
    example: 'net.cidr_intersects("192.168.0.0/16", "192.168.1.0/24")',
  },
  {
    name: 'net.cidr_is_valid', category: 'net',
    args: [{ name: 'cidr', type: T.str, description: 'CIDR to validate' }],
    result: T.bool,
    description: 'Parses an IPv4/IPv6 CIDR and returns a boolean indicating if the provided CIDR is valid.',
    example: 'net.cidr_is_valid(input.network)',
  },
  {
    name: 'net.cidr_expand', category: 'net',
    args: [{ name: 'cidr', type: T.str, description: 'CIDR to expand' }],
    result: T.set(T.str),
    description: 'Expands CIDR to set of hosts (e.g., `net.cidr_expand("192.168.0.0/30")` generates 4 hosts: `{"192.168.0.0", "192.168.0.1", "192.168.0.2", "192.168.0.3"}`). Networks of more than 2^20 addresses are refused.',
    example: 'net.cidr_expand("192.168.0.0/30")',
  },
  {
    name: 'net.cidr_merge', category: 'net',
    args: [{ name: 'addrs', type: T.or(T.arr(T.str), T.set(T.str)), description: 'CIDRs or IP addresses' }],
    result: T.set(T.str),
    description: 'Merges IP addresses and subnets into the smallest possible list of CIDRs (e.g., `net.cidr_merge(["192.0.128.0/24", "192.0.129.0/24"])` generates `{"192.0.128.0/23"}`). Bare IPv4 addresses take their classful default mask; bare IPv6 addresses are an error.',
    example: 'net.cidr_merge(data.allow_list)',
  },
];
