/** `rand.intn`: a cryptographically random integer, one per (key, n) per evaluation. */
import { randomBytes, randomInt } from 'node:crypto';
import { BuiltinError, type BuiltinImpl } from './types.js';
import { stringOperand, numberOperand } from './time/operands.js';

/** `crypto.randomInt` takes ranges below 2^48; wider ranges use rejection sampling on 64 bits. */
const RANDOM_INT_LIMIT = 2 ** 48;

export function randomBelow(n: number): number {
  if (n <= RANDOM_INT_LIMIT) return randomInt(n);
  const bound = BigInt(n);
  const limit = (1n << 64n) - ((1n << 64n) % bound);
  for (;;) {
    const x = randomBytes(8).readBigUInt64BE();
    if (x < limit) return Number(x % bound);
  }
}

export const impls: Record<string, BuiltinImpl> = {
  'rand.intn': (args, ctx) => {
    const name = 'rand.intn';
    const key = stringOperand(name, args, 0);
    const raw = numberOperand(name, args, 1);
    if (typeof raw === 'bigint' || !Number.isInteger(raw)) {
      throw new BuiltinError(`${name}: operand 2 must be integer number but got floating-point number`, 'eval_type_error');
    }
    const n = Math.abs(raw);
    if (n === 0) return 0;
    const memoKey = `rand.intn\u0000${key}\u0000${n}`;
    const hit = ctx.memo.get(memoKey);
    if (hit !== undefined) return hit;
    const v = randomBelow(n);
    ctx.memo.set(memoKey, v);
    return v;
  },
};
