import { describe, expect, it } from 'vitest';
import {
  WEBRTC_FIRST_FRAME_BOUND_MS,
  WEBRTC_STALL_BOUND_MS,
  webrtcFallback,
  type WebRtcObservation,
} from './tier-fallback.js';

const calm: WebRtcObservation = {
  elapsedMs: 0,
  connectFailed: false,
  disconnected: false,
  sinceProgressMs: undefined,
};

describe('webrtcFallback', () => {
  it('stays on WebRTC while connecting within the first-frame bound', () => {
    expect(webrtcFallback({ ...calm, elapsedMs: WEBRTC_FIRST_FRAME_BOUND_MS - 1 })).toBeUndefined();
  });

  it('falls back at once when the connection is refused, or the room goes away', () => {
    expect(webrtcFallback({ ...calm, connectFailed: true })).toBe('connect-failed');
    expect(webrtcFallback({ ...calm, sinceProgressMs: 0, disconnected: true })).toBe(
      'disconnected',
    );
  });

  it('falls back when no frame showed within the bound (a server that never answers)', () => {
    expect(webrtcFallback({ ...calm, elapsedMs: WEBRTC_FIRST_FRAME_BOUND_MS })).toBe(
      'connect-timeout',
    );
  });

  it('falls back when the playing picture stands still past the stall bound, not before', () => {
    const playing = { ...calm, elapsedMs: 60_000 };
    expect(webrtcFallback({ ...playing, sinceProgressMs: WEBRTC_STALL_BOUND_MS - 1 })).toBe(
      undefined,
    );
    expect(webrtcFallback({ ...playing, sinceProgressMs: WEBRTC_STALL_BOUND_MS })).toBe('stalled');
  });

  it('takes the bounds it is given', () => {
    const bounds = { firstFrameMs: 100, stallMs: 50 };
    expect(webrtcFallback({ ...calm, elapsedMs: 100 }, bounds)).toBe('connect-timeout');
    expect(webrtcFallback({ ...calm, sinceProgressMs: 49 }, bounds)).toBeUndefined();
  });
});
