// QoE beacons through a real shard: a fan sends `qoe` frames and GET /metrics shows them by tier;
// an out-of-range beacon is refused with `qoe_out_of_range` and not counted. The same beacons go
// into the shard's QoE window for the event, published on the bus for the API's roll-up.

import { createSubjects, decodeQoeReport, type QoeWindowReport } from '@fanfare/fanout';
import { afterEach, describe, expect, it } from 'vitest';
import { countryLabel } from '../src/qoe-metrics.js';
import { startGateway, type TestGateway } from './harness.js';

/** The value of the sample line of `name` whose labels include every one of `labels`. */
function sample(text: string, name: string, ...labels: string[]): number | undefined {
  const line = text.split('\n').find((l) => {
    if (!l.startsWith(`${name}{`)) return false;
    const set = l.slice(0, l.indexOf('}'));
    return labels.every((label) => set.includes(label));
  });
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('QoE beacons', () => {
  let g: TestGateway;
  afterEach(async () => {
    await g.close();
  });

  it('are counted into /metrics by tier, with country unknown', async () => {
    g = await startGateway({ shardId: 'q1' });
    const { fan } = await g.join({ sub: 'a' });
    fan.send({ type: 'qoe', kind: 'video_start', tier: 'll-hls', vstMs: 1_500, rendition: '360p' });
    fan.send({ type: 'qoe', kind: 'video_start', tier: 'll-hls', vstMs: 4_000 });
    fan.send({ type: 'qoe', kind: 'playing', tier: 'll-hls', watchMs: 10_000, latencyMs: 2_900 });
    fan.send({ type: 'qoe', kind: 'rebuffer_start', tier: 'll-hls' });
    fan.send({ type: 'qoe', kind: 'rebuffer_end', tier: 'll-hls', durationMs: 250 });
    fan.send({ type: 'qoe', kind: 'exit_before_start', tier: 'webrtc' });
    fan.send({ type: 'qoe', kind: 'fatal', tier: 'webrtc', code: 'ice_failed' });
    fan.send({ type: 'qoe', kind: 'tier_fallback', tier: 'webrtc', reason: 'no_first_frame' });
    // Out of range: refused, not counted.
    fan.send({ type: 'qoe', kind: 'video_start', tier: 'll-hls', vstMs: 600_001, ref: 'bad' });
    const refused = await fan.next('error');
    expect(refused).toMatchObject({ code: 'qoe_out_of_range', ref: 'bad' });
    // Frames from one socket are handled in order: the pong comes after every beacon above.
    fan.send({ type: 'ping', ref: 'p' });
    await fan.next('pong');

    const res = await fetch(`${g.url.replace('ws://', 'http://').replace('/ws', '')}/metrics`);
    const text = await res.text();
    const hls = ['tier="ll-hls"', 'country="unknown"', 'shard="q1"'];
    expect(sample(text, 'fanfare_gateway_qoe_video_start_seconds_count', ...hls)).toBe(2);
    expect(sample(text, 'fanfare_gateway_qoe_video_start_seconds_sum', ...hls)).toBe(5.5);
    expect(sample(text, 'fanfare_gateway_qoe_video_start_seconds_bucket', ...hls, 'le="2"')).toBe(
      1,
    );
    expect(sample(text, 'fanfare_gateway_qoe_watch_seconds_total', ...hls)).toBe(10);
    expect(sample(text, 'fanfare_gateway_qoe_rebuffers_total', ...hls)).toBe(1);
    expect(sample(text, 'fanfare_gateway_qoe_rebuffer_seconds_total', ...hls)).toBe(0.25);
    const rtc = ['tier="webrtc"', 'country="unknown"'];
    expect(sample(text, 'fanfare_gateway_qoe_exits_before_start_total', ...rtc)).toBe(1);
    expect(sample(text, 'fanfare_gateway_qoe_failures_total', ...rtc)).toBe(1);
    expect(sample(text, 'fanfare_gateway_qoe_tier_fallbacks_total', ...rtc)).toBe(1);
    expect(sample(text, 'fanfare_gateway_qoe_failures_total', ...hls)).toBeUndefined();
  });
});

describe('QoE windows', () => {
  it('publish an event’s beacons per tier and country, the open window when the shard closes', async () => {
    const g = await startGateway({ shardId: 'q2' });
    const reports: QoeWindowReport[] = [];
    g.bus.subscribe(createSubjects(g.gateway.config.prefix).qoe(), (data) => {
      const report = decodeQoeReport(data);
      if (report) reports.push(report);
    });
    try {
      const { fan } = await g.join({ sub: 'a', evt: 'final' });
      fan.send({ type: 'qoe', kind: 'video_start', tier: 'll-hls', vstMs: 1_500 });
      fan.send({ type: 'qoe', kind: 'playing', tier: 'll-hls', watchMs: 10_000 });
      fan.send({ type: 'qoe', kind: 'rebuffer_end', tier: 'll-hls', durationMs: 250 });
      fan.send({ type: 'qoe', kind: 'video_start', tier: 'll-hls', vstMs: 600_001, ref: 'bad' });
      fan.send({ type: 'qoe', kind: 'fatal', tier: 'webrtc', code: 'ice_failed' });
      fan.send({ type: 'ping', ref: 'p' });
      await fan.next('pong');
      await g.gateway.close();
    } finally {
      await g.close();
    }
    const rows = reports.flatMap((r) => r.rows.map((row) => ({ shard: r.shardId, ...row })));
    const hls = rows.filter((r) => r.tier === 'll-hls');
    expect(hls.map((r) => [r.shard, r.eventId, r.country])).toEqual([['q2', 'final', 'unknown']]);
    expect(hls[0]!.counts).toMatchObject({ starts: 1, watchMs: 10_000, rebufferMs: 250 });
    expect(rows.find((r) => r.tier === 'webrtc')!.counts.failures).toBe(1);
    expect(rows.reduce((n, r) => n + r.counts.starts, 0)).toBe(1);
  });
});

describe('countryLabel', () => {
  it('keeps a two-letter code, upper-cased, and calls anything else unknown', () => {
    expect(countryLabel('de')).toBe('DE');
    expect(countryLabel('FR')).toBe('FR');
    expect(countryLabel(undefined)).toBe('unknown');
    expect(countryLabel('DEU')).toBe('unknown');
    expect(countryLabel('x"}')).toBe('unknown');
  });
});
