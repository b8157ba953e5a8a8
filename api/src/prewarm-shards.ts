// The pre-warm readiness the shards report in their registry entries: `shard_rooms`, every live
// shard holds the event's room open (ShardState `warm`), and `jwks`, every live shard's token
// verifier holds its keys (ShardState `jwks`). Draining shards take no fans and are not counted.
// A shard older than these fields never reports them, so it stays pending. Also the room other
// events' pre-warms reserved in the registry, which a plan may not count on.

import type { ReadinessItem, ShardState } from '@fanfare/protocol';

/** How long a pre-warm's capacity reservation lasts, ms: 6 h; each POST renews it. */
export const CAPACITY_RESERVATION_MS = 6 * 60 * 60_000;

/**
 * Fans other events reserved (their pre-warms' expected peaks) that their fans connected now do
 * not fill yet: the room a plan for `eventId` may not count on.
 */
export function reservedByOthers(
  eventId: string,
  reservations: readonly { eventId: string; fans: number }[],
  live: readonly ShardState[],
): number {
  const connected = (id: string) => live.reduce((n, s) => n + (s.events[id] ?? 0), 0);
  return reservations
    .filter((r) => r.eventId !== eventId)
    .reduce((sum, r) => sum + Math.max(0, r.fans - connected(r.eventId)), 0);
}

function share(
  item: ReadinessItem['item'],
  shards: ShardState[],
  has: (shard: ShardState) => boolean,
  what: string,
): ReadinessItem {
  const n = shards.length;
  if (n === 0) return { item, state: 'pending', reason: 'no live shard' };
  const k = shards.filter(has).length;
  return { item, state: k === n ? 'ready' : 'pending', reason: `${k} of ${n} live shards ${what}` };
}

/** `shard_rooms` and `jwks` for `eventId` against the live shards. */
export function shardReadiness(eventId: string, live: ShardState[]): ReadinessItem[] {
  const serving = live.filter((s) => !s.draining);
  return [
    share('shard_rooms', serving, (s) => s.warm?.includes(eventId) ?? false, 'hold the room warm'),
    share('jwks', serving, (s) => (s.jwks?.kids.length ?? 0) > 0, 'hold the token keys'),
  ];
}
