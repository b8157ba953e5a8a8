// A live stream fed with synthetic fragments, for origin tests that need no ffmpeg: 1 s segments
// of five 200 ms parts, every rendition fed in lockstep.

import type { InitInfo, TrackInfo } from './cmaf-reader.js';
import { LiveStream, type RenditionSpec } from './live-stream.js';

export const TEST_SPECS: readonly RenditionSpec[] = [
  { name: '360p', width: 640, height: 360, videoBitrate: 800_000, audioBitrate: 64_000 },
  { name: '180p', width: 320, height: 180, videoBitrate: 250_000, audioBitrate: 64_000 },
];

function initFor(spec: RenditionSpec): InitInfo {
  const video: TrackInfo = {
    id: 1,
    kind: 'video',
    timescale: 90000,
    codec: 'avc1.42c01e',
    width: spec.width,
    height: spec.height,
    defaultSampleDuration: 0,
    defaultSampleFlags: 0,
  };
  return { tracks: [video], video, codecs: 'avc1.42c01e,mp4a.40.2' };
}

export interface SyntheticStream {
  readonly stream: LiveStream;
  /** Adds `count` parts to every rendition (a keyframe every fifth). */
  feed(count: number): void;
  /** An encoder restart: new init segments, media time from zero. */
  restart(): void;
}

export function syntheticStream(
  eventId: string,
  now: () => number,
  windowSegments = 10,
): SyntheticStream {
  const stream = new LiveStream(eventId, TEST_SPECS, {
    segmentTarget: 1,
    partTarget: 0.2,
    windowSegments,
    frameRate: 30,
    epoch: 'test1',
    now,
  });
  let n = 0;
  const restart = (): void => {
    n = 0;
    for (const spec of TEST_SPECS) {
      stream.rendition(spec.name)!.addInit(Buffer.from(`init-${spec.name}`), initFor(spec));
    }
  };
  restart();
  return {
    stream,
    restart,
    feed(count) {
      for (let i = 0; i < count; i++, n++) {
        for (const spec of TEST_SPECS) {
          stream.rendition(spec.name)!.addFragment(Buffer.from(`${spec.name}-frag${n}`), {
            decodeTime: n * 0.2,
            duration: 0.2,
            independent: n % 5 === 0,
          });
        }
      }
    },
  };
}
