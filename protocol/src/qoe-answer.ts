// An event's viewer QoE as the API answers it (`GET /v1/events/{id}/qoe`) and the console reads
// it, with the seed's targets. Defined once here: the API's route schema is held to it and the
// console draws it. Types and the targets only.

/** The seed's targets (the same as deploy/prometheus/alerts.yml). */
export const QOE_TARGETS = {
  /** Median video start, ms. */
  vstP50Ms: 2_000,
  /** Time stalled over time watched or stalled. */
  rebufferingRatio: 0.01,
  /** Viewers who left before the first frame over viewers who tried to start. */
  ebvsRate: 0.05,
} as const;

/** QoE over some windows. Ratios and quantiles are null with nothing to divide. */
export interface QoeSummary {
  /** Viewers who tried to start: first frames plus exits before one. */
  attempts: number;
  starts: number;
  /** Video start quantiles, ms, estimated within the start-time buckets. */
  vstP50Ms: number | null;
  vstP95Ms: number | null;
  /** Stalled / (watched + stalled). */
  rebufferingRatio: number | null;
  /** Exits before video start / attempts. */
  ebvsRate: number | null;
  /** Fatal failures / attempts. */
  failureRate: number | null;
  watchSeconds: number;
  rebufferSeconds: number;
  rebuffers: number;
  exitsBeforeStart: number;
  failures: number;
  fallbacks: number;
}

export interface QoeAnswer {
  eventId: string;
  /** The range's start, ms since the Unix epoch. */
  since: number;
  /** The shards' window, ms: one `series` point each. */
  windowMs: number;
  targets: { vstP50Ms: number; rebufferingRatio: number; ebvsRate: number };
  total: QoeSummary;
  byTier: (QoeSummary & { tier: string })[];
  byCountry: (QoeSummary & { country: string })[];
  /** One point per window with any report, oldest first; `t` is its start (ms). */
  series: (QoeSummary & { t: number })[];
}
