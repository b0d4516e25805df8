/**
 * A size-bounded map for compiled patterns. Lookups are a plain `Map.get` (patterns in policies
 * are usually constants, so hits dominate); when full, the oldest entry is dropped (FIFO), which
 * bounds memory against policies that build patterns from input.
 */
export class BoundedMap<K, V> {
  private readonly map = new Map<K, V>();
  constructor(private readonly max: number) {}
  get(k: K): V | undefined { return this.map.get(k); }
  set(k: K, v: V): void {
    if (this.map.size >= this.max && !this.map.has(k)) {
      const oldest = this.map.keys().next();
      if (!oldest.done) this.map.delete(oldest.value);
    }
    this.map.set(k, v);
  }
  get size(): number { return this.map.size; }
}
