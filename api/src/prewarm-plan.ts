// The pre-warm plan for an event: what the cluster needs before its start, computed by a pure
// function from the expected audience, a capacity profile (the load tester's capacity.json, or
// the documented default below) and the shards live now. Every estimate is a product of named
// assumptions (constants with units), so an SRE can redo it by hand (docs/operations.md).
// docs/capacity.md checks these terms against measured costs; the shards are sized for the
// audience, the join rate and the CPU of delivering the chat to every fan, whichever needs most.

import { ASSIGNMENT_HEADROOM } from '@fanfare/fanout';
import type { PrewarmPlan, PrewarmRequest, ShardFigures } from '@fanfare/protocol';

/** The plan's request and answer types: defined in @fanfare/protocol (the console reads them). */
export type { PrewarmPlan, PrewarmRequest, ShardFigures };

/**
 * Used when no capacity.json is given: the shard's default SHARD_CAPACITY (19,000); joins at the
 * planning cost of docs/capacity.md (300 CPU-µs each on the shard: 3,300 per second per core;
 * measured 424-687 µs on a loaded box, ~256 µs on a quieter one); deliveries by the chat rate
 * (DELIVERY_CPU_US_*).
 */
export const DEFAULT_SHARD_FIGURES: ShardFigures = {
  fansPerShard: 19_000,
  connectsPerSec: 3_300,
  deliveriesPerSec: null,
  source: 'default',
};

/** Share of a shard's capacity the API assigns fans to (the rest absorbs reconnects). */
export const ASSIGNABLE_SHARE = 1 - ASSIGNMENT_HEADROOM;
/** Shards kept beyond the need, so losing one during the event strands no fan. */
export const SPARE_SHARDS = 1;
/** Event messages (chat, stage, deletions) per second per 1,000 fans at peak, assumed. */
export const EVENT_MSGS_PER_S_PER_KFAN = 2;
/** Most event messages per second the chat path carries for one event (its ingest budget). */
export const EVENT_MSGS_PER_S_MAX = 500;
/**
 * Shard CPU per chat delivery (one message to one fan), µs, by the event's message rate: a shard
 * batches the messages of 10 ms into one frame, so the cost per delivery falls as the rate rises
 * (measured 0.44 µs at 758 msg/s, 1.33 µs at 100 msg/s on a loaded box: docs/capacity.md).
 */
export const DELIVERY_CPU_US_BELOW_500 = 1;
export const DELIVERY_CPU_US_FROM_500 = 0.5;
/** Signals per second each shard publishes for an event (reaction partials, viewer counts). */
export const SIGNAL_MSGS_PER_S_PER_SHARD = 6;
/** Redis operations per second each shard makes for one event: heartbeat, sanctions, stage, tallies. */
export const REDIS_OPS_PER_S_PER_SHARD = 5;
/** Redis operations per join (a registry read amortised by the API's cache, a sanction check). */
export const REDIS_OPS_PER_JOIN = 1;
/** Share of fans voting within one second when a poll opens, assumed. */
export const VOTING_SHARE_PER_S = 0.05;
/** The default LL-HLS ladder's bitrates, bits/s, highest first (media's DEFAULT_LADDER). */
export const DEFAULT_RENDITION_BPS = [800_000, 250_000] as const;
/** Pre-warm lead: shard pods start, register, open rooms and warm the CDN before fans come, min. */
export const LEAD_TIME_MIN = 60;

/** A shard live now, as the registry reports it. */
export interface LiveShard {
  id: string;
  capacity: number;
  fans: number;
  draining: boolean;
}

