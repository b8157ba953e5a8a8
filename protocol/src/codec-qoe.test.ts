import { describe, expect, it } from 'vitest';
import { decodeClientMessage, encodeClientMessage } from './codec.js';
import {
  QOE_DURATION_MS_MAX,
  QOE_LABEL_MAX_CHARS,
  QOE_LATENCY_MS_MAX,
  QOE_WATCH_MS_MAX,
  type QoeBeacon,
} from './qoe.js';

function decode(o: Record<string, unknown>) {
  return decodeClientMessage(JSON.stringify({ type: 'qoe', ...o }));
}

function code(o: Record<string, unknown>): string | undefined {
  const d = decode(o);
  return d.ok ? undefined : d.error.code;
}

describe('qoe frames', () => {
  it('round-trips every kind with its required field', () => {
    const beacons: QoeBeacon[] = [
      { type: 'qoe', kind: 'video_start', tier: 'll-hls', vstMs: 1234, rendition: '720p' },
      { type: 'qoe', kind: 'playing', tier: 'webrtc', watchMs: 10_000, latencyMs: 400 },
      { type: 'qoe', kind: 'rebuffer_start', tier: 'll-hls', latencyMs: 3_000 },
      { type: 'qoe', kind: 'rebuffer_end', tier: 'll-hls', durationMs: 850 },
      { type: 'qoe', kind: 'exit_before_start', tier: 'webrtc' },
      { type: 'qoe', kind: 'fatal', tier: 'll-hls', code: 'manifest_load_error' },
      { type: 'qoe', kind: 'tier_fallback', tier: 'webrtc', reason: 'ice_failed' },
    ];
    for (const beacon of beacons) {
      expect(decodeClientMessage(encodeClientMessage(beacon))).toEqual({ ok: true, value: beacon });
    }
  });

  it('accepts the bounds themselves and rounds fractional ms', () => {
    expect(decode({ kind: 'video_start', tier: 'll-hls', vstMs: QOE_DURATION_MS_MAX })).toEqual({
      ok: true,
      value: { type: 'qoe', kind: 'video_start', tier: 'll-hls', vstMs: QOE_DURATION_MS_MAX },
    });
    expect(decode({ kind: 'rebuffer_end', tier: 'll-hls', durationMs: 0.6 })).toEqual({
      ok: true,
      value: { type: 'qoe', kind: 'rebuffer_end', tier: 'll-hls', durationMs: 1 },
    });
  });

  it('refuses numbers outside their bounds with qoe_out_of_range', () => {
    expect(code({ kind: 'video_start', tier: 'll-hls', vstMs: -1 })).toBe('qoe_out_of_range');
    expect(code({ kind: 'video_start', tier: 'll-hls', vstMs: QOE_DURATION_MS_MAX + 1 })).toBe(
      'qoe_out_of_range',
    );
    expect(code({ kind: 'rebuffer_end', tier: 'webrtc', durationMs: 1e9 })).toBe(
      'qoe_out_of_range',
    );
    expect(code({ kind: 'playing', tier: 'webrtc', watchMs: QOE_WATCH_MS_MAX + 1 })).toBe(
      'qoe_out_of_range',
    );
    expect(
      code({ kind: 'rebuffer_start', tier: 'll-hls', latencyMs: QOE_LATENCY_MS_MAX + 1 }),
    ).toBe('qoe_out_of_range');
  });

  it('refuses wrong types and missing required fields with invalid_frame', () => {
    expect(code({ kind: 'stalled', tier: 'll-hls' })).toBe('invalid_frame');
    expect(code({ kind: 'playing', tier: 'dash', watchMs: 1 })).toBe('invalid_frame');
    expect(code({ kind: 'video_start', tier: 'll-hls' })).toBe('invalid_frame');
    expect(code({ kind: 'video_start', tier: 'll-hls', vstMs: '12' })).toBe('invalid_frame');
    expect(code({ kind: 'rebuffer_end', tier: 'll-hls' })).toBe('invalid_frame');
    expect(code({ kind: 'playing', tier: 'll-hls' })).toBe('invalid_frame');
    expect(code({ kind: 'fatal', tier: 'll-hls' })).toBe('invalid_frame');
    expect(code({ kind: 'tier_fallback', tier: 'webrtc' })).toBe('invalid_frame');
    expect(
      code({
        kind: 'playing',
        tier: 'll-hls',
        watchMs: 1,
        rendition: 'x'.repeat(QOE_LABEL_MAX_CHARS + 1),
      }),
    ).toBe('invalid_frame');
    // JSON has no NaN or Infinity; a huge literal parses to Infinity and is not finite.
    expect(
      decodeClientMessage('{"type":"qoe","kind":"playing","tier":"ll-hls","watchMs":1e999}'),
    ).toMatchObject({ ok: false, error: { code: 'invalid_frame' } });
  });

  it('echoes ref on a refusal', () => {
    expect(decode({ kind: 'video_start', tier: 'll-hls', vstMs: -5, ref: 'q1' })).toMatchObject({
      ok: false,
      error: { code: 'qoe_out_of_range', ref: 'q1' },
    });
  });
});
