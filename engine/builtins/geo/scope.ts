/**
 * Address scope: which special-purpose block (RFC 6890 and the IANA registries) an address is in.
 * Only `public` addresses are looked up in a geo database; the others never have a country, and
 * classifying them first also hides errors some databases carry for those blocks.
 */
export type Scope =
  | 'public' | 'private' | 'loopback' | 'link_local' | 'shared' | 'documentation'
  | 'multicast' | 'unspecified' | 'reserved';

interface Block { start: bigint; end: bigint; scope: Scope }

function block(text: string, scope: Scope, v6: boolean): Block {
  const [addr, len] = text.split('/') as [string, string];
  const bits = v6 ? 128 : 32;
  const start = v6 ? v6Number(addr) : v4Number(addr);
  const size = 1n << BigInt(bits - Number(len));
  return { start, end: start + size - 1n, scope };
}

function v4Number(a: string): bigint {
  return a.split('.').reduce((n, p) => (n << 8n) | BigInt(Number(p)), 0n);
}
function v6Number(a: string): bigint {
  const [head, tail = ''] = a.split('::') as [string, string?];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  return groups.reduce((n, g) => (n << 16n) | BigInt(parseInt(g, 16)), 0n);
}

// Most specific blocks first: the first match wins.
const V4: Block[] = [
  ['0.0.0.0/32', 'unspecified'], ['0.0.0.0/8', 'reserved'], ['10.0.0.0/8', 'private'],
  ['100.64.0.0/10', 'shared'], ['127.0.0.0/8', 'loopback'], ['169.254.0.0/16', 'link_local'],
  ['172.16.0.0/12', 'private'], ['192.0.0.0/24', 'reserved'], ['192.0.2.0/24', 'documentation'],
  ['192.88.99.0/24', 'reserved'], ['192.168.0.0/16', 'private'], ['198.18.0.0/15', 'reserved'],
  ['198.51.100.0/24', 'documentation'], ['203.0.113.0/24', 'documentation'], ['224.0.0.0/4', 'multicast'],
  ['240.0.0.0/4', 'reserved'],
].map(([t, s]) => block(t as string, s as Scope, false));

const V6: Block[] = [
  ['::/128', 'unspecified'], ['::1/128', 'loopback'], ['64:ff9b:1::/48', 'private'],
  ['100::/64', 'reserved'], ['2001::/23', 'reserved'], ['2001:db8::/32', 'documentation'],
  ['3fff::/20', 'documentation'], ['fc00::/7', 'private'], ['fe80::/10', 'link_local'],
  ['fec0::/10', 'reserved'], ['ff00::/8', 'multicast'], ['::/8', 'reserved'],
].map(([t, s]) => block(t as string, s as Scope, true));

/** The scope of an address (IPv4-mapped IPv6 addresses arrive here as IPv4). */
export function scopeOf(v6: boolean, n: bigint): Scope {
  for (const b of v6 ? V6 : V4) if (n >= b.start && n <= b.end) return b.scope;
  if (v6 && (n >> 125n) !== 1n) return 'reserved'; // only 2000::/3 is global unicast today
  return 'public';
}
