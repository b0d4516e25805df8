/** Merging networks into the smallest equivalent set of CIDRs (`net.cidr_merge`). */
import { bitsOf, formatNet, netOf, type Net } from './ip.js';

/** Sorts, joins overlapping and adjacent ranges, then splits each range into aligned CIDRs. */
export function mergeNets(nets: Net[]): string[] {
  const out: string[] = [];
  for (const v6 of [false, true]) {
    const family = nets.filter(n => n.v6 === v6).sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
    let cur: { start: bigint; end: bigint } | undefined;
    for (const n of family) {
      if (cur && n.start <= cur.end + 1n) {
        if (n.end > cur.end) cur.end = n.end;
        continue;
      }
      if (cur) splitRange(v6, cur.start, cur.end, out);
      cur = { start: n.start, end: n.end };
    }
    if (cur) splitRange(v6, cur.start, cur.end, out);
  }
  return out;
}

/** Emits the minimal list of CIDRs covering exactly [start, end]. */
function splitRange(v6: boolean, start: bigint, end: bigint, out: string[]): void {
  const bits = bitsOf(v6);
  while (start <= end) {
    // The largest block aligned at `start` that does not pass `end`.
    let size = 0;
    while (size < bits) {
      const next = 1n << BigInt(size + 1);
      if ((start & (next - 1n)) !== 0n || start + next - 1n > end) break;
      size++;
    }
    out.push(formatNet(netOf(v6, start, bits - size)));
    start += 1n << BigInt(size);
  }
}
