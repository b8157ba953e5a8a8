// The gateway shards as the cluster sees them: what each shard reports to the shard registry
// (`ShardState`, its heartbeat) and the SRE's read of them all (`ShardsAnswer`, the body of the
// API's `GET /v1/shards`). Defined once here: the gateway writes the first, the registry stores
// it, the API answers the second and the console reads it. Types, and the window of `admitted`.

/** One shard's registry entry: where fans reach it and how full it is. */
export interface ShardState {
  /** Stable shard id (SHARD_ID). */
  id: string;
  /** The WebSocket URL fans use to reach this shard. */
  url: string;
  /** Most fans this shard should hold (from the capacity plan). */
  capacity: number;
  /** Fans connected now. */
  fans: number;
  /** Fans per event, for events with at least one fan here. */
  events: Record<string, number>;
  /** A draining shard takes no new fans. */
  draining: boolean;
  /** When the shard took these figures, ms since the epoch (its clock). */
  at: number;
  /**
   * WebSocket upgrades this shard refused `overloaded` (its admission budget) since it started;
   * absent from a shard older than this field.
   */
  refusedOverloaded?: number;
  /**
   * Fan-out delivery latency over the shard's last 10 s (complete 2 s steps); absent from a
   * shard older than this field.
   */
  fanout?: FanoutWindow;
  /**
   * Events whose room this shard holds open under a pre-warm lease (fans or not), in id order;
   * absent from a shard older than this field.
   */
  warm?: string[];
  /**
   * The fan-token keys this shard's verifier holds: their key ids and when it fetched them (ms
   * since the epoch, its clock; for keys configured rather than fetched, when it loaded them).
   * Absent until it holds some, and from a shard older than this field.
   */
  jwks?: { kids: string[]; fetchedAt: number };
  /**
   * Fans admitted here by placement (the token's `plc`) over the last ADMITTED_WINDOW_S: per API
   * replica id, per assignment second (as a decimal string), how many. Each API replica counts
   * as still coming exactly its assignments these do not cover. Absent from a shard older than
   * this field (the API then falls back to the report time).
   */
  admitted?: Record<string, Record<string, number>>;
}

/** How long a shard keeps its admissions by placement, seconds (see ShardState.admitted). */
export const ADMITTED_WINDOW_S = 60;

/**
 * One shard's fan-out delivery latency over a window: from the event log accepting a record (a
 * chat message or a deletion; the log's clock) to the shard handing it to its sockets (the
 * shard's clock), so skew between the two hosts adds to it (docs/operations.md).
 */
export interface FanoutWindow {
  /** The window's length, ms; it ends at the last step edge before the heartbeat's `at`. */
  windowMs: number;
  /** Records this shard handed to its sockets in the window (each once, whatever the fans). */
  delivered: number;
  /** Their p99, ms (nearest rank); null when none went out. */
  p99Ms: number | null;
}

/** Whether the API could read the shard registry: `absent` without one (no REDIS_URL). */
export type RegistryState = 'ready' | 'absent' | 'failed';

/** The join outcomes the SRE view counts as the API's refusals for load. */
export const API_LOAD_REFUSALS = ['overloaded', 'rate_limited'] as const;
export type ApiLoadRefusal = (typeof API_LOAD_REFUSALS)[number];

/** `GET /v1/shards`: the live shards, their totals and the joins this API process refused. */
export interface ShardsAnswer {
  registry: { state: RegistryState; reason: string };
  /** Every shard live in the registry, in id order. */
  shards: ShardState[];
  /**
   * Fans on all shards; capacity of the shards not draining; how many drain; the upgrades the
   * live shards refused `overloaded` (a shard gone from the registry takes its count with it);
   * the highest fan-out p99 of their last windows, ms (null when no shard delivered anything in
   * its window, or none reports it).
   */
  totals: {
    fans: number;
    capacity: number;
    draining: number;
    refusedOverloaded: number;
    fanoutP99Ms: number | null;
  };
  /** The joins this API process refused for load since it started (its own counter). */
  refusals: { source: 'api_process' } & Record<ApiLoadRefusal, number>;
}
