/** Reproducible pseudo-random numbers for generated test data (mulberry32: small, and every bit of it varies). */
export function seededRandom(seed: number): (n: number) => number {
  let s = seed;
  /** An integer from 0 to n - 1. */
  return (n: number): number => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) % n;
  };
}
