// From summed QoE counts (qoe_windows, by tier, country or window) to what producers and SREs
// read: video start p50/p95, rebuffering ratio, exits before video start, failures. Quantiles are
// estimated from the start-time buckets the way Prometheus's `histogram_quantile` does (linear
// within the bucket the rank falls in; a rank above the last bound answers that bound), so the
// console and the alert rules agree on what "p50 under 2 s" means.

import { QOE_VST_BUCKETS_S, type QoeCounts, type QoeSummary } from '@fanfare/protocol';

export { QOE_TARGETS, type QoeSummary } from '@fanfare/protocol';

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
