// The in-process Bus of the embedded mode. Delivery is synchronous, inside `publish`, in
// subscription order; a handler that publishes again is delivered to before `publish` returns.

import type { Bus, BusHandler, Subscription } from './bus.js';
import { HandlerRegistry } from './handler-registry.js';

export interface MemoryBusOptions {
  /** Where a throwing handler is reported. Defaults to console.error. */
  onHandlerError?: (err: unknown, subject: string) => void;
}

export class MemoryBus implements Bus {
  #handlers = new HandlerRegistry<BusHandler>();
  #closed = false;
  #onError: (err: unknown, subject: string) => void;

  constructor(options: MemoryBusOptions = {}) {
    this.#onError =
      options.onHandlerError ?? ((err, subject) => console.error(`bus handler on ${subject}`, err));
  }

  publish(subject: string, data: Uint8Array): void {
    if (this.#closed) return;
    this.#handlers.forEach(
      subject,
      (handler) => handler(data, subject),
      (err) => this.#onError(err, subject),
    );
  }

  subscribe(subject: string, handler: BusHandler): Subscription {
    if (this.#closed) return { unsubscribe: () => undefined };
    const registration = this.#handlers.add(subject, handler);
    return { unsubscribe: () => void registration.remove() };
  }

  activeSubjects(): number {
    return this.#handlers.size;
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#handlers.clear();
  }
}
