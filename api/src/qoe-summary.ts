// From summed QoE counts (qoe_windows, by tier, country or window) to what producers and SREs
// read: video start p50/p95, rebuffering ratio, exits before video start, failures. Quantiles are
// estimated from the start-time buckets the way Prometheus's `histogram_quantile` does (linear
// within the bucket the rank falls in; a rank above the last bound answers that bound), so the
// console and the alert rules agree on what "p50 under 2 s" means.

import { QOE_VST_BUCKETS_S, type QoeCounts } from '@fanfare/protocol';

/** The seed's targets (/work/shared/DESIGN.md), the same as deploy/prometheus/alerts.yml. */
export const QOE_TARGETS = {
  /** Median video start, ms. */
  vstP50Ms: 2_000,
  /** Time stalled over time watched or stalled. */
  rebufferingRatio: 0.01,
  /** Viewers who left before the first frame over viewers who tried to start. */
  ebvsRate: 0.05,
} as const;

export interface QoeSummary {
  /** Viewers who tried to start: first frames plus exits before one. */
  attempts: number;
  starts: number;
  /** null when no start was reported. */
  vstP50Ms: number | null;
  vstP95Ms: number | null;
  /** Stalled / (watched + stalled); null when nothing was watched. */
  rebufferingRatio: number | null;
  /** Exits before video start / attempts; null without attempts. */
  ebvsRate: number | null;
  /** Fatal failures / attempts; null without attempts. */
  failureRate: number | null;
  watchSeconds: number;
  rebufferSeconds: number;
  rebuffers: number;
  exitsBeforeStart: number;
  failures: number;
  fallbacks: number;
}

/** The q-quantile (0..1) of the start times counted in `buckets`, ms; null when empty. */
export function vstQuantileMs(buckets: readonly number[], q: number): number | null {
  const total = buckets.reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  const rank = q * total;
  let below = 0;
  for (let i = 0; i < buckets.length; i++) {
    const n = buckets[i] ?? 0;
    if (below + n >= rank && n > 0) {
      const upper = QOE_VST_BUCKETS_S[i];
      // Above the last bound: Prometheus answers that bound; so does this.
      if (upper === undefined) return QOE_VST_BUCKETS_S[QOE_VST_BUCKETS_S.length - 1]! * 1000;
      const lower = i === 0 ? 0 : QOE_VST_BUCKETS_S[i - 1]!;
      return Math.round((lower + ((upper - lower) * (rank - below)) / n) * 1000);
    }
    below += n;
  }
  return null;
}

const ratio = (part: number, whole: number): number | null => (whole > 0 ? part / whole : null);

export function summarizeQoe(c: QoeCounts): QoeSummary {
  const attempts = c.starts + c.exitsBeforeStart;
  return {
    attempts,
    starts: c.starts,
    vstP50Ms: vstQuantileMs(c.vstBuckets, 0.5),
    vstP95Ms: vstQuantileMs(c.vstBuckets, 0.95),
    rebufferingRatio: ratio(c.rebufferMs, c.watchMs + c.rebufferMs),
    ebvsRate: ratio(c.exitsBeforeStart, attempts),
    failureRate: ratio(c.failures, attempts),
    watchSeconds: c.watchMs / 1000,
    rebufferSeconds: c.rebufferMs / 1000,
    rebuffers: c.rebuffers,
    exitsBeforeStart: c.exitsBeforeStart,
    failures: c.failures,
    fallbacks: c.fallbacks,
  };
}
