// Each LL-HLS rule of the media and master playlists, checked on hand-made windows; hls-parser
// (an independent, strict reader) parses what we render wherever a rule concerns a player.

import * as HLS from 'hls-parser';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RenditionUris } from './playlist.js';
import { renderMasterPlaylist, renderMediaPlaylist, seconds } from './playlist-render.js';
import { T0, windowOf } from './playlist-testing.js';

const uris: RenditionUris = {
  part: (seq) => `p${seq}.m4s`,
  segment: (msn) => `s${msn}.m4s`,
};

function parseMedia(text: string): HLS.types.MediaPlaylist {
  const playlist = HLS.parse(text);
  if (playlist.isMasterPlaylist) throw new Error('expected a media playlist');
  return playlist as HLS.types.MediaPlaylist;
}

function tagLines(text: string, tag: string): string[] {
  return text.split('\n').filter((line) => line.startsWith(tag));
}

beforeAll(() => {
  // Throw on anything hls-parser finds invalid instead of logging it.
  HLS.setOptions({ strictMode: true });
});

describe('media playlist header', () => {
  const text = renderMediaPlaylist(windowOf({ complete: 4, openParts: 2 }), uris);
  const parsed = parseMedia(text);

  it('declares version 9, the lowest that allows EXT-X-SKIP', () => {
    expect(tagLines(text, '#EXT-X-VERSION')).toEqual(['#EXT-X-VERSION:9']);
    expect(parsed.version).toBe(9);
  });

  it('states the target duration and the part target', () => {
    expect(parsed.targetDuration).toBe(1);
    expect(parsed.partTargetDuration).toBe(0.2);
  });

  it('allows blocking reload with PART-HOLD-BACK of three part targets', () => {
    const control = parsed.lowLatencyCompatibility!;
    expect(control.canBlockReload).toBe(true);
    expect(control.partHoldBack).toBeCloseTo(0.6, 6);
    // RFC 8216bis 4.4.3.8: at least twice PART-TARGET, should be three times.
    expect(control.partHoldBack).toBeGreaterThanOrEqual(3 * parsed.partTargetDuration! - 1e-9);
  });

  it('offers delta updates with a skip boundary of six target durations', () => {
    const control = parsed.lowLatencyCompatibility!;
    expect(control.canSkipUntil).toBe(6);
    expect(control.holdBack).toBe(3);
  });

  it('numbers its segments from EXT-X-MEDIA-SEQUENCE', () => {
    expect(parsed.mediaSequenceBase).toBe(100);
    expect(parsed.segments.map((s) => s.mediaSequenceNumber)).toEqual([100, 101, 102, 103, 104]);
  });
});

describe('segments and parts', () => {
  it('stamps every segment with its program date-time', () => {
    const text = renderMediaPlaylist(windowOf({ complete: 6, openParts: 1 }), uris);
    const parsed = parseMedia(text);
    expect(tagLines(text, '#EXT-X-PROGRAM-DATE-TIME')).toHaveLength(7);
    expect(parsed.segments.map((s) => s.programDateTime?.getTime())).toEqual(
      [0, 1, 2, 3, 4, 5, 6].map((i) => T0 + i * 1000),
    );
  });

  it('marks a part INDEPENDENT=YES exactly when it starts on a keyframe', () => {
    const text = renderMediaPlaylist(windowOf({ complete: 2, openParts: 3 }), uris);
    const parts = parseMedia(text)
      .segments.flatMap((s) => s.parts)
      .filter((p) => !p.hint);
    expect(parts.map((p) => p.independent === true)).toEqual([
      ...[true, false, false, false, false],
      ...[true, false, false, false, false],
      ...[true, false, false],
    ]);
  });

  it('lists the open segment as parts only, without EXTINF', () => {
    const text = renderMediaPlaylist(windowOf({ complete: 1, openParts: 2 }), uris);
    expect(tagLines(text, '#EXTINF')).toEqual(['#EXTINF:1.000,']);
    expect(text).not.toContain('s101.m4s');
    expect(text).toContain('#EXT-X-PART:DURATION=0.200,URI="p506.m4s"');
  });

  it('keeps parts only for segments within three target durations of the end', () => {
    const text = renderMediaPlaylist(windowOf({ complete: 8, openParts: 1 }), uris);
    const parsed = parseMedia(text);
    // 8.2 s of media: only 106 (starts 2.2 s before the end), 107 and the open 108 keep parts.
    const listed = parsed.segments.map((s) => s.parts.filter((p) => !p.hint).length);
    expect(listed).toEqual([0, 0, 0, 0, 0, 0, 5, 5, 1]);
  });

  it('hints the next part by its rendition-wide counter', () => {
    const text = renderMediaPlaylist(windowOf({ complete: 2, openParts: 5 }), uris);
    // Five parts make a full segment, so the next part may open segment 103: the counter
    // names it either way.
    expect(tagLines(text, '#EXT-X-PRELOAD-HINT')).toEqual([
      '#EXT-X-PRELOAD-HINT:TYPE=PART,URI="p515.m4s"',
    ]);
    const parsed = parseMedia(text);
    const hint = parsed.segments.at(-1)!.parts.at(-1)!;
    expect(hint).toMatchObject({ hint: true, uri: 'p515.m4s' });
  });

  it('ends with EXT-X-ENDLIST and no preload hint once the stream ended', () => {
    const text = renderMediaPlaylist(windowOf({ complete: 3, ended: true }), uris);
    expect(text).not.toContain('PRELOAD-HINT');
    expect(parseMedia(text).endlist).toBe(true);
  });

  it('renders an empty window as a valid playlist with no segments', () => {
    const text = renderMediaPlaylist(windowOf({ complete: 0 }), uris);
    expect(parseMedia(text).segments).toEqual([]);
    expect(text).not.toContain('PRELOAD-HINT');
  });
});

