// QoE beacons from player observations (QoeReporter), and the client sending them (reportQoe).

import { describe, expect, it } from 'vitest';
import type { QoeBeacon } from '@fanfare/protocol';
import { ManualClock } from '@fanfare/fanout/testing';
import { QOE_PLAYING_EVERY_MS, QoeReporter } from '../src/index.js';
import { open, setup } from './fake-server.js';

function reporter(tier: QoeBeacon['tier'] = 'll-hls') {
  const clock = new ManualClock();
  const sent: QoeBeacon[] = [];
  const qoe = new QoeReporter({ send: (b) => sent.push(b), tier, clock });
  return { clock, sent, qoe };
}

describe('QoeReporter', () => {
  it('reports the video start time, stalls with their length, and watch time without stalls', () => {
    const { clock, sent, qoe } = reporter();
    qoe.setRendition('360p');
    qoe.requested();
    clock.advance(1_400);
    qoe.firstFrame();
    clock.advance(4_000);
    qoe.setLatency(2_500);
    qoe.stalled();
    clock.advance(700);
    qoe.resumed();
    clock.advance(QOE_PLAYING_EVERY_MS); // the timer fires 10 s after the first frame: 5.3 s since the resume
    clock.advance(1_000);
    qoe.close();
    expect(sent).toEqual([
      { type: 'qoe', kind: 'video_start', tier: 'll-hls', rendition: '360p', vstMs: 1_400 },
      {
        type: 'qoe',
        kind: 'playing',
        tier: 'll-hls',
        rendition: '360p',
        latencyMs: 2_500,
        watchMs: 4_000,
      },
      { type: 'qoe', kind: 'rebuffer_start', tier: 'll-hls', rendition: '360p', latencyMs: 2_500 },
      {
        type: 'qoe',
        kind: 'rebuffer_end',
        tier: 'll-hls',
        rendition: '360p',
        latencyMs: 2_500,
        durationMs: 700,
      },
      {
        type: 'qoe',
        kind: 'playing',
        tier: 'll-hls',
        rendition: '360p',
        latencyMs: 2_500,
        watchMs: 5_300,
      },
      {
        type: 'qoe',
        kind: 'playing',
        tier: 'll-hls',
        rendition: '360p',
        latencyMs: 2_500,
        watchMs: 5_700,
      },
    ]);
    const watched = sent.reduce((sum, b) => sum + (b.watchMs ?? 0), 0);
    expect(watched).toBe(4_000 + 5_300 + 5_700); // 15.7 s since first frame, less the 0.7 s stall
  });

  it('reports exit before start, and nothing more after close', () => {
    const { clock, sent, qoe } = reporter('webrtc');
    qoe.requested();
    clock.advance(3_000);
    qoe.close();
    qoe.firstFrame();
    clock.advance(QOE_PLAYING_EVERY_MS * 2);
    expect(sent).toEqual([{ type: 'qoe', kind: 'exit_before_start', tier: 'webrtc' }]);
  });

  it('reports a tier fallback on the old tier and a new start on the new one; fatal ends it', () => {
    const { clock, sent, qoe } = reporter('webrtc');
    qoe.requested();
    clock.advance(2_000);
    qoe.tierFallback('no_first_frame', 'll-hls');
    clock.advance(1_500);
    qoe.firstFrame();
    clock.advance(2_000);
    qoe.fatal('media_error');
    qoe.stalled();
    expect(sent.map((b) => [b.kind, b.tier])).toEqual([
      ['tier_fallback', 'webrtc'],
      ['video_start', 'll-hls'],
      ['playing', 'll-hls'],
      ['fatal', 'll-hls'],
    ]);
    expect(sent[0]?.reason).toBe('no_first_frame');
    expect(sent[1]?.vstMs).toBe(1_500);
    expect(sent[3]?.code).toBe('media_error');
  });

  it('ignores observations that do not fit its state', () => {
    const { sent, qoe } = reporter();
    qoe.firstFrame(); // before requested
    qoe.resumed(); // without a stall
    qoe.stalled(); // before playing
    expect(sent).toEqual([]);
  });
});

describe('FanfareClient.reportQoe', () => {
  it('sends the beacon while open and drops it otherwise', async () => {
    const { server, client } = setup();
    const beacon: QoeBeacon = { type: 'qoe', kind: 'rebuffer_start', tier: 'll-hls' };
    expect(client.reportQoe(beacon)).toBe(false);
    const socket = await open(server, client);
    expect(client.reportQoe(beacon)).toBe(true);
    expect(socket.sentOf('qoe')).toEqual([beacon]);
  });
});
