/** Hashes and HMACs over the UTF-8 bytes of strings, hex-encoded as OPA returns them. */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { BuiltinImpl } from './types.js';
import { stringOperand } from './time/operands.js';

const digest = (name: string, algo: string): BuiltinImpl => args =>
  createHash(algo).update(stringOperand(name, args, 0), 'utf8').digest('hex');

const hmac = (name: string, algo: string): BuiltinImpl => args => {
  const message = stringOperand(name, args, 0);
  const key = stringOperand(name, args, 1);
  return createHmac(algo, Buffer.from(key, 'utf8')).update(message, 'utf8').digest('hex');
};

/** Constant-time for equal lengths; differing lengths answer false at once, as Go's hmac.Equal does. */
const hmacEqual: BuiltinImpl = args => {
  const a = Buffer.from(stringOperand('crypto.hmac.equal', args, 0), 'utf8');
  const b = Buffer.from(stringOperand('crypto.hmac.equal', args, 1), 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
};

export const impls: Record<string, BuiltinImpl> = {
  'crypto.md5': digest('crypto.md5', 'md5'),
  'crypto.sha1': digest('crypto.sha1', 'sha1'),
  'crypto.sha256': digest('crypto.sha256', 'sha256'),
  'crypto.hmac.md5': hmac('crypto.hmac.md5', 'md5'),
  'crypto.hmac.sha1': hmac('crypto.hmac.sha1', 'sha1'),
  'crypto.hmac.sha256': hmac('crypto.hmac.sha256', 'sha256'),
  'crypto.hmac.sha512': hmac('crypto.hmac.sha512', 'sha512'),
  'crypto.hmac.equal': hmacEqual,
};
