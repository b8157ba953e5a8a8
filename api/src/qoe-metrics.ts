// The `fanfare_qoe_*` series: every shard window this API process receives, counted by event and
// tier (the names deploy/prometheus/alerts.yml and the Grafana dashboard read). Country is not a
// label here (event × country would grow without bound across a season); it is in Postgres and
// GET /v1/events/{id}/qoe. Several API replicas each count every window: ratios and quantiles
// (all the alerts use) are unaffected, sums over replicas are multiplied (docs/operations.md).
// Video starts arrive as bucket counts, so each is observed at its bucket's upper bound (above
// the last bound: QOE_DURATION_MS_MAX): the buckets are exact, `_sum` is an upper estimate.

import { QOE_DURATION_MS_MAX, QOE_VST_BUCKETS_S } from '@fanfare/protocol';
import type { QoeWindowRow } from '@fanfare/fanout';
import { Counter, Histogram, type Registry } from 'prom-client';

type Labels = 'event' | 'tier';

export class QoeApiMetrics {
  readonly playingSeconds: Counter<Labels>;
  readonly rebufferingSeconds: Counter<Labels>;
  readonly videoStart: Histogram<Labels>;
  readonly startAttempts: Counter<Labels>;
  readonly exitsBeforeStart: Counter<Labels>;
  readonly failures: Counter<Labels>;
  readonly rebuffers: Counter<Labels>;

  constructor(registry: Registry) {
    const registers = [registry];
    const labelNames = ['event', 'tier'] as const;
    const counter = (spec: { name: string; help: string }) =>
      new Counter({ ...spec, labelNames, registers });
    this.playingSeconds = counter({
      name: 'fanfare_qoe_playing_seconds_total',
      help: 'Seconds of video played, summed over viewers (playing beacons).',
    });
    this.rebufferingSeconds = counter({
      name: 'fanfare_qoe_rebuffering_seconds_total',
      help: 'Seconds spent rebuffering after the first frame, summed over viewers.',
    });
    this.videoStart = new Histogram({
      name: 'fanfare_qoe_video_start_seconds',
      help: 'From play requested to first frame, seconds (_sum counts each at its bucket bound).',
      buckets: [...QOE_VST_BUCKETS_S],
      labelNames,
      registers,
    });
    this.startAttempts = counter({
      name: 'fanfare_qoe_start_attempts_total',
      help: 'Viewers who asked to play: first frames plus exits before one.',
    });
    this.exitsBeforeStart = counter({
      name: 'fanfare_qoe_exits_before_start_total',
      help: 'Viewers who left before the first frame (EBVS).',
    });
    this.failures = counter({
      name: 'fanfare_qoe_playback_failures_total',
      help: 'Fatal playback errors.',
    });
    this.rebuffers = counter({
      name: 'fanfare_qoe_rebuffers_total',
      help: 'Stalls after the first frame (rebuffer_start beacons).',
    });
  }

  /** Counts one shard's window row. */
  record(row: QoeWindowRow): void {
    const labels = { event: row.eventId, tier: row.tier };
    const c = row.counts;
    this.playingSeconds.inc(labels, c.watchMs / 1000);
    this.rebufferingSeconds.inc(labels, c.rebufferMs / 1000);
    this.startAttempts.inc(labels, c.starts + c.exitsBeforeStart);
    this.exitsBeforeStart.inc(labels, c.exitsBeforeStart);
    this.failures.inc(labels, c.failures);
    this.rebuffers.inc(labels, c.rebuffers);
    c.vstBuckets.forEach((n, i) => {
      const bound = QOE_VST_BUCKETS_S[i] ?? QOE_DURATION_MS_MAX / 1000;
      for (let k = 0; k < n; k++) this.videoStart.observe(labels, bound);
    });
  }
}
