/** CIDR builtins with Go's address parsing rules (as OPA), IPv4 and IPv6. */
import { BuiltinError, type BuiltinImpl } from './types.js';
import { PolSet, isObject, objectEntries, typeName, type Value } from '../value.js';
import { stringOperand, operandError } from './time/operands.js';
import { cachedCIDR, cachedIP } from './net/cache.js';
import { netOf, formatIP, type Net } from './net/ip.js';
import { mergeNets } from './net/merge.js';

/** `net.cidr_expand` refuses networks larger than this many addresses (OPA has no bound). */
export const MAX_EXPANDED_ADDRESSES = 1 << 20;

function invalidCIDR(name: string, text: string): BuiltinError {
  return new BuiltinError(`${name}: invalid CIDR address: ${text}`);
}

function requireCIDR(name: string, text: string): Net {
  const net = cachedCIDR(text);
  if (!net) throw invalidCIDR(name, text);
  return net;
}

/** An address is a one-address network; otherwise the text must be a CIDR. */
function addressOrCIDR(name: string, text: string): Net {
  const ip = cachedIP(text);
  if (ip) return { v6: ip.v6, start: ip.n, end: ip.n, prefix: ip.v6 ? 128 : 32 };
  return requireCIDR(name, text);
}

function contains(outer: Net, inner: Net): boolean {
  return outer.v6 === inner.v6 && outer.start <= inner.start && inner.end <= outer.end;
}

const cidrContains: BuiltinImpl = args => {
  const outer = requireCIDR('net.cidr_contains', stringOperand('net.cidr_contains', args, 0));
  const inner = addressOrCIDR('net.cidr_contains', stringOperand('net.cidr_contains', args, 1));
  return contains(outer, inner);
};

const cidrIntersects: BuiltinImpl = args => {
  const a = requireCIDR('net.cidr_intersects', stringOperand('net.cidr_intersects', args, 0));
  const b = requireCIDR('net.cidr_intersects', stringOperand('net.cidr_intersects', args, 1));
  return a.v6 === b.v6 && a.start <= b.end && b.start <= a.end;
};

const cidrIsValid: BuiltinImpl = args =>
  cachedCIDR(stringOperand('net.cidr_is_valid', args, 0)) !== undefined;

const cidrExpand: BuiltinImpl = args => {
  const text = stringOperand('net.cidr_expand', args, 0);
  const net = requireCIDR('net.cidr_expand', text);
  if (net.end - net.start >= BigInt(MAX_EXPANDED_ADDRESSES)) {
    throw new BuiltinError(`net.cidr_expand: CIDR ${text} has more than ${MAX_EXPANDED_ADDRESSES} addresses`);
  }
  const out = new PolSet();
  for (let n = net.start; n <= net.end; n++) out.add(formatIP(net.v6, n));
  return out;
};

/** Elements of an array or set operand, or the OPA type error. */
function collection(name: string, v: Value, pos: number): Value[] {
  if (Array.isArray(v)) return v;
  if (v instanceof PolSet) return [...v.values()];
  throw new BuiltinError(`${name}: operand ${pos} must be one of {set, array} but got ${typeName(v)}`, 'eval_type_error');
}

/** Go's classful default mask for a bare IPv4 address. */
function defaultPrefix(n: bigint): number {
  const first = Number(n >> 24n);
  return first < 0x80 ? 8 : first < 0xc0 ? 16 : 24;
}

const cidrMerge: BuiltinImpl = args => {
  const name = 'net.cidr_merge';
  const nets: Net[] = [];
  for (const el of collection(name, args[0] ?? null, 1)) {
    if (typeof el !== 'string') throw new BuiltinError(`${name}: element must be string`);
    const ip = cachedIP(el);
    if (ip) {
      if (ip.v6) throw new BuiltinError(`${name}: IPv6 invalid: needs prefix length`);
      nets.push(netOf(false, ip.n, defaultPrefix(ip.n)));
    } else {
      nets.push(requireCIDR(name, el));
    }
  }
  return new PolSet(mergeNets(nets));
};

/** One candidate of `net.cidr_contains_matches`: the key reported and the CIDR/address text. */
interface Candidate { key: Value; text: string }

function matchCandidates(v: Value, pos: number): Candidate[] {
  const name = 'net.cidr_contains_matches';
  const textOf = (el: Value): string => {
    if (typeof el === 'string') return el;
    if (Array.isArray(el) && el.length > 0 && typeof el[0] === 'string') return el[0];
    throw new BuiltinError(`${name}: operand ${pos}: element must be string or non-empty array`);
  };
  if (typeof v === 'string') return [{ key: v, text: v }];
  if (Array.isArray(v)) return v.map((el, i) => ({ key: i, text: textOf(el) }));
  if (v instanceof PolSet) return [...v.values()].map(el => ({ key: el, text: textOf(el) }));
  if (isObject(v)) return objectEntries(v).map(([k, el]) => ({ key: k, text: textOf(el) }));
  throw operandError(name, pos, 'one of {string, array, set, object}', v);
}

const cidrContainsMatches: BuiltinImpl = args => {
  const name = 'net.cidr_contains_matches';
  const outer = matchCandidates(args[0] ?? null, 1).map(c => ({ key: c.key, net: requireCIDR(name, c.text) }));
  const inner = matchCandidates(args[1] ?? null, 2).map(c => ({ key: c.key, net: addressOrCIDR(name, c.text) }));
  const out = new PolSet();
  for (const a of outer) for (const b of inner) if (contains(a.net, b.net)) out.add([a.key, b.key]);
  return out;
};

export const impls: Record<string, BuiltinImpl> = {
  'net.cidr_contains': cidrContains,
  'net.cidr_intersects': cidrIntersects,
  'net.cidr_is_valid': cidrIsValid,
  'net.cidr_expand': cidrExpand,
  'net.cidr_merge': cidrMerge,
  'net.cidr_contains_matches': cidrContainsMatches,
};
