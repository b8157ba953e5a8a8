// The seam between shards for ephemeral signals (reaction partials, presence counts): publish
// and subscribe by subject. Implementations: MemoryBus (embedded mode, one process) and, in the
// distributed mode, a NATS one. Both run bus.contract.ts.

export type BusHandler = (data: Uint8Array, subject: string) => void;

export interface Subscription {
  /** Stops delivery to this handler. Idempotent. */
  unsubscribe(): void;
}

export interface Bus {
  /**
   * Sends `data` to every current subscriber of `subject`, in any process. At-most-once:
   * nothing is stored, a subscriber that is not there misses it, and a send fails silently
   * (counted in metrics) when the transport is down. Order is kept per publisher and subject.
   */
  publish(subject: string, data: Uint8Array): void;

  /**
   * Delivers every message published to `subject` after this call to `handler`. Subscriptions
   * are ref-counted: the transport-level subscription is opened by the first handler on a
   * subject and closed with the last, however many local handlers share it. A handler that
   * throws is logged and does not affect other handlers.
   */
  subscribe(subject: string, handler: BusHandler): Subscription;

  /** Subjects for which a transport-level subscription is open now. */
  activeSubjects(): number;

  /** Drops every subscription and releases the transport. Idempotent. */
  close(): Promise<void>;
}