describe('encoder restarts', () => {
  it('puts EXT-X-DISCONTINUITY and the new init segment before the first segment after one', () => {
    const text = renderMediaPlaylist(
      windowOf({ complete: 4, openParts: 1, discontinuities: [102] }),
      uris,
    );
    const parsed = parseMedia(text);
    // The complete ones (hls-parser gives the open segment, parts only, no map of its own).
    const segments = parsed.segments.slice(0, 4);
    expect(segments.map((s) => s.discontinuity === true)).toEqual([false, false, true, false]);
    expect(segments.map((s) => s.map.uri)).toEqual([
      'init0.mp4',
      'init0.mp4',
      'init1.mp4',
      'init1.mp4',
    ]);
    expect(tagLines(text, '#EXT-X-MAP')).toHaveLength(2);
    const lines = text.split('\n');
    const at = lines.indexOf('#EXT-X-DISCONTINUITY');
    expect(lines[at + 1]).toBe('#EXT-X-MAP:URI="init1.mp4"');
  });

  it('counts discontinuities that rolled out in EXT-X-DISCONTINUITY-SEQUENCE', () => {
    const window = { ...windowOf({ complete: 3 }), discontinuitySequence: 2 };
    const parsed = parseMedia(renderMediaPlaylist(window, uris));
    expect(parsed.discontinuitySequenceBase).toBe(2);
    expect(parsed.segments[0]!.discontinuitySequence).toBe(2);
  });
});

describe('delta updates (_HLS_skip=YES)', () => {
  const window = windowOf({ complete: 20, openParts: 2 });
  const full = renderMediaPlaylist(window, uris);
  const delta = renderMediaPlaylist(window, uris, { skip: true });

  it('replaces the segments older than the skip boundary with EXT-X-SKIP', () => {
    // 20.4 s of media, boundary 6 s: segments ending at or before 14.4 s are skipped (14).
    expect(tagLines(delta, '#EXT-X-SKIP')).toEqual(['#EXT-X-SKIP:SKIPPED-SEGMENTS=14']);
    const parsed = parseMedia(delta);
    expect(parsed.skip).toBe(14);
    expect(parsed.segments[0]!.mediaSequenceNumber).toBe(114);
    expect(parsed.segments.at(-1)!.mediaSequenceNumber).toBe(120);
  });

  it('is really shorter than the full playlist', () => {
    // Each skipped segment saves its PROGRAM-DATE-TIME, EXTINF and URI lines; EXT-X-SKIP costs one.
    const lineCount = (text: string) => text.split('\n').length;
    expect(lineCount(full) - lineCount(delta)).toBe(14 * 3 - 1);
    expect(parseMedia(full).segments).toHaveLength(21);
    expect(parseMedia(delta).segments).toHaveLength(7);
  });

  it('keeps the newest segments within the skip boundary, as in the full playlist', () => {
    const tail = (text: string) =>
      text.slice(text.indexOf('#EXT-X-PROGRAM-DATE-TIME:2026-12-03T18:00:14'));
    expect(tail(delta)).toBe(tail(full));
    // The first listed segment still carries its init segment.
    expect(delta).toContain('#EXT-X-MAP:URI="init0.mp4"');
  });

  it('sends the full playlist, without EXT-X-SKIP, when nothing is old enough to skip', () => {
    const short = windowOf({ complete: 6, openParts: 1 });
    expect(renderMediaPlaylist(short, uris, { skip: true })).toBe(renderMediaPlaylist(short, uris));
  });
});

describe('rendition reports', () => {
  it('reports the last segment and part of each other rendition', () => {
    const text = renderMediaPlaylist(windowOf({ complete: 2, openParts: 1 }), uris, {
      reports: [
        { uri: '../low/index.m3u8', lastMsn: 102, lastPart: 0 },
        { uri: '../mid/index.m3u8', lastMsn: 101, lastPart: 4 },
      ],
    });
    const parsed = parseMedia(text);
    expect(parsed.renditionReports.map((r) => [r.uri, r.lastMSN, r.lastPart])).toEqual([
      ['../low/index.m3u8', 102, 0],
      ['../mid/index.m3u8', 101, 4],
    ]);
  });
});

describe('master playlist', () => {
  it('lists every rendition with bandwidth, codecs, resolution and frame rate', () => {
    const text = renderMasterPlaylist([
      {
        uri: 'high/index.m3u8',
        bandwidth: 1_200_000,
        codecs: 'avc1.64001f,mp4a.40.2',
        width: 854,
        height: 480,
        frameRate: 30,
      },
      {
        uri: 'low/index.m3u8',
        bandwidth: 400_000,
        codecs: 'avc1.42c01e,mp4a.40.2',
        width: 426,
        height: 240,
        frameRate: 30,
      },
    ]);
    const parsed = HLS.parse(text) as HLS.types.MasterPlaylist;
    expect(parsed.isMasterPlaylist).toBe(true);
    expect(parsed.independentSegments).toBe(true);
    expect(
      parsed.variants.map((v) => [v.uri, v.bandwidth, v.codecs, v.resolution, v.frameRate]),
    ).toEqual([
      ['high/index.m3u8', 1_200_000, 'avc1.64001f,mp4a.40.2', { width: 854, height: 480 }, 30],
      ['low/index.m3u8', 400_000, 'avc1.42c01e,mp4a.40.2', { width: 426, height: 240 }, 30],
    ]);
  });
});

describe('seconds', () => {
  it('prints at most millisecond precision without trailing zeros', () => {
    expect(seconds(0.6000000000000001)).toBe('0.6');
    expect(seconds(6)).toBe('6');
    expect(seconds(1 / 3)).toBe('0.333');
  });
});
