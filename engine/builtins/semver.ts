/** Semantic Versioning 2.0.0 (https://semver.org): strict parsing, no `v` prefix, as OPA. */
import { BuiltinError, type BuiltinImpl } from './types.js';
import { stringOperand } from './time/operands.js';

interface SemVer { major: bigint; minor: bigint; patch: bigint; pre: string[] }

const NUM = '(0|[1-9][0-9]*)';
const PRE_ID = '(?:0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*)';
const BUILD_ID = '[0-9A-Za-z-]+';
const SEMVER = new RegExp(`^${NUM}\\.${NUM}\\.${NUM}(?:-(${PRE_ID}(?:\\.${PRE_ID})*))?(?:\\+(${BUILD_ID}(?:\\.${BUILD_ID})*))?$`);

export function parseSemVer(text: string): SemVer | undefined {
  if (text.length > 1024) return undefined;
  const m = SEMVER.exec(text);
  if (!m) return undefined;
  return { major: BigInt(m[1]!), minor: BigInt(m[2]!), patch: BigInt(m[3]!), pre: m[4] ? m[4].split('.') : [] };
}

const NUMERIC = /^[0-9]+$/;

function cmpBig(a: bigint, b: bigint): number { return a < b ? -1 : a > b ? 1 : 0; }

/** Precedence per semver.org §11: build metadata is ignored. */
export function compareSemVer(a: SemVer, b: SemVer): number {
  const core = cmpBig(a.major, b.major) || cmpBig(a.minor, b.minor) || cmpBig(a.patch, b.patch);
  if (core) return core;
  if (a.pre.length === 0 || b.pre.length === 0) return b.pre.length - a.pre.length === 0 ? 0 : a.pre.length === 0 ? 1 : -1;
  for (let i = 0; i < Math.min(a.pre.length, b.pre.length); i++) {
    const x = a.pre[i]!, y = b.pre[i]!;
    const xn = NUMERIC.test(x), yn = NUMERIC.test(y);
    let c: number;
    if (xn && yn) c = cmpBig(BigInt(x), BigInt(y));
    else if (xn) c = -1;
    else if (yn) c = 1;
    else c = x < y ? -1 : x > y ? 1 : 0;
    if (c) return c;
  }
  return Math.sign(a.pre.length - b.pre.length);
}

function operandVersion(args: Parameters<BuiltinImpl>[0], i: number): SemVer {
  const text = stringOperand('semver.compare', args, i);
  const v = parseSemVer(text);
  if (!v) throw new BuiltinError(`semver.compare: operand ${i + 1}: string ${JSON.stringify(text)} is not a valid SemVer`);
  return v;
}

export const impls: Record<string, BuiltinImpl> = {
  'semver.is_valid': args => typeof args[0] === 'string' && parseSemVer(args[0]) !== undefined,
  'semver.compare': args => compareSemVer(operandVersion(args, 0), operandVersion(args, 1)),
};
