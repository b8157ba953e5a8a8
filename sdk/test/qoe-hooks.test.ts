// attachQoe: a player's and its media element's events become QoE beacons.

import { describe, expect, it } from 'vitest';
import type { QoeBeacon } from '@fanfare/protocol';
import { ManualClock } from '@fanfare/fanout/testing';
import { QoeReporter, attachQoe, type QoePlayerLike } from '../src/index.js';
import { Emitter } from '../src/emitter.js';
import type { TieredPlayerEvents } from '../src/tiered-player.js';

function setup() {
  const clock = new ManualClock();
  const sent: QoeBeacon[] = [];
  const reporter = new QoeReporter({ send: (b) => sent.push(b), tier: 'webrtc', clock });
  const events = new Emitter<TieredPlayerEvents>();
  const player: QoePlayerLike & { delay: number | undefined } = {
    delay: undefined,
    on: (type, handler) => events.on(type, handler),
    get delayMs() {
      return this.delay;
    },
  };
  const media = new EventTarget();
  return { clock, sent, reporter, events, player, media };
}

describe('attachQoe', () => {
  it('reports a WebRTC fallback, then the LL-HLS start, a stall and its end from media events', () => {
    const { clock, sent, reporter, events, player, media } = setup();
    const detach = attachQoe(player, media, reporter);
    clock.advance(3_000);
    events.emit('tierFallback', {
      from: 'webrtc',
      to: 'll-hls',
      reason: 'connect-timeout',
      afterMs: 3_000,
    });
    clock.advance(1_200);
    player.delay = 2_800;
    media.dispatchEvent(new Event('playing'));
    clock.advance(5_000);
    media.dispatchEvent(new Event('waiting'));
    clock.advance(400);
    media.dispatchEvent(new Event('playing'));
    detach();
    media.dispatchEvent(new Event('waiting')); // detached: ignored
    expect(sent.map((b) => [b.kind, b.tier])).toEqual([
      ['tier_fallback', 'webrtc'],
      ['video_start', 'll-hls'],
      ['playing', 'll-hls'],
      ['rebuffer_start', 'll-hls'],
      ['rebuffer_end', 'll-hls'],
    ]);
    expect(sent[0]?.reason).toBe('connect-timeout');
    expect(sent[1]).toMatchObject({ vstMs: 1_200, latencyMs: 2_800 });
    expect(sent[2]?.watchMs).toBe(5_000);
    expect(sent[4]?.durationMs).toBe(400);
    expect(reporter.state).toBe('closed');
  });

  it('reports the WebRTC first frame from the player, and exit before start when detached early', () => {
    const a = setup();
    attachQoe(a.player, a.media, a.reporter);
    a.clock.advance(600);
    a.events.emit('playing', { tier: 'webrtc' });
    expect(a.sent).toEqual([{ type: 'qoe', kind: 'video_start', tier: 'webrtc', vstMs: 600 }]);

    const b = setup();
    const detach = attachQoe(b.player, b.media, b.reporter);
    b.clock.advance(2_000);
    detach();
    expect(b.sent).toEqual([{ type: 'qoe', kind: 'exit_before_start', tier: 'webrtc' }]);
  });

  it('reports a media error as fatal', () => {
    const { sent, reporter, player, media } = setup();
    attachQoe(player, media, reporter);
    media.dispatchEvent(new Event('error'));
    expect(sent).toEqual([{ type: 'qoe', kind: 'fatal', tier: 'webrtc', code: 'media_error' }]);
  });
});
