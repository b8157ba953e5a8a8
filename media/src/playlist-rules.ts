// The LL-HLS rules that decide what a playlist says and when a request may be answered, as pure
// functions over a RenditionWindow (see playlist.ts). Each rule names where it comes from: RFC
// 8216bis (HLS 2nd edition, sections 4.4.3.8 EXT-X-SERVER-CONTROL, 4.4.4.9 EXT-X-PART, 4.4.5.2
// EXT-X-SKIP, 6.2.5 delivery directives) or Apple's "Enabling Low-Latency HLS".

import type { PartInfo, RenditionWindow, SegmentInfo } from './playlist.js';

/** EXT-X-VERSION of every playlist: 9 is the lowest that allows EXT-X-SKIP (RFC 8216bis 4.4.5.2). */
export const PLAYLIST_VERSION = 9;

/**
 * PART-HOLD-BACK as a multiple of PART-TARGET: the RFC requires at least 2 and recommends 3.
 * Three parts is also where a player starts: the live-edge latency floor.
 */
export const PART_HOLD_BACK_PARTS = 3;

/** HOLD-BACK (for players not in low-latency mode) in target durations: at least 3 (4.4.3.8). */
export const HOLD_BACK_TARGETS = 3;

/** CAN-SKIP-UNTIL (the Skip Boundary) in target durations: at least 6 (4.4.3.8). */
export const SKIP_BOUNDARY_TARGETS = 6;

/**
 * EXT-X-PART tags are listed for segments that start within this many target durations of the
 * playlist's end; older segments are listed whole only. RFC 8216bis 4.4.4.9 asks servers to
 * remove parts once they are more than three target durations from the end (strict readers such
 * as hls-parser enforce it); players in low-latency mode start PART-HOLD-BACK from the end, well
 * inside that.
 */
export const PART_LIST_TARGETS = 3;

/**
 * How many parts past the last one a blocking `_HLS_part` may ask for before it is refused with
 * 400: the RFC's Advance Part Limit, 3 / PART-TARGET when PART-TARGET < 1 s, else 3 (6.2.5.2).
 */
export function advancePartLimit(partTarget: number): number {
  return partTarget < 1 ? Math.ceil(3 / partTarget) : 3;
}

/** Rounds seconds to milliseconds, the precision of every duration the playlists print. */
export function roundMs(seconds: number): number {
  return Math.round(seconds * 1000) / 1000;
}

export function partHoldBack(partTarget: number): number {
  return roundMs(PART_HOLD_BACK_PARTS * partTarget);
}

export function holdBack(targetDuration: number): number {
  return HOLD_BACK_TARGETS * targetDuration;
}

export function skipBoundary(targetDuration: number): number {
  return SKIP_BOUNDARY_TARGETS * targetDuration;
}

/**
 * EXT-X-TARGETDURATION for segments of these durations: each EXTINF rounded to the nearest
 * integer must not exceed it (RFC 8216bis 4.4.3.1), and it is at least 1.
 */
export function targetDurationFor(segmentDurations: Iterable<number>): number {
  let target = 1;
  for (const d of segmentDurations) target = Math.max(target, Math.round(d));
  return target;
}

/** A position in a rendition: a segment and a part within it. */
export interface Position {
  readonly msn: number;
  readonly part: number;
}

/** The last part in the window (of the open segment if there is one), or undefined if empty. */
export function lastPosition(window: RenditionWindow): Position | undefined {
  const last = window.segments.at(-1);
  if (!last) return undefined;
  return { msn: last.msn, part: last.parts.length - 1 };
}

/** The msn of the last complete segment, or undefined when none is complete yet. */
export function lastCompleteMsn(window: RenditionWindow): number | undefined {
  for (let i = window.segments.length - 1; i >= 0; i--) {
    const s = window.segments[i]!;
    if (s.complete) return s.msn;
  }
  return undefined;
}

/** The part counter the next part will carry, for EXT-X-PRELOAD-HINT. */
export function nextPartSeq(window: RenditionWindow): number | undefined {
  const last = window.segments.at(-1)?.parts.at(-1);
  return last ? last.seq + 1 : undefined;
}

/** Seconds from the start of the window to the end of its last part. */
function windowDuration(window: RenditionWindow): number {
  let total = 0;
  for (const s of window.segments) total += s.duration;
  return total;
}

