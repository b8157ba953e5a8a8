// Keeps this shard's entry in the shard registry fresh: its public URL, capacity, fans per
// event and whether it drains. Failures (Redis down) are logged and retried on the next beat;
// they never touch fans. On close the entry is removed so the API stops sending fans here.

import type { Clock, ShardRegistry, ShardState, TimerHandle } from '@fanfare/fanout';
import type { Logger } from '@fanfare/fanout';
import { OutageLog } from './outage-log.js';

/** How long an entry lives without a heartbeat, ms; beats come every third of it. */
export const REGISTRY_TTL_MS = 6_000;

export class RegistryHeartbeat {
  #registry: ShardRegistry;
  #clock: Clock;
  #state: () => ShardState;
  #logger: Logger;
  #timer: TimerHandle | undefined;
  #outage: OutageLog;

  constructor(registry: ShardRegistry, clock: Clock, state: () => ShardState, logger: Logger) {
    this.#registry = registry;
    this.#clock = clock;
    this.#state = state;
    this.#logger = logger;
    this.#outage = new OutageLog(logger, {
      down: 'shard registry heartbeat failed',
      up: 'shard registry reachable again',
    });
  }

  async start(): Promise<void> {
    await this.beat();
    this.#timer = this.#clock.setInterval(() => void this.beat(), REGISTRY_TTL_MS / 3);
  }

  /** Sends one heartbeat now (also used to publish a state change such as draining at once). */
  async beat(): Promise<void> {
    try {
      await this.#registry.heartbeat(this.#state(), REGISTRY_TTL_MS);
      this.#outage.answered();
    } catch (err) {
      this.#outage.failed(err);
    }
  }

  async close(): Promise<void> {
    if (this.#timer) this.#clock.clearInterval(this.#timer);
    this.#timer = undefined;
    try {
      await this.#registry.remove(this.#state().id);
    } catch (err) {
      // The entry then ages out within REGISTRY_TTL_MS: nothing else to do.
      this.#logger.warn('could not remove shard from the registry', { err });
    }
  }
}
