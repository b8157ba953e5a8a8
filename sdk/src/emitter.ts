// A minimal typed event emitter (no dependency, works in browsers and Node). A throwing handler
// must not break the client's frame processing, so its error is rethrown from a microtask, where
// the host reports it (window.onerror, Node's uncaughtException), as EventTarget does.

export type Handler<T> = (payload: T) => void;

export class Emitter<Events extends object> {
  #handlers = new Map<keyof Events, Set<Handler<never>>>();

  /** Calls `handler` for every later `type` event; returns a function that unsubscribes it. */
  on<K extends keyof Events>(type: K, handler: Handler<Events[K]>): () => void {
    let set = this.#handlers.get(type);
    if (!set) {
      set = new Set();
      this.#handlers.set(type, set);
    }
    set.add(handler);
    return () => {
      set.delete(handler);
    };
  }

  /** Calls the handlers of `type` in subscription order. */
  emit<K extends keyof Events>(type: K, payload: Events[K]): void {
    const set = this.#handlers.get(type);
    if (!set) return;
    for (const handler of [...set] as Handler<Events[K]>[]) {
      try {
        handler(payload);
      } catch (err) {
        queueMicrotask(() => {
          throw err;
        });
      }
    }
  }
}
