// An event's pre-warm as the API's `POST` and `GET /v1/events/{id}/prewarm` carry it: the
// expected audience asked for (`PrewarmRequest`), the plan computed from it (`PrewarmPlan`, by
// the API's prewarm-plan.ts) and the readiness list. Defined once here: the API answers it and
// the console reads it. Types and the readiness items only.

/** What one shard holds, from a capacity profile. */
export interface ShardFigures {
  /** Fans one shard holds (its SHARD_CAPACITY). */
  fansPerShard: number;
  /** Fans one shard admits per second in a join storm. */
  connectsPerSec: number;
  /**
   * Chat deliveries (one message to one fan) one shard core makes per second within the latency
   * objective; null: the planner's default for the event's chat rate (docs/capacity.md).
   */
  deliveriesPerSec: number | null;
  /** Where the figures come from: `capacity.json` (measured) or the API's defaults. */
  source: 'measured' | 'default';
}

export interface PrewarmRequest {
  expectedPeakFans: number;
  expectedJoinsPerSec: number;
  /** When the event starts, ms since the Unix epoch. */
  startsAt?: number | undefined;
  /** How fans watch: LL-HLS viewers (default every fan) and WebRTC seats (default none). */
  tiers?: { llHls?: number | undefined; webrtc?: number | undefined } | undefined;
}

export interface PrewarmPlan {
  /** Shards needed, the spare included. */
  shards: number;
  /** Of which: for the peak audience, for the join rate, for delivering the chat, and the spare. */
  shardsFor: { fans: number; joins: number; delivery: number; spare: number };
  figures: ShardFigures;
  /**
   * Messages per second through NATS at peak: each event message in once and out to every shard,
   * and every shard's signals (reactions, viewer counts) in once and out to every shard.
   */
  natsMsgsPerSec: number;
  redisOpsPerSec: number;
  llHls: { viewers: number; renditions: number; peakEgressBps: number; originBpsPerEdge: number };
  webrtcSeats: number;
  leadTimeMin: number;
  /** When to have it all warm, ms since the Unix epoch; absent without `startsAt`. */
  warmBy?: number;
  /** What the cluster has now, and what it lacks; empty `missing` when it can meet the plan. */
  cluster: {
    liveShards: number;
    freeFans: number;
    /** Of `freeFans`, what other events' pre-warms reserved and their fans do not fill yet. */
    reservedFans: number;
    missing: string[];
  };
}

/**
 * What the readiness list checks, in its order (`cdn_edge` only with a media service configured,
 * `webrtc_room` only with LiveKit): `shard_rooms`, every live shard holds the event's room open;
 * `jwks`, every live shard's token verifier holds its keys; `cdn_edge`, the event's playlists
 * and init segments fetched through the edge.
 */
export const PREWARM_READINESS_ITEMS = [
  'event_log',
  'shard_registry',
  'shards',
  'capacity',
  'shard_rooms',
  'jwks',
  'cdn_edge',
  'webrtc_room',
] as const;
export const READINESS_STATES = ['ready', 'pending', 'failed'] as const;
export type ReadinessState = (typeof READINESS_STATES)[number];
export interface ReadinessItem {
  item: (typeof PREWARM_READINESS_ITEMS)[number];
  state: ReadinessState;
  reason: string;
}

/** The answer of `POST` and `GET /v1/events/{id}/prewarm`. */
export interface PrewarmAnswer {
  request: PrewarmRequest;
  plan: PrewarmPlan;
  readiness: ReadinessItem[];
}
