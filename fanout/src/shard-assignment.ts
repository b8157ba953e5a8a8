// Where a joining fan should connect: keep an event's fans on as few shards as capacity allows
// (fewer shards subscribed per event means less cross-shard traffic), spread a big event when
// its shards fill, and never send fans to a full or draining shard.

import type { ShardState } from './shard-registry.js';

/** Shards keep this share of capacity free for reconnects and rebalancing. */
export const ASSIGNMENT_HEADROOM = 0.05;

/**
 * Picks a shard for one more fan of `eventId`, or undefined when every shard is full or
 * draining. Among shards already serving the event, the fullest one with room wins (packing);
 * otherwise the shard with the most free room (spreading new events evenly).
 */
export function assignShard(
  shards: readonly ShardState[],
  eventId: string,
): ShardState | undefined {
  const open = shards.filter(
    (s) => !s.draining && s.fans < Math.floor(s.capacity * (1 - ASSIGNMENT_HEADROOM)),
  );
  let best: ShardState | undefined;
  for (const s of open) {
    const here = s.events[eventId] ?? 0;
    if (here === 0) continue;
    if (!best || here > (best.events[eventId] ?? 0)) best = s;
  }
  if (best) return best;
  for (const s of open) if (!best || s.capacity - s.fans > best.capacity - best.fans) best = s;
  return best;
}