/**
 * How many leading segments a delta update (`_HLS_skip=YES`) replaces with EXT-X-SKIP: complete
 * segments that end at least the Skip Boundary before the playlist's end (RFC 8216bis 6.2.5.1:
 * only segments older than the boundary may be skipped). Zero means a delta is no shorter, and
 * the full playlist is sent without EXT-X-SKIP.
 */
export function skippableSegments(window: RenditionWindow): number {
  const boundary = skipBoundary(window.targetDuration);
  let remaining = windowDuration(window);
  let count = 0;
  for (const s of window.segments) {
    if (!s.complete) break;
    remaining -= s.duration;
    // Tolerate float dust: a segment that ends exactly on the boundary may be skipped.
    if (remaining + 1e-9 < boundary) break;
    count++;
  }
  return count;
}

/** Index of the first segment whose parts are listed (see PART_LIST_TARGETS). */
export function firstSegmentWithParts(window: RenditionWindow): number {
  const horizon = PART_LIST_TARGETS * window.targetDuration;
  let remaining = windowDuration(window);
  for (let i = 0; i < window.segments.length; i++) {
    // `remaining` is how far before the playlist's end segment i starts.
    if (remaining < horizon - 1e-9) return i;
    remaining -= window.segments[i]!.duration;
  }
  return window.segments.length;
}

/** What a blocking playlist request (`_HLS_msn`, `_HLS_part`) should get now. */
export type BlockingVerdict =
  /** The window already holds what was asked for: answer now. */
  | 'ready'
  /** Not yet: hold the request until the window changes (bounded by the origin). */
  | 'wait'
  /** Further ahead than the RFC lets a client ask: 400 at once (6.2.5.2). */
  | 'too_far';

/**
 * Whether the window satisfies `_HLS_msn=msn` (and `_HLS_part=part` when given). With a part:
 * ready once segment `msn` holds that part, or a later segment exists (the segment closed with
 * fewer parts). Without: ready once segment `msn` is complete. Too far: `msn` more than two past
 * the last segment, or `part` more than the Advance Part Limit past the last part.
 */
export function blockingVerdict(
  window: RenditionWindow,
  msn: number,
  part: number | undefined,
): BlockingVerdict {
  const last = window.segments.at(-1);
  if (!last) return 'wait';
  if (msn > last.msn + 2) return 'too_far';
  if (part === undefined) {
    const complete = lastCompleteMsn(window);
    return complete !== undefined && complete >= msn ? 'ready' : 'wait';
  }
  if (msn < last.msn) return 'ready';
  if (msn === last.msn && part < last.parts.length) return 'ready';
  // Count parts ahead of the last one, as if the open segment kept going.
  const partsPerSegment = Math.max(1, Math.round(window.targetDuration / window.partTarget));
  const ahead = (msn - last.msn) * partsPerSegment + part - (last.parts.length - 1);
  return ahead > advancePartLimit(window.partTarget) ? 'too_far' : 'wait';
}

/** The part at a position, if the window holds it. */
export function partAt(window: RenditionWindow, msn: number, part: number): PartInfo | undefined {
  return segmentAt(window, msn)?.parts[part];
}

export function segmentAt(window: RenditionWindow, msn: number): SegmentInfo | undefined {
  const first = window.segments[0];
  if (!first) return undefined;
  return window.segments[msn - first.msn];
}

/** Where a requested part stands relative to the window. */
export type PartStanding =
  /** In the window: serve it. */
  | 'present'
  /** The next part or nearly: hold the request until it is complete (preload hint). */
  | 'upcoming'
  /** Older than the window: it existed and is gone (410). */
  | 'gone'
  /** Not a part this rendition has or will soon have (404). */
  | 'unknown';

/**
 * Classifies a request for the part with counter `seq`. Upcoming covers the hinted part and the
 * Advance Part Limit after it, so a client that runs slightly ahead is held rather than refused.
 */
export function partStanding(window: RenditionWindow, seq: number): PartStanding {
  const first = window.segments[0]?.parts[0];
  const next = nextPartSeq(window);
  const limit = advancePartLimit(window.partTarget);
  if (first === undefined || next === undefined) {
    return seq >= 0 && seq < limit && !window.ended ? 'upcoming' : 'unknown';
  }
  if (seq < first.seq) return 'gone';
  if (seq < next) return 'present';
  if (window.ended) return 'unknown';
  return seq - next < limit ? 'upcoming' : 'unknown';
}
