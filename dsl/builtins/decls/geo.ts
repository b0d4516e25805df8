import { T, type BuiltinDecl } from '../types.js';

export const decls: BuiltinDecl[] = [
  {
    name: 'geo.country', category: 'geo',
    args: [{ name: 'ip', type: T.str, description: 'IPv4 or IPv6 address' }],
    result: T.str,
    description: 'ISO 3166-1 alpha-2 country of an IP address, from the embedded database or the host\'s `.mmdb` database. `"ZZ"` for private, loopback, link-local, documentation and other special-purpose addresses, and for public addresses the database does not know. Undefined when the text is not an IP address.',
    example: 'not geo.country(input.request.client_ip) in data.blocked_countries',
  },
  {
    name: 'geo.region', category: 'geo',
    args: [{ name: 'ip', type: T.str, description: 'IPv4 or IPv6 address' }],
    result: T.str,
    description: 'ISO 3166-2 subdivision of an IP address including its country (`"US-CA"`). Needs a city-level `.mmdb` database; undefined with the embedded (country-only) database, for special-purpose addresses and for non-addresses.',
    example: 'geo.region(input.request.client_ip) in {"US-CA", "US-WA"}',
  },
  {
    name: 'geo.lookup', category: 'geo',
    args: [{ name: 'ip', type: T.str, description: 'IPv4 or IPv6 address' }],
    result: T.obj(T.str, T.str),
    description: 'Everything known about an IP address: `{"country", "scope", "source", "region"?, "city"?, "continent"?}`. `scope` is one of `public`, `private`, `loopback`, `link_local`, `shared`, `documentation`, `multicast`, `unspecified`, `reserved`; `source` is `embedded` or `mmdb`. Undefined when the text is not an IP address.',
    example: 'geo.lookup(input.request.client_ip).scope == "public"',
  },
];
