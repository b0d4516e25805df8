/** `uuid.rfc4122` (random v4, one per key per evaluation) and `uuid.parse` (RFC 4122 fields, as OPA). */
import { randomFillSync } from 'node:crypto';
import { type BuiltinImpl } from './types.js';
import { normBig, type PlainObject } from '../value.js';
import { stringOperand } from './time/operands.js';

/**
 * Random bytes for UUIDs, filled 64 KiB (4,096 UUIDs) at a time: the server makes one a
 * decision. `crypto.randomUUID` refills a 2 KiB pool every 128 and `randomBytes(16)` calls the
 * generator every time; in the decision service's profile the refills alone cost about 180 ns a
 * decision (each ran cold), against a few nanoseconds amortised here.
 */
const POOL_BYTES = 64 * 1024;
const pool = Buffer.alloc(POOL_BYTES);
let used = POOL_BYTES;

/** Two lower-case hex digits per byte value. */
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** A random version 4, RFC 4122 variant UUID in canonical lower-case form. */
export function randomUUIDv4(): string {
  if (used === POOL_BYTES) { randomFillSync(pool); used = 0; }
  const b = pool, o = used;
  used += 16;
  return HEX[b[o]!]! + HEX[b[o + 1]!]! + HEX[b[o + 2]!]! + HEX[b[o + 3]!]! + '-' + HEX[b[o + 4]!]! + HEX[b[o + 5]!]! + '-'
    + HEX[(b[o + 6]! & 0x0f) | 0x40]! + HEX[b[o + 7]!]! + '-' + HEX[(b[o + 8]! & 0x3f) | 0x80]! + HEX[b[o + 9]!]! + '-'
    + HEX[b[o + 10]!]! + HEX[b[o + 11]!]! + HEX[b[o + 12]!]! + HEX[b[o + 13]!]! + HEX[b[o + 14]!]! + HEX[b[o + 15]!]!;
}

const HEX32 = /^[0-9a-fA-F]{32}$/;

/** The 16 bytes of a UUID in any of the accepted spellings: canonical, `urn:uuid:`, braces, bare hex. */
export function uuidBytes(text: string): Uint8Array | undefined {
  let s = text;
  if (s.length === 45 && s.slice(0, 9).toLowerCase() === 'urn:uuid:') s = s.slice(9);
  else if (s.length === 38 && s[0] === '{' && s[37] === '}') s = s.slice(1, 37);
  let hex: string;
  if (s.length === 36) {
    if (s[8] !== '-' || s[13] !== '-' || s[18] !== '-' || s[23] !== '-') return undefined;
    hex = s.slice(0, 8) + s.slice(9, 13) + s.slice(14, 18) + s.slice(19, 23) + s.slice(24);
  } else if (s.length === 32) {
    hex = s;
  } else {
    return undefined;
  }
  if (!HEX32.test(hex)) return undefined;
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}

function variantOf(b8: number): string {
  if ((b8 & 0xc0) === 0x80) return 'RFC4122';
  if ((b8 & 0xe0) === 0xc0) return 'Microsoft';
  if ((b8 & 0xe0) === 0xe0) return 'Future';
  return 'Reserved';
}

function macVariables(first: number): string {
  if ((first & 0b11) === 0b11) return 'local:multicast';
  if (first & 0b01) return 'global:multicast';
  if (first & 0b10) return 'local:unicast';
  return 'global:unicast';
}

/** 100 ns intervals between the Gregorian reform (1582-10-15) and the Unix epoch. */
const GREGORIAN_TO_UNIX = 122_192_928_000_000_000n;
const DOMAINS = ['Person', 'Group', 'Org'];

export function describeUUID(b: Uint8Array): PlainObject {
  const version = b[6]! >> 4;
  const out: PlainObject = { version, variant: variantOf(b[8]!) };
  if (version === 1 || version === 2) {
    const u32 = (i: number) => BigInt(((b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!) >>> 0);
    const u16 = (i: number) => (b[i]! << 8) | b[i + 1]!;
    const ticks = u32(0) | (BigInt(u16(4)) << 32n) | (BigInt(u16(6) & 0x0fff) << 48n);
    // Nanoseconds since the Unix epoch, wrapped to int64 like OPA's arithmetic.
    out.time = normBig(BigInt.asIntN(64, (ticks - GREGORIAN_TO_UNIX) * 100n));
    out.clocksequence = u16(8) & 0x3fff;
    out.nodeid = Array.from(b.subarray(10), x => HEX[x]!).join('-');
    out.macvariables = macVariables(b[10]!);
    if (version === 2) {
      out.id = Number(u32(0));
      out.domain = DOMAINS[b[9]!] ?? `Domain${b[9]}`;
    }
  }
  return out;
}

export const impls: Record<string, BuiltinImpl> = {
  'uuid.rfc4122': (args, ctx) => {
    const key = stringOperand('uuid.rfc4122', args, 0);
    const memoKey = `uuid.rfc4122\u0000${key}`;
    const hit = ctx.memo.get(memoKey);
    if (hit !== undefined) return hit;
    const id = randomUUIDv4();
    ctx.memo.set(memoKey, id);
    return id;
  },
  'uuid.parse': args => {
    const text = stringOperand('uuid.parse', args, 0);
    const bytes = uuidBytes(text);
    return bytes ? describeUUID(bytes) : undefined;
  },
};
