// QoE beacons (`qoe` frames, protocol/src/qoe.ts) counted into the shard's Prometheus registry, by
// tier and country. The window is Prometheus's: counters and a histogram that `rate()` and
// `histogram_quantile()` read over any range (the alert rules use 5 m), so the shard keeps no
// per-window state of its own here (the API's per-event roll-up takes the shard's QoeAggregator
// windows instead). Label cardinality is bounded: tier is one of two values (the
// decoder refuses others) and country is an ISO 3166 alpha-2 code or `unknown` (at most 250+1).
// Rendition and latency are not labels (unbounded); they are not counted yet.

import { QOE_VST_BUCKETS_S, fanCountry, type QoeBeacon } from '@fanfare/protocol';
import { Counter, Histogram, type Registry } from 'prom-client';

/** Video start time buckets, seconds (the same as the windows the API rolls up). */
export const VST_BUCKETS_S = [...QOE_VST_BUCKETS_S];

/** One string per label (at most 26 x 26 codes + `unknown`), shared by every session holding it. */
const countryLabels = new Map<string, string>();

/** The `country` label for a claimed country: its upper-case alpha-2 code, else `unknown`. */
export function countryLabel(claimed: string | undefined): string {
  const code = fanCountry(claimed) ?? 'unknown';
  const shared = countryLabels.get(code);
  if (shared !== undefined) return shared;
  countryLabels.set(code, code);
  return code;
}

type Labels = 'tier' | 'country';

export class QoeMetrics {
  readonly videoStart: Histogram<Labels>;
  readonly watchSeconds: Counter<Labels>;
  readonly rebuffers: Counter<Labels>;
  readonly rebufferSeconds: Counter<Labels>;
  readonly exitsBeforeStart: Counter<Labels>;
  readonly failures: Counter<Labels>;
  readonly tierFallbacks: Counter<Labels>;

  constructor(registry: Registry) {
    const registers = [registry];
    const labelNames = ['tier', 'country'] as const;
    const counter = (spec: { name: string; help: string }) =>
      new Counter({ ...spec, labelNames, registers });
    this.videoStart = new Histogram({
      name: 'fanfare_gateway_qoe_video_start_seconds',
      help: 'Video start time reported by players (video_start beacons), seconds.',
      buckets: VST_BUCKETS_S,
      labelNames,
      registers,
    });
    this.watchSeconds = counter({
      name: 'fanfare_gateway_qoe_watch_seconds_total',
      help: 'Playing time reported by players (playing beacons), seconds; stalls excluded.',
    });
    this.rebuffers = counter({
      name: 'fanfare_gateway_qoe_rebuffers_total',
      help: 'Stalls after playback started (rebuffer_start beacons).',
    });
    this.rebufferSeconds = counter({
      name: 'fanfare_gateway_qoe_rebuffer_seconds_total',
      help: 'Time spent stalled (rebuffer_end beacons), seconds; over watch seconds: the rebuffering ratio.',
    });
    this.exitsBeforeStart = counter({
      name: 'fanfare_gateway_qoe_exits_before_start_total',
      help: 'Viewers who left before the first frame (exit_before_start beacons).',
    });
    this.failures = counter({
      name: 'fanfare_gateway_qoe_failures_total',
      help: 'Playback failures (fatal beacons).',
    });
    this.tierFallbacks = counter({
      name: 'fanfare_gateway_qoe_tier_fallbacks_total',
      help: 'Players that left a tier (labelled with the tier left) for another.',
    });
  }

  /** Counts one decoded beacon from a fan whose token claimed `country` (if any). */
  record(beacon: QoeBeacon, country: string | undefined): void {
    const labels = { tier: beacon.tier, country: countryLabel(country) };
    switch (beacon.kind) {
      case 'video_start':
        this.videoStart.observe(labels, (beacon.vstMs ?? 0) / 1000);
        return;
      case 'playing':
        this.watchSeconds.inc(labels, (beacon.watchMs ?? 0) / 1000);
        return;
      case 'rebuffer_start':
        this.rebuffers.inc(labels);
        return;
      case 'rebuffer_end':
        this.rebufferSeconds.inc(labels, (beacon.durationMs ?? 0) / 1000);
        return;
      case 'exit_before_start':
        this.exitsBeforeStart.inc(labels);
        return;
      case 'fatal':
        this.failures.inc(labels);
        return;
      case 'tier_fallback':
        this.tierFallbacks.inc(labels);
        return;
    }
  }
}
