// Ref-counted handler sets per key, shared by every Bus and EventLog implementation so the
// "open on first, close on last" rule is written once.

export interface Registration {
  /** True when this was the first handler for the key (open the transport subscription). */
  readonly first: boolean;
  /** Removes the handler; returns true when it was the last one (close the subscription). Idempotent. */
  remove(): boolean;
}

export class HandlerRegistry<H> {
  #byKey = new Map<string, Set<{ handler: H }>>();

  add(key: string, handler: H): Registration {
    let set = this.#byKey.get(key);
    const first = set === undefined;
    if (!set) this.#byKey.set(key, (set = new Set()));
    // Wrapped so that the same function registered twice counts twice.
    const entry = { handler };
    set.add(entry);
    let removed = false;
    return {
      first,
      remove: () => {
        if (removed) return false;
        removed = true;
        const current = this.#byKey.get(key);
        if (!current) return false;
        current.delete(entry);
        if (current.size > 0) return false;
        this.#byKey.delete(key);
        return true;
      },
    };
  }

  /** Calls `fn` with each handler for `key`; a throwing handler is reported to `onError`. */
  forEach(key: string, fn: (handler: H) => void, onError: (err: unknown) => void): void {
    const set = this.#byKey.get(key);
    if (!set) return;
    for (const entry of set) {
      try {
        fn(entry.handler);
      } catch (err) {
        onError(err);
      }
    }
  }

  has(key: string): boolean {
    return this.#byKey.has(key);
  }

  get size(): number {
    return this.#byKey.size;
  }

  keys(): IterableIterator<string> {
    return this.#byKey.keys();
  }

  clear(): void {
    this.#byKey.clear();
  }
}
