// Hand-made rendition windows for the playlist rule tests: 1 s segments of five 200 ms parts.

import type { PartInfo, RenditionWindow, SegmentInfo } from './playlist.js';

/** Program date-time of the first segment. */
export const T0 = Date.UTC(2026, 11, 3, 18, 0, 0);

export interface WindowShape {
  /** Complete segments. */
  complete: number;
  /** Parts in an open segment after them (0: none). */
  openParts?: number;
  partsPerSegment?: number;
  partDuration?: number;
  firstMsn?: number;
  /** msns that follow an encoder restart. */
  discontinuities?: number[];
  ended?: boolean;
}

/** A window of 1 s segments of five 200 ms parts, the first part of each a keyframe. */
export function windowOf(shape: WindowShape): RenditionWindow {
  const per = shape.partsPerSegment ?? 5;
  const partDuration = shape.partDuration ?? 0.2;
  const firstMsn = shape.firstMsn ?? 100;
  const segments: SegmentInfo[] = [];
  let seq = firstMsn * per;
  let init = 0;
  const count = shape.complete + (shape.openParts ? 1 : 0);
  for (let i = 0; i < count; i++) {
    const msn = firstMsn + i;
    const complete = i < shape.complete;
    const n = complete ? per : shape.openParts!;
    const parts: PartInfo[] = [];
    for (let k = 0; k < n; k++) {
      parts.push({ seq: seq++, duration: partDuration, independent: k === 0 });
    }
    const discontinuity = shape.discontinuities?.includes(msn) ?? false;
    if (discontinuity) init++;
    segments.push({
      msn,
      parts,
      duration: n * partDuration,
      programDateTimeMs: T0 + i * per * partDuration * 1000,
      discontinuity,
      initUri: `init${init}.mp4`,
      complete,
    });
  }
  return {
    targetDuration: 1,
    partTarget: partDuration,
    discontinuitySequence: 0,
    segments,
    ended: shape.ended ?? false,
  };
}
