import { describe, expect, it } from 'vitest';
import { MemoryBus } from './bus-memory.js';
import { ManualClock } from './manual-clock.js';
import { QoeAggregator } from './qoe-aggregator.js';
import { decodeQoeReport, type QoeWindowReport } from './qoe-window.js';

function setup() {
  const bus = new MemoryBus();
  const clock = new ManualClock(10_000);
  const reports: QoeWindowReport[] = [];
  bus.subscribe('q', (data) => {
    const report = decodeQoeReport(data);
    if (report) reports.push(report);
  });
  const agg = new QoeAggregator({ bus, subject: 'q', shardId: 's1', clock, windowMs: 5_000 });
  agg.start();
  return { clock, agg, reports };
}

describe('QoeAggregator', () => {
  it('publishes one report per window with counts per event, tier and country', () => {
    const { clock, agg, reports } = setup();
    for (let i = 0; i < 1000; i++)
      agg.record('final', 'FR', { type: 'qoe', kind: 'playing', tier: 'll-hls', watchMs: 10 });
    agg.record('final', 'FR', { type: 'qoe', kind: 'video_start', tier: 'll-hls', vstMs: 1800 });
    agg.record('final', 'unknown', {
      type: 'qoe',
      kind: 'rebuffer_end',
      tier: 'webrtc',
      durationMs: 300,
    });
    agg.record('semi', 'FR', { type: 'qoe', kind: 'exit_before_start', tier: 'll-hls' });
    clock.advance(4_999);
    expect(reports).toEqual([]);
    clock.advance(1);
    expect(reports).toHaveLength(1);
    const report = reports[0]!;
    expect(report).toMatchObject({ shardId: 's1', windowStart: 10_000, windowMs: 5_000 });
    const byKey = new Map(
      report.rows.map((r) => [`${r.eventId}/${r.tier}/${r.country}`, r.counts]),
    );
    expect([...byKey.keys()].sort()).toEqual([
      'final/ll-hls/FR',
      'final/webrtc/unknown',
      'semi/ll-hls/FR',
    ]);
    expect(byKey.get('final/ll-hls/FR')).toMatchObject({
      watchMs: 10_000,
      starts: 1,
      vstSumMs: 1800,
    });
    // 1.8 s is above the 1.5 s bound and within 2 s: the fifth bucket.
    expect(byKey.get('final/ll-hls/FR')!.vstBuckets).toEqual([0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0]);
    expect(byKey.get('final/webrtc/unknown')).toMatchObject({ rebufferMs: 300 });
    expect(byKey.get('semi/ll-hls/FR')).toMatchObject({ exitsBeforeStart: 1 });
  });

  it('says nothing for a window without beacons and sends its open window on close', () => {
    const { clock, agg, reports } = setup();
    clock.advance(15_000);
    expect(reports).toEqual([]);
    agg.record('final', 'DE', { type: 'qoe', kind: 'fatal', tier: 'webrtc', code: 'x' });
    agg.close();
    agg.close();
    expect(reports).toHaveLength(1);
    expect(reports[0]!.windowStart).toBe(25_000);
    expect(reports[0]!.rows[0]!.counts.failures).toBe(1);
    agg.record('final', 'DE', { type: 'qoe', kind: 'fatal', tier: 'webrtc', code: 'x' });
    clock.advance(10_000);
    expect(reports).toHaveLength(1);
  });

  it('refuses reports that are not one when decoding', () => {
    expect(decodeQoeReport('nope')).toBeUndefined();
    expect(
      decodeQoeReport(JSON.stringify({ shardId: 's', windowStart: 0, windowMs: 5000, rows: [] })),
    ).toBeUndefined();
    const row = { eventId: 'final', tier: 'll-hls', country: 'fr', counts: {} };
    expect(
      decodeQoeReport(
        JSON.stringify({ shardId: 's', windowStart: 0, windowMs: 5000, rows: [row] }),
      ),
    ).toBeUndefined();
  });
});
