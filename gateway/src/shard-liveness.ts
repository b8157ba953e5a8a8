// Which shards are alive, as far as the shard registry can tell: the watch parties' dead-shard
// check (members whose shard died go offline). Unknown is a valid answer, and the safe one: a
// shard that cannot read the registry, or finds itself missing from it, judges no one dead.

import type { Logger, ShardRegistry } from '@fanfare/fanout';
import { OutageLog } from './outage-log.js';

export class ShardLiveness {
  #registry: ShardRegistry | undefined;
  #shardId: string;
  #outage: OutageLog;

  /** Without a registry every answer is unknown (every shard counts as alive). */
  constructor(registry: ShardRegistry | undefined, shardId: string, logger: Logger) {
    this.#registry = registry;
    this.#shardId = shardId;
    this.#outage = new OutageLog(logger, {
      down: 'shard registry unreachable; skipping the dead-shard check',
      up: 'shard registry readable again; dead-shard check resumed',
    });
  }

  /** Shards alive now; undefined when unknown (no registry, unreachable, or not listing us). */
  async live(): Promise<ReadonlySet<string> | undefined> {
    if (!this.#registry) return undefined;
    try {
      const live = new Set((await this.#registry.live()).map((s) => s.id));
      this.#outage.answered();
      // A registry that does not list this shard is stale or was reset: trust none of it.
      return live.has(this.#shardId) ? live : undefined;
    } catch (err) {
      this.#outage.failed(err);
      return undefined;
    }
  }
}
