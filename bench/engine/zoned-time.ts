/**
 * Local weekday and hour of an instant in an IANA time zone, for the engines that cannot do it
 * themselves (the floor, Cedar, Casbin). A zone's UTC offset only changes at transitions, so it is
 * looked up once per UTC hour with Intl and remembered: what a careful hand-written service does.
 */
const HOUR_MS = 3_600_000;

export interface LocalClock { weekday: number; hour: number }

export class ZonedClock {
  private readonly offsets = new Map<number, number>();
  private readonly format: Intl.DateTimeFormat;

  constructor(readonly timeZone: string) {
    this.format = new Intl.DateTimeFormat('en-US', {
      timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
  }

  /** Offset from UTC in milliseconds at `ms` (whole seconds are enough for every zone in use). */
  offsetAt(ms: number): number {
    const bucket = Math.floor(ms / HOUR_MS);
    let off = this.offsets.get(bucket);
    if (off === undefined) {
      const at = bucket * HOUR_MS;
      const parts: Record<string, number> = {};
      for (const p of this.format.formatToParts(at)) if (p.type !== 'literal') parts[p.type] = Number(p.value);
      const local = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
      off = local - at;
      this.offsets.set(bucket, off);
    }
    return off;
  }

  /** Weekday (0 = Sunday) and hour in the zone. */
  at(ms: number): LocalClock {
    const local = new Date(ms + this.offsetAt(ms));
    return { weekday: local.getUTCDay(), hour: local.getUTCHours() };
  }
}
