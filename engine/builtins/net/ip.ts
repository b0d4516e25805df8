/**
 * IP addresses and CIDR prefixes parsed the way Go's `net.ParseIP` / `net.ParseCIDR` accept them
 * (OPA's behaviour): dotted IPv4 without leading zeros, RFC 4291 IPv6 text without zones, decimal
 * prefix lengths. IPv4-mapped IPv6 addresses (`::ffff:a.b.c.d`) behave as IPv4, as in Go.
 * Addresses are bigints so IPv6 arithmetic is exact.
 */

export interface IP { v6: boolean; n: bigint }
/** A network: every address from `start` to `end` (inclusive); `prefix` counts leading bits. */
export interface Net { v6: boolean; start: bigint; end: bigint; prefix: number }

const PREFIX_TEXT = /^[0-9]{1,8}$/;
const MAPPED_PREFIX = 0xffffn << 32n;
const MAPPED_MASK = ((1n << 96n) - 1n) << 32n;

export function bitsOf(v6: boolean): number { return v6 ? 128 : 32; }

/** Parses dotted IPv4; undefined when Go would reject it. */
function parseV4(s: string, from = 0, to = s.length): bigint | undefined {
  let n = 0, fields = 0, i = from;
  while (fields < 4) {
    const begin = i;
    let v = 0;
    while (i < to) {
      const c = s.charCodeAt(i);
      if (c < 48 || c > 57) break;
      v = v * 10 + (c - 48);
      i++;
      if (i - begin > 3) return undefined;
    }
    const len = i - begin;
    if (len === 0 || v > 255) return undefined;
    if (len > 1 && s.charCodeAt(begin) === 48) return undefined; // leading zero: ambiguous octal
    n = n * 256 + v;
    fields++;
    if (fields < 4) {
      if (i >= to || s.charCodeAt(i) !== 46) return undefined;
      i++;
    }
  }
  return i === to ? BigInt(n) : undefined;
}

function hexVal(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** Parses IPv6 text (optionally ending in dotted IPv4); zones are rejected. */
function parseV6(s: string): bigint | undefined {
  const groups: number[] = [];
  let ellipsis = -1;
  let i = 0;
  const len = s.length;
  if (len >= 2 && s.charCodeAt(0) === 58 && s.charCodeAt(1) === 58) {
    ellipsis = 0;
    i = 2;
  }
  while (i < len) {
    let j = i, v = 0;
    while (j < len) {
      const h = hexVal(s.charCodeAt(j));
      if (h < 0) break;
      v = v * 16 + h;
      j++;
    }
    if (j < len && s.charCodeAt(j) === 46) {
      // A dotted IPv4 tail fills the last two groups.
      if (groups.length > 6 || (ellipsis < 0 && groups.length !== 6)) return undefined;
      const v4 = parseV4(s, i, len);
      if (v4 === undefined) return undefined;
      groups.push(Number(v4 >> 16n), Number(v4 & 0xffffn));
      break;
    }
    if (j === i || j - i > 4) return undefined;
    groups.push(v);
    if (groups.length > 8) return undefined;
    i = j;
    if (i === len) break;
    if (s.charCodeAt(i) !== 58) return undefined; // includes '%' zones
    i++;
    if (i === len) return undefined; // a single trailing colon
    if (s.charCodeAt(i) === 58) {
      if (ellipsis >= 0) return undefined;
      ellipsis = groups.length;
      i++;
    }
  }
  if (ellipsis < 0) {
    if (groups.length !== 8) return undefined;
  } else {
    // The ellipsis stands for at least one zero group.
    if (groups.length > 7) return undefined;
    groups.splice(ellipsis, 0, ...new Array<number>(8 - groups.length).fill(0));
  }
  let n = 0n;
  for (const g of groups) n = (n << 16n) | BigInt(g);
  return n;
}

/** `net.ParseIP`: IPv4 or IPv6 text; IPv4-mapped IPv6 becomes IPv4. */
export function parseIP(s: string): IP | undefined {
  if (s.length === 0 || s.length > 64) return undefined;
  if (s.indexOf(':') < 0) {
    const n = parseV4(s);
    return n === undefined ? undefined : { v6: false, n };
  }
  const n = parseV6(s);
  if (n === undefined) return undefined;
  if ((n & MAPPED_MASK) === MAPPED_PREFIX) return { v6: false, n: n & 0xffffffffn };
  return { v6: true, n };
}

/** `net.ParseCIDR`: `addr/len`; the network keeps only the prefix bits of `addr`. */
export function parseCIDR(s: string): Net | undefined {
  const slash = s.indexOf('/');
  if (slash < 0) return undefined;
  const addr = s.slice(0, slash), mask = s.slice(slash + 1);
  if (!PREFIX_TEXT.test(mask)) return undefined;
  let prefix = Number(mask);
  const ip = parseIP(addr);
  if (!ip) return undefined;
  // The prefix length is checked against the address as written (a mapped address has 128 bits).
  const writtenBits = addr.indexOf(':') >= 0 ? 128 : 32;
  if (prefix > writtenBits) return undefined;
  if (!ip.v6 && writtenBits === 128) prefix = Math.max(0, prefix - 96);
  return netOf(ip.v6, ip.n, prefix);
}

/** The network of `prefix` bits containing address `n`. */
export function netOf(v6: boolean, n: bigint, prefix: number): Net {
  const hostBits = BigInt(bitsOf(v6) - prefix);
  const hostMask = (1n << hostBits) - 1n;
  const start = n & ~hostMask;
  return { v6, start, end: start | hostMask, prefix };
}

export function formatIP(v6: boolean, n: bigint): string {
  if (!v6) return `${(n >> 24n) & 255n}.${(n >> 16n) & 255n}.${(n >> 8n) & 255n}.${n & 255n}`;
  const groups: number[] = [];
  for (let i = 7; i >= 0; i--) groups.push(Number((n >> BigInt(i * 16)) & 0xffffn));
  // Compress the longest run (>= 2) of zero groups, the first one on ties (RFC 5952, as Go).
  let bestAt = -1, bestLen = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) { bestAt = i; bestLen = j - i; }
    i = j;
  }
  if (bestAt < 0) return groups.map(g => g.toString(16)).join(':');
  const head = groups.slice(0, bestAt).map(g => g.toString(16)).join(':');
  const tail = groups.slice(bestAt + bestLen).map(g => g.toString(16)).join(':');
  return `${head}::${tail}`;
}

export function formatNet(net: Net): string {
  return `${formatIP(net.v6, net.start)}/${net.prefix}`;
}
