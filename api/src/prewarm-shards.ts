// The pre-warm readiness the shards report in their registry entries: `shard_rooms`, every live
// shard holds the event's room open (ShardState `warm`), and `jwks`, every live shard's token
// verifier holds its keys (ShardState `jwks`). Draining shards take no fans and are not counted.
// A shard older than these fields never reports them, so it stays pending.

import type { ReadinessItem, ShardState } from '@fanfare/protocol';

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
