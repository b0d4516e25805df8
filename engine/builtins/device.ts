/**
 * pol's device builtins: what a User-Agent says about the client, and the device posture a
 * gateway or MDM passes in `input`. Every answer fails closed: unknown text parses to empty
 * fields and type `unknown`, missing posture reads as unmanaged, bad fingerprints never match.
 */
import { decls } from '../../dsl/builtins/decls/device.js';
import { PolSet, type PlainObject, type PolObject, type Value } from '../value.js';
import { withChecks } from './check.js';
import type { BuiltinImpl } from './types.js';
import { describeUserAgent, deviceInfoValue } from './device/user-agent.js';
import { normalizePosture } from './device/posture.js';
import { fingerprintMatches } from './device/fingerprint.js';

export { MAX_USER_AGENT } from './device/user-agent.js';
export { UNKNOWN_PATCH_AGE_DAYS } from './device/posture.js';

// Operand kinds (and the string elements of `trusted`) are checked by `withChecks` from the
// declarations, so the casts below hold.
export const impls: Record<string, BuiltinImpl> = withChecks(decls, {
  'device.parse': ([ua]) => deviceInfoValue(describeUserAgent(ua as string)),
  'device.posture': ([d]) => normalizePosture(d as PlainObject | PolObject),
  'device.fingerprint_matches': ([fp, trusted]) =>
    fingerprintMatches(fp as string, (trusted instanceof PolSet ? trusted.values() : trusted as Value[]) as Iterable<string>),
});
