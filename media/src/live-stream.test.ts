import { describe, expect, it } from 'vitest';
import { syntheticStream } from './stream-testing.js';

describe('LiveStream.status', () => {
  it('is idle with the ladder sizes before any media arrives', () => {
    // An init segment alone is not media yet: nothing to play.
    const { stream } = syntheticStream('match', () => 5_000);
    expect(stream.status()).toEqual({
      state: 'idle',
      renditions: [
        {
          name: '360p',
          width: 640,
          height: 360,
          bitrate: undefined,
          lastMsn: undefined,
          lastPart: undefined,
        },
        {
          name: '180p',
          width: 320,
          height: 180,
          bitrate: undefined,
          lastMsn: undefined,
          lastPart: undefined,
        },
      ],
      bitrate: undefined,
      lastPartAtMs: undefined,
    });
  });

  it('measures each rendition over its complete segments and names the last part time', () => {
    let now = 10_000;
    const s = syntheticStream('match', () => now);
    s.feed(5); // segment 0, open until the next keyframe
    expect(s.stream.status().bitrate).toBeUndefined();
    now = 12_345;
    s.feed(7); // keyframes opened segments 1 and 2: 0 and 1 are complete (2 s)
    const bytes = (name: string) =>
      Array.from({ length: 10 }, (_, n) => `${name}-frag${n}`.length).reduce((a, b) => a + b);
    const status = s.stream.status();
    expect(status.state).toBe('live');
    expect(status.renditions.map((r) => [r.name, r.bitrate, r.lastMsn, r.lastPart])).toEqual([
      ['360p', Math.round((bytes('360p') * 8) / 2), 2, 1],
      ['180p', Math.round((bytes('180p') * 8) / 2), 2, 1],
    ]);
    expect(status.bitrate).toBe(
      Math.round((bytes('360p') * 8) / 2) + Math.round((bytes('180p') * 8) / 2),
    );
    expect(status.lastPartAtMs).toBe(12_345);
  });

  it('is ended once every rendition ended', () => {
    const s = syntheticStream('match', () => 1_000);
    s.feed(6);
    for (const r of s.stream.renditions) r.end();
    expect(s.stream.status().state).toBe('ended');
  });
});
