/**
 * Compile-time variable scopes. Every variable of a rule body (and of the comprehensions and
 * `every`/`not` bodies nested in it) gets a slot in one frame array; whether a variable is bound
 * at a given point is known statically because bodies were ordered by the safety stage.
 */

/** Slot 0 of every frame holds the body's accumulator (rule value, set, comprehension result). */
export const ACC = 0;

export class FrameLayout {
  size = 1;
  alloc(): number { return this.size++; }
}

export class Scope {
  private readonly names = new Map<string, number>();
  private readonly bound = new Set<string>();
  constructor(readonly frame: FrameLayout, readonly parent?: Scope) {}

  /** Slot of `name`, creating a local if nothing visible has that name bound. */
  slot(name: string): number {
    const own = this.names.get(name);
    if (own !== undefined) return own;
    const outer = this.parent?.lookupBound(name);
    if (outer !== undefined) return outer;
    const s = this.frame.alloc();
    this.names.set(name, s);
    return s;
  }

  /** Slot of a bound variable visible here, if any. */
  lookupBound(name: string): number | undefined {
    const own = this.names.get(name);
    if (own !== undefined) return this.bound.has(name) ? own : undefined;
    return this.parent?.lookupBound(name);
  }

  isBound(name: string): boolean { return this.lookupBound(name) !== undefined; }

  bind(name: string): number {
    const s = this.slot(name);
    if (this.names.get(name) === s) this.bound.add(name);
    return s;
  }

  /** `some x` / `x :=`: a new local that shadows any outer variable of the same name. */
  declare(name: string): number {
    const s = this.frame.alloc();
    this.names.set(name, s);
    this.bound.delete(name);
    return s;
  }

  /** Bound-variable snapshot, to undo compile-time bindings made inside `not`. */
  snapshot(): Set<string> { return new Set(this.bound); }
  restore(snap: Set<string>): void {
    this.bound.clear();
    for (const n of snap) this.bound.add(n);
  }

  /** Names of the variables owned by this scope, with their slots (for query bindings). */
  ownNames(): [string, number][] { return [...this.names.entries()]; }
}