/** Computes the plan. Pure: the same inputs give the same plan. */
export function planPrewarm(
  request: PrewarmRequest,
  figures: ShardFigures,
  live: readonly LiveShard[],
  renditionBps: readonly number[] = DEFAULT_RENDITION_BPS,
  /** Room other events' pre-warms reserved and their fans do not fill yet (prewarm-shards.ts). */
  reservedFans = 0,
): PrewarmPlan {
  const fans = request.expectedPeakFans;
  const eventMsgs = Math.min(
    Math.ceil((fans / 1000) * EVENT_MSGS_PER_S_PER_KFAN),
    EVENT_MSGS_PER_S_MAX,
  );
  const forFans = Math.ceil(fans / Math.floor(figures.fansPerShard * ASSIGNABLE_SHARE));
  const forJoins = Math.ceil(request.expectedJoinsPerSec / figures.connectsPerSec);
  // Every accepted message goes to every fan: fans × rate deliveries a second, spread over shards.
  const deliveriesPerShard = figures.deliveriesPerSec ?? 1e6 / deliveryCpuUs(eventMsgs);
  const forDelivery = Math.ceil((fans * eventMsgs) / deliveriesPerShard);
  const shards = Math.max(forFans, forJoins, forDelivery, 1) + SPARE_SHARDS;
  const viewers = Math.min(request.tiers?.llHls ?? fans, fans);
  const webrtcSeats = Math.min(request.tiers?.webrtc ?? 0, fans);
  const usable = live.filter((s) => !s.draining);
  const freeFans = usable.reduce(
    (sum, s) => sum + Math.max(0, Math.floor(s.capacity * ASSIGNABLE_SHARE) - s.fans),
    0,
  );
  const missing: string[] = [];
  if (usable.length < shards) {
    missing.push(
      `${shards - usable.length} more shard(s): ${usable.length} live, ${shards} needed`,
    );
  }
  // Room with one shard lost: without the largest shard's share (its own fans move too).
  const spareFans = usable.reduce(
    (max, s) => Math.max(max, Math.floor(s.capacity * ASSIGNABLE_SHARE)),
    0,
  );
  const room = freeFans - spareFans - reservedFans;
  if (room < fans) {
    const others = reservedFans > 0 ? ` (${reservedFans} reserved by other events)` : '';
    missing.push(`room for ${fans - Math.max(0, room)} more fans with one shard lost${others}`);
  }
  return {
    shards,
    shardsFor: { fans: forFans, joins: forJoins, delivery: forDelivery, spare: SPARE_SHARDS },
    figures,
    natsMsgsPerSec: eventMsgs * (1 + shards) + SIGNAL_MSGS_PER_S_PER_SHARD * shards * (1 + shards),
    redisOpsPerSec: Math.ceil(
      shards * REDIS_OPS_PER_S_PER_SHARD +
        request.expectedJoinsPerSec * REDIS_OPS_PER_JOIN +
        fans * VOTING_SHARE_PER_S,
    ),
    llHls: {
      viewers,
      renditions: renditionBps.length,
      // Every viewer on the top rendition: the most the CDN serves.
      peakEgressBps: viewers * (renditionBps[0] ?? 0),
      // Each CDN edge pulls every rendition once.
      originBpsPerEdge: renditionBps.reduce((a, b) => a + b, 0),
    },
    webrtcSeats,
    leadTimeMin: LEAD_TIME_MIN,
    ...(request.startsAt === undefined
      ? {}
      : { warmBy: request.startsAt - LEAD_TIME_MIN * 60_000 }),
    cluster: { liveShards: usable.length, freeFans, reservedFans, missing },
  };
}

/** Shard CPU per chat delivery at `msgsPerSec` messages a second to every fan, µs. */
export function deliveryCpuUs(msgsPerSec: number): number {
  return msgsPerSec >= 500 ? DELIVERY_CPU_US_FROM_500 : DELIVERY_CPU_US_BELOW_500;
}

/**
 * Shard figures from a capacity profile (loadtest/results/capacity.json): the largest fan count
 * that held the objective, the join storm's connect rate, and the most deliveries a second a
 * ramp held within the objective; the defaults for what is missing.
 */
export function figuresFromProfile(profile: unknown): ShardFigures {
  const shardsOf = (profile as { shards?: unknown } | null)?.shards;
  if (!Array.isArray(shardsOf)) return DEFAULT_SHARD_FIGURES;
  const rows = shardsOf as {
    fans?: unknown;
    held?: unknown;
    connectsPerSec?: unknown;
    deliveriesPerSec?: unknown;
  }[];
  const held = rows.filter((r) => r.held === true && typeof r.fans === 'number');
  const fans = Math.max(0, ...held.map((r) => r.fans as number));
  const rates = rows.map((r) => r.connectsPerSec).filter((c): c is number => typeof c === 'number');
  if (fans === 0) return DEFAULT_SHARD_FIGURES;
  const delivered = held
    .map((r) => r.deliveriesPerSec)
    .filter((d): d is number => typeof d === 'number' && d > 0);
  return {
    fansPerShard: fans,
    connectsPerSec: rates.length > 0 ? Math.max(...rates) : DEFAULT_SHARD_FIGURES.connectsPerSec,
    deliveriesPerSec: delivered.length > 0 ? Math.max(...delivered) : null,
    source: 'measured',
  };
}
