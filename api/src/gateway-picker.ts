// Picks the gateway shard for each join from the shard registry. The live shard list is cached
// briefly (a join storm must not become a Redis storm) and the fans assigned since the last
// read are counted locally, so a burst between refreshes still fills shards in turn. When the
// registry is unreachable the last list keeps serving, so a Redis outage does not stop joins.

import { assignShard, type ShardRegistry, type ShardState } from '@fanfare/fanout';
import type { Logger } from '@fanfare/fanout';

/** How long a read of the registry is reused, ms. */
export const REGISTRY_CACHE_MS = 250;

export class GatewayPicker {
  #registry: ShardRegistry;
  #logger: Logger;
  #now: () => number;
  #shards: ShardState[] = [];
  #readAt = Number.NEGATIVE_INFINITY;
  #refreshing: Promise<void> | undefined;

  constructor(registry: ShardRegistry, logger: Logger, now: () => number = Date.now) {
    this.#registry = registry;
    this.#logger = logger;
    this.#now = now;
  }

  /** The URL of the shard for one more fan of `eventId`, or undefined when none can take it. */
  async pick(eventId: string): Promise<string | undefined> {
    if (this.#now() - this.#readAt >= REGISTRY_CACHE_MS) {
      this.#refreshing ??= this.#refresh().finally(() => (this.#refreshing = undefined));
      await this.#refreshing;
    }
    const shard = assignShard(this.#shards, eventId);
    if (!shard) return undefined;
    shard.fans++;
    shard.events[eventId] = (shard.events[eventId] ?? 0) + 1;
    return shard.url;
  }

  async #refresh(): Promise<void> {
    try {
      this.#shards = await this.#registry.live();
      this.#readAt = this.#now();
    } catch (err) {
      // Keep the last list; try again on the next join after the cache time.
      this.#readAt = this.#now();
      this.#logger.warn('shard registry unreachable; assigning from the last known shards', {
        err,
      });
    }
  }
}
