// The API's QoE roll-up and `GET /v1/events/{id}/qoe`: windows two shards publish (their real
// QoeAggregator, on the fixture's bus) are counted into `fanfare_qoe_*` at once and stored in the
// database at the next write; the route sums them by tier, by country and per window. Who may
// read it, and what an unknown event or range answers.

import { QoeAggregator } from '@fanfare/fanout';
import type { QoeBeacon } from '@fanfare/protocol';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createFixture, subjects, type Fixture } from './fixture.js';

let fx: Fixture;
beforeAll(async () => {
  fx = await createFixture();
  fx.qoe.start();
}, 90_000);
afterAll(() => fx.close());
beforeEach(async () => {
  await fx.reset();
  await fx.seedEvent('final', 'live');
});

const shard = (shardId: string) =>
  new QoeAggregator({ bus: fx.bus, subject: subjects.qoe(), shardId, clock: fx.clock });

const beacon = (b: Omit<QoeBeacon, 'type'>): QoeBeacon => ({ type: 'qoe', ...b });

interface Summary {
  attempts: number;
  starts: number;
  vstP50Ms: number | null;
  rebufferingRatio: number | null;
  ebvsRate: number | null;
  failureRate: number | null;
  watchSeconds: number;
}
interface Answer {
  total: Summary;
  byTier: (Summary & { tier: string })[];
  byCountry: (Summary & { country: string })[];
  series: (Summary & { t: number })[];
  targets: { vstP50Ms: number; rebufferingRatio: number; ebvsRate: number };
  windowMs: number;
}

function sample(text: string, name: string, ...labels: string[]): number | undefined {
  const line = text
    .split('\n')
    .find((l) => l.startsWith(`${name}{`) && labels.every((x) => l.includes(x)));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('QoE roll-up', () => {
  it('sums two shards per event into /metrics at once and into the route after the write', async () => {
    const a = shard('g-a');
    const b = shard('g-b');
    a.record('final', 'FR', beacon({ kind: 'video_start', tier: 'll-hls', vstMs: 1_200 }));
    a.record('final', 'FR', beacon({ kind: 'playing', tier: 'll-hls', watchMs: 9_000 }));
    a.record('final', 'FR', beacon({ kind: 'rebuffer_start', tier: 'll-hls' }));
    a.record('final', 'FR', beacon({ kind: 'rebuffer_end', tier: 'll-hls', durationMs: 1_000 }));
    b.record('final', 'unknown', beacon({ kind: 'video_start', tier: 'webrtc', vstMs: 400 }));
    b.record('final', 'unknown', beacon({ kind: 'playing', tier: 'webrtc', watchMs: 10_000 }));
    b.record('final', 'unknown', beacon({ kind: 'exit_before_start', tier: 'webrtc' }));
    b.record('final', 'unknown', beacon({ kind: 'fatal', tier: 'webrtc', code: 'ice_failed' }));
    b.record('ghost', 'unknown', beacon({ kind: 'playing', tier: 'webrtc', watchMs: 10_000 }));
    a.close();
    b.close();

    const token = await fx.staffToken('sre');
    const metrics = await (await fx.call('GET', '/metrics')).text();
    const hls = ['event="final"', 'tier="ll-hls"'];
    expect(sample(metrics, 'fanfare_qoe_playing_seconds_total', ...hls)).toBe(9);
    expect(sample(metrics, 'fanfare_qoe_rebuffering_seconds_total', ...hls)).toBe(1);
    expect(sample(metrics, 'fanfare_qoe_video_start_seconds_bucket', ...hls, 'le="1.5"')).toBe(1);
    expect(sample(metrics, 'fanfare_qoe_video_start_seconds_bucket', ...hls, 'le="1"')).toBe(0);
    const rtc = ['event="final"', 'tier="webrtc"'];
    expect(sample(metrics, 'fanfare_qoe_start_attempts_total', ...rtc)).toBe(2);
    expect(sample(metrics, 'fanfare_qoe_exits_before_start_total', ...rtc)).toBe(1);
    expect(sample(metrics, 'fanfare_qoe_playback_failures_total', ...rtc)).toBe(1);

    // Not in the database before the roll-up writes.
    const before = (await (await fx.call('GET', '/v1/events/final/qoe', token)).json()) as Answer;
    expect(before.total.attempts).toBe(0);
    await fx.qoe.flush();

    const res = await fx.call('GET', '/v1/events/final/qoe', token);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = (await res.json()) as Answer;
    expect(body.targets).toEqual({ vstP50Ms: 2_000, rebufferingRatio: 0.01, ebvsRate: 0.05 });
    expect(body.windowMs).toBe(5_000);
    expect(body.total).toMatchObject({ attempts: 3, starts: 2, watchSeconds: 19 });
    expect(body.total.rebufferingRatio).toBeCloseTo(1 / 20, 10);
    expect(body.total.ebvsRate).toBeCloseTo(1 / 3, 10);
    expect(body.total.failureRate).toBeCloseTo(1 / 3, 10);
    const tiers = Object.fromEntries(body.byTier.map((t) => [t.tier, t]));
    expect(tiers['ll-hls']).toMatchObject({ attempts: 1, ebvsRate: 0, failureRate: 0 });
    expect(tiers['ll-hls']!.rebufferingRatio).toBeCloseTo(0.1, 10);
    // One start in (1, 1.5] s: the median is halfway through the bucket.
    expect(tiers['ll-hls']!.vstP50Ms).toBe(1_250);
    expect(tiers.webrtc).toMatchObject({ attempts: 2, rebufferingRatio: 0, ebvsRate: 0.5 });
    expect(body.byCountry.map((c) => [c.country, c.attempts])).toEqual([
      ['FR', 1],
      ['unknown', 2],
    ]);
    expect(body.series).toHaveLength(1);
    expect(body.series[0]).toMatchObject({ t: Math.floor(fx.clock.now() / 5_000) * 5_000 });
    expect(body.series[0]!.watchSeconds).toBe(19);
  });

  it('answers only the windows in range', async () => {
    const a = shard('g-a');
    a.record('final', 'FR', beacon({ kind: 'exit_before_start', tier: 'll-hls' }));
    a.close();
    await fx.qoe.flush();
    const token = await fx.staffToken('producer');
    fx.clock.advance(2 * 60_000);
    const recent = (await (
      await fx.call('GET', '/v1/events/final/qoe?minutes=1', token)
    ).json()) as Answer;
    expect(recent.total.attempts).toBe(0);
    expect(recent.series).toEqual([]);
    const wider = (await (
      await fx.call('GET', '/v1/events/final/qoe?minutes=5', token)
    ).json()) as Answer;
    expect(wider.total).toMatchObject({ attempts: 1, ebvsRate: 1 });
  });

  it('refuses fans, moderators, unknown events and ranges it does not answer', async () => {
    expect((await fx.call('GET', '/v1/events/final/qoe')).status).toBe(401);
    const mod = await fx.staffToken('moderator');
    expect((await fx.call('GET', '/v1/events/final/qoe', mod)).status).toBe(403);
    const sre = await fx.staffToken('sre');
    const missing = await fx.call('GET', '/v1/events/nope/qoe', sre);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { code: string }).code).toBe('event_not_found');
    expect((await fx.call('GET', '/v1/events/final/qoe?minutes=0', sre)).status).toBe(400);
    expect((await fx.call('GET', '/v1/events/final/qoe?minutes=1441', sre)).status).toBe(400);
  });
});
