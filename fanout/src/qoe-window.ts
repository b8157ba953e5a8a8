// QoE as shards report it to the API: each shard adds its fans' `qoe` beacons into counts per
// (event, tier, country) for one window (QOE_WINDOW_MS, aligned to the wall clock so every
// shard's windows share their starts) and publishes the window once on `subjects.qoe()`. The
// API sums windows across shards. Counts, not beacons, cross the wire: a window's size depends
// on the events, tiers and countries a shard serves, never on its fans. Video start times travel
// as bucket counts (QOE_VST_BUCKETS_S), so quantiles are estimated within a bucket, as
// Prometheus's `histogram_quantile` does.

import type { QoeBeacon, QoeCounts, QoeTier } from '@fanfare/protocol';
import { QOE_VST_BUCKETS_S, isEventId, isQoeTier } from '@fanfare/protocol';

/** A shard's QoE window, ms: how often each shard publishes and how fine the API's series is. */
export const QOE_WINDOW_MS = 5_000;

export interface QoeWindowRow {
  eventId: string;
  tier: QoeTier;
  /** ISO 3166-1 alpha-2, upper case, or `unknown`. */
  country: string;
  counts: QoeCounts;
}

/** One shard's window, as published. Never empty: a shard with nothing to say says nothing. */
export interface QoeWindowReport {
  shardId: string;
  /** The window's start, ms since the Unix epoch, a multiple of `windowMs`. */
  windowStart: number;
  windowMs: number;
  rows: QoeWindowRow[];
}

export const COUNT_FIELDS = [
  'starts',
  'vstSumMs',
  'watchMs',
  'rebuffers',
  'rebufferMs',
  'exitsBeforeStart',
  'failures',
  'fallbacks',
] as const satisfies readonly (keyof QoeCounts)[];

export function emptyCounts(): QoeCounts {
  return {
    starts: 0,
    vstBuckets: new Array<number>(QOE_VST_BUCKETS_S.length + 1).fill(0),
    vstSumMs: 0,
    watchMs: 0,
    rebuffers: 0,
    rebufferMs: 0,
    exitsBeforeStart: 0,
    failures: 0,
    fallbacks: 0,
  };
}

/** The index in `vstBuckets` of a start time: the first bound it does not exceed. */
export function vstBucketIndex(vstMs: number): number {
  const i = QOE_VST_BUCKETS_S.findIndex((bound) => vstMs <= bound * 1000);
  return i === -1 ? QOE_VST_BUCKETS_S.length : i;
}

/** Adds one decoded beacon to `counts` (in place). */
export function addBeacon(counts: QoeCounts, beacon: QoeBeacon): void {
  switch (beacon.kind) {
    case 'video_start': {
      const vst = beacon.vstMs ?? 0;
      counts.starts += 1;
      counts.vstSumMs += vst;
      counts.vstBuckets[vstBucketIndex(vst)]! += 1;
      return;
    }
    case 'playing':
      counts.watchMs += beacon.watchMs ?? 0;
      return;
    case 'rebuffer_start':
      counts.rebuffers += 1;
      return;
    case 'rebuffer_end':
      counts.rebufferMs += beacon.durationMs ?? 0;
      return;
    case 'exit_before_start':
      counts.exitsBeforeStart += 1;
      return;
    case 'fatal':
      counts.failures += 1;
      return;
    case 'tier_fallback':
      counts.fallbacks += 1;
      return;
  }
}

/** Adds `more` into `into` (in place). */
export function mergeCounts(into: QoeCounts, more: QoeCounts): void {
  for (const field of COUNT_FIELDS) into[field] += more[field];
  more.vstBuckets.forEach((n, i) => {
    into.vstBuckets[i] = (into.vstBuckets[i] ?? 0) + n;
  });
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeQoeReport(report: QoeWindowReport): Uint8Array {
  return encoder.encode(JSON.stringify(report));
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;

function isCounts(value: unknown): value is QoeCounts {
  if (typeof value !== 'object' || value === null) return false;
  const c = value as Record<string, unknown>;
  if (!COUNT_FIELDS.every((f) => isCount(c[f]))) return false;
  const buckets = c.vstBuckets;
  return (
    Array.isArray(buckets) &&
    buckets.length === QOE_VST_BUCKETS_S.length + 1 &&
    buckets.every(isCount)
  );
}

function isRow(value: unknown): value is QoeWindowRow {
  if (typeof value !== 'object' || value === null) return false;
  const r = value as Record<string, unknown>;
  return (
    typeof r.eventId === 'string' &&
    isEventId(r.eventId) &&
    isQoeTier(r.tier) &&
    typeof r.country === 'string' &&
    /^([A-Z]{2}|unknown)$/.test(r.country) &&
    isCounts(r.counts)
  );
}

/** The report, or undefined when `data` is not one (it is then ignored, not trusted). */
export function decodeQoeReport(data: Uint8Array | string): QoeWindowReport | undefined {
  let value: unknown;
  try {
    value = JSON.parse(typeof data === 'string' ? data : decoder.decode(data));
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  if (typeof v.shardId !== 'string' || v.shardId.length === 0 || v.shardId.length > 128) {
    return undefined;
  }
  if (!Number.isSafeInteger(v.windowStart) || !Number.isSafeInteger(v.windowMs)) return undefined;
  if ((v.windowMs as number) <= 0 || (v.windowStart as number) < 0) return undefined;
  if (!Array.isArray(v.rows) || v.rows.length === 0 || !v.rows.every(isRow)) return undefined;
  return {
    shardId: v.shardId,
    windowStart: v.windowStart as number,
    windowMs: v.windowMs as number,
    rows: v.rows,
  };
}
