// Every per-process cache (short-lived lists, parsed files, the parsed configuration) registers
// here, so whoever runs many independent things in one process — the test harness between test
// files — can empty them all at once and no run sees what an earlier one cached.

/** What a cache must offer: Map, Set and ClearableWeakMap do. */
export interface Clearable {
  clear(): void;
}

// A list, not a map by name: a module evaluated twice (two specifiers) keeps both resets.
const resets: { name: string; reset: () => void }[] = [];

/** Registers a cache (returned, so its declaration stays one line) or a reset function. */
export function registerCache<C extends Clearable>(name: string, cache: C): C;
export function registerCache(name: string, reset: () => void): void;
export function registerCache<C extends Clearable>(name: string, cache: C | (() => void)): C | undefined {
  resets.push({ name, reset: typeof cache === 'function' ? cache : () => cache.clear() });
  return typeof cache === 'function' ? undefined : cache;
}

/** Empties every registered cache. */
export function resetCaches(): void {
  for (const { reset } of resets) reset();
}

/** The registered names (for tests and diagnostics). */
export function cacheNames(): string[] {
  return resets.map((r) => r.name);
}

/** A WeakMap that can be emptied (a WeakMap cannot: this one swaps in a new one). */
export class ClearableWeakMap<K extends object, V> implements Clearable {
  private map = new WeakMap<K, V>();
  get(key: K): V | undefined {
    return this.map.get(key);
  }
  has(key: K): boolean {
    return this.map.has(key);
  }
  set(key: K, value: V): this {
    this.map.set(key, value);
    return this;
  }
  delete(key: K): boolean {
    return this.map.delete(key);
  }
  clear(): void {
    this.map = new WeakMap<K, V>();
  }
}
