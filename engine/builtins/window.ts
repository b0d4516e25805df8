/**
 * `time.in_window`: business-hours windows in local wall-clock time. The instant is converted to
 * the zone's local time (so DST gaps and repeats follow from the conversion) and looked up in the
 * spec's compiled week; specs compile once and are memoised by their text (window/spec.ts).
 */
import { decls } from '../../dsl/builtins/decls/window.js';
import { withChecks } from './check.js';
import { BuiltinError, type BuiltinImpl } from './types.js';
import { intOperand } from './time/operands.js';
import { MAX_NS, MIN_NS, epochSeconds, floorDiv, weekdayOf } from './time/civil.js';
import { resolveZone } from './time/zone.js';
import { MAX_SPEC_LENGTH, scheduleOf } from './window/spec.js';
import type { Value } from '../value.js';

const NAME = 'time.in_window';

/** The spec operand as one text: array elements are windows, joined like `;`-separated ones. */
function specText(spec: Value): string | undefined {
  if (typeof spec === 'string') return spec;
  const parts = spec as string[];
  if (parts.length === 0) return undefined;
  let length = parts.length - 1;
  for (const p of parts) length += p.length;
  if (length > MAX_SPEC_LENGTH) throw new BuiltinError(`${NAME}: invalid window spec: spec longer than ${MAX_SPEC_LENGTH} characters`);
  return parts.join(';');
}

const inWindow: BuiltinImpl = args => {
  const ns = intOperand(NAME, args, 0);
  if (ns < MIN_NS || ns > MAX_NS) throw new BuiltinError(`${NAME}: timestamp too big`);
  const tz = args[1] as string;
  const zone = resolveZone(tz);
  if (!zone) throw new BuiltinError(`${NAME}: unknown time zone ${tz}`);
  const text = specText(args[2]!);
  // No windows at all (an empty array) covers no time.
  if (text === undefined) return false;
  const schedule = scheduleOf(text);
  if (typeof schedule === 'string') throw new BuiltinError(`${NAME}: invalid window spec: ${schedule}`);
  const sec = epochSeconds(ns);
  const local = sec + zone.offsetAt(sec);
  const day = floorDiv(local, 86400);
  return schedule.covers(weekdayOf(day), floorDiv(local - day * 86400, 60));
};

export const impls: Record<string, BuiltinImpl> = withChecks(decls, {
  [NAME]: inWindow,
});
