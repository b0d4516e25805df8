/**
 * Device posture as a gateway or MDM reports it in `input`, normalised so that a policy can test
 * fields without guarding against missing keys or wrong types, and so that anything missing or
 * malformed reads as the insecure answer (fail closed).
 */
import { objectGet, type PlainObject, type PolObject, type Value } from '../../value.js';
import { normalizeFingerprint } from './fingerprint.js';

/**
 * `os_patch_age_days` when the age is unknown or malformed: "never patched" (2^31 − 1 days), so
 * that both `age <= 30` (allow) and `age > 30` (deny) fail closed. Known ages are capped to it.
 */
export const UNKNOWN_PATCH_AGE_DAYS = 2147483647;

/** Only the JSON value `true` counts: `"true"`, `1` and missing keys are all false. */
function flag(device: PlainObject | PolObject, key: string): boolean {
  return objectGet(device, key) === true;
}

/**
 * Whole days, rounded up (30.2 days is older than 30). Negative, non-finite and non-numeric values
 * are unknown; so are integers beyond 2^53 (bigint), which the cap would reach anyway.
 */
function patchAge(v: Value | undefined): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) return UNKNOWN_PATCH_AGE_DAYS;
  return Math.min(Math.ceil(v), UNKNOWN_PATCH_AGE_DAYS);
}

function text(v: Value | undefined): string { return typeof v === 'string' ? v : ''; }

/** The normalised posture: always the same six keys with the same types. */
export function normalizePosture(device: PlainObject | PolObject): PlainObject {
  const fp = objectGet(device, 'client_cert_fingerprint');
  return {
    managed: flag(device, 'managed'),
    compliant: flag(device, 'compliant'),
    disk_encrypted: flag(device, 'disk_encrypted'),
    os_patch_age_days: patchAge(objectGet(device, 'os_patch_age_days')),
    client_cert_fingerprint: typeof fp === 'string' ? normalizeFingerprint(fp) ?? '' : '',
    device_id: text(objectGet(device, 'device_id')),
  };
}
