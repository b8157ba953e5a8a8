// QoE beacons: what a player reports about its playback over the WebSocket (`qoe` frames), and
// the bounds the decoder holds them to. Shards aggregate them per window into their metrics;
// nothing is answered unless the beacon is refused.

/** What happened to the player. */
export const QOE_KINDS = [
  /** The first frame played; `vstMs` is the time from the play request to it. */
  'video_start',
  /** Playing time since the previous `playing` or `video_start` beacon, in `watchMs`. */
  'playing',
  /** Playback stalled after it had started. */
  'rebuffer_start',
  /** The stall ended; `durationMs` is how long it lasted. */
  'rebuffer_end',
  /** The viewer left (or the player was torn down) before the first frame. */
  'exit_before_start',
  /** Playback failed for good on this tier; `code` names the failure. */
  'fatal',
  /** The player gave up on a tier and fell back to another; `reason` says why. */
  'tier_fallback',
] as const;
export type QoeKind = (typeof QOE_KINDS)[number];

/** The delivery tiers a player may be on. */
export const QOE_TIERS = ['ll-hls', 'webrtc'] as const;
export type QoeTier = (typeof QOE_TIERS)[number];

/** Longest `rendition`, `code` or `reason`, characters (a label, not a message). */
export const QOE_LABEL_MAX_CHARS = 32;
/** Largest `vstMs` or `durationMs`, ms (10 minutes: a longer start or stall is a failure). */
export const QOE_DURATION_MS_MAX = 600_000;
/** Largest `latencyMs` (behind live), ms (one hour: DVR viewing beyond that is not "live"). */
export const QOE_LATENCY_MS_MAX = 3_600_000;
/** Largest `watchMs` in one `playing` beacon, ms (players report every 10 s; a minute is slack). */
export const QOE_WATCH_MS_MAX = 60_000;

/** One QoE beacon, client to server. */
export interface QoeBeacon {
  type: 'qoe';
  kind: QoeKind;
  tier: QoeTier;
  /** The rendition playing (e.g. `720p`), 1-32 characters. */
  rendition?: string;
  /** How far behind the live edge the player is, ms (0 to QOE_LATENCY_MS_MAX). */
  latencyMs?: number;
  /** `video_start` only, required: ms from play request to first frame (0 to QOE_DURATION_MS_MAX). */
  vstMs?: number;
  /** `rebuffer_end` only, required: the stall's length, ms (0 to QOE_DURATION_MS_MAX). */
  durationMs?: number;
  /** `playing` only, required: ms played since the previous beacon (0 to QOE_WATCH_MS_MAX). */
  watchMs?: number;
  /** `fatal` only, required: the failure's code, 1-32 characters. */
  code?: string;
  /** `tier_fallback` only, required: why the tier was left, 1-32 characters. */
  reason?: string;
  /** Optional correlation id, echoed in the `error` that refuses this beacon (none otherwise). */
  ref?: string;
}

export function isQoeKind(value: unknown): value is QoeKind {
  return typeof value === 'string' && (QOE_KINDS as readonly string[]).includes(value);
}

export function isQoeTier(value: unknown): value is QoeTier {
  return typeof value === 'string' && (QOE_TIERS as readonly string[]).includes(value);
}

// What the shards' QoE windows count and the API stores and serves (not a client frame: shards
// publish it to the API, fanout/src/qoe-window.ts, and the API answers it per event).

/** Video start time bucket upper bounds, seconds; the seed's 2 s threshold sits on an edge. */
export const QOE_VST_BUCKETS_S = [0.25, 0.5, 1, 1.5, 2, 3, 5, 8, 13, 30] as const;

/** What a QoE window counts for one (event, tier, country). Times in ms. */
export interface QoeCounts {
  /** Viewers whose first frame showed (`video_start`). */
  starts: number;
  /** `starts` by video start time: one entry per QOE_VST_BUCKETS_S bound, then one above all. */
  vstBuckets: number[];
  /** Sum of the video start times, ms. */
  vstSumMs: number;
  /** Time played (`playing` beacons), ms. */
  watchMs: number;
  /** Stalls after the first frame (`rebuffer_start`). */
  rebuffers: number;
  /** Time stalled (`rebuffer_end`), ms. */
  rebufferMs: number;
  /** Viewers who left before the first frame (`exit_before_start`). */
  exitsBeforeStart: number;
  /** Fatal playback failures (`fatal`). */
  failures: number;
  /** Players that left this tier for another (`tier_fallback`). */
  fallbacks: number;
}
