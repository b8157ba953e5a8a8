// Which shard a grant names as its fallback (ResumeTicketGrant.fallbackUrl): when this shard dies,
// each of its fans resumes on the shard its last grant named, with no join call. The rule spreads
// them over the survivors in proportion to each one's free room (capacity − fans), so a kill does
// not pile every fan onto one survivor, and a survivor with more room takes more of them. Pure:
// the registry read and the random source come in.
//
// Trade-off: the weights are those of the last registry read when the grant was issued, not of
// the moment of the kill; a grant is renewed every half ticket lifetime, so they are minutes old
// at worst. A survivor that filled since takes them all the same: as for any resume, a shard
// refuses only past its connection-rate budget (503 `overloaded`, admission.ts), never for
// capacity, so an old table can put a survivor over its SHARD_CAPACITY.

import type { ShardState } from '@fanfare/fanout';

/**
 * The peers a grant may name, with cumulative weights, built once per registry read so that a
 * pick costs one random draw and a binary search over the peers (a welcome storm picks per fan).
 */
export interface FallbackTable {
  /** The peers' URLs, in registry (id) order. */
  readonly urls: readonly string[];
  /** `ends[i]`: the sum of the free room of peers 0..i; strictly increasing. */
  readonly ends: readonly number[];
}

/** No peer to name. */
export const NO_FALLBACK: FallbackTable = { urls: [], ends: [] };

/**
 * The peers of shard `selfId` among the `live` shards: every shard but itself that is not
 * draining, has free room (capacity − fans > 0) and a URL, weighted by that free room.
 * A shard listed twice under its id is taken once (the first entry).
 */
export function fallbackTable(selfId: string, live: readonly ShardState[]): FallbackTable {
  const urls: string[] = [];
  const ends: number[] = [];
  const seen = new Set<string>([selfId]);
  let total = 0;
  for (const shard of live) {
    if (seen.has(shard.id)) continue;
    seen.add(shard.id);
    const free = shard.capacity - shard.fans;
    if (shard.draining || !(free > 0) || shard.url === '') continue;
    total += free;
    urls.push(shard.url);
    ends.push(total);
  }
  return urls.length === 0 ? NO_FALLBACK : { urls, ends };
}

/**
 * One peer's URL, peer i with probability free_i / Σ free, drawn with `random()` (a number in
 * [0, 1), as Math.random); undefined when the table names no peer. Deterministic given `random`.
 */
export function pickFallback(table: FallbackTable, random: () => number): string | undefined {
  const { urls, ends } = table;
  const last = ends.length - 1;
  if (last < 0) return undefined;
  const r = random() * ends[last]!;
  // The first peer whose cumulative end lies beyond r.
  let lo = 0;
  let hi = last;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ends[mid]! > r) hi = mid;
    else lo = mid + 1;
  }
  return urls[lo];
}
