// Renders master and media playlists from plain data (playlist.ts) under the rules of
// playlist-rules.ts. We write the text ourselves rather than through hls-parser's `stringify`:
// the library prints durations as raw floats, has no notion of the skip boundary or of which
// segments keep their parts, and we want every line a player sees to be held by a test here.
// hls-parser is used in the tests to parse what we write, as an independent reader.

import type { RenditionReport, RenditionUris, RenditionWindow } from './playlist.js';
import {
  PLAYLIST_VERSION,
  firstSegmentWithParts,
  holdBack,
  nextPartSeq,
  partHoldBack,
  skipBoundary,
  skippableSegments,
} from './playlist-rules.js';

/** Decimal seconds with at most millisecond precision, without trailing zeros ("0.2", "6"). */
export function seconds(value: number): string {
  return String(Math.round(value * 1000) / 1000);
}

/** EXTINF and part durations: always three decimals so lines line up ("1.000"). */
function duration(value: number): string {
  return value.toFixed(3);
}

export interface MediaPlaylistOptions {
  /** `_HLS_skip=YES`: replace segments older than the Skip Boundary with EXT-X-SKIP. */
  readonly skip?: boolean;
  /** Where the other renditions are (EXT-X-RENDITION-REPORT), each by its playlist's URI. */
  readonly reports?: readonly RenditionReport[];
}

/** The media playlist of one rendition. An empty window renders a playlist with no segments. */
export function renderMediaPlaylist(
  window: RenditionWindow,
  uris: RenditionUris,
  options: MediaPlaylistOptions = {},
): string {
  const first = window.segments[0];
  const lines = [
    '#EXTM3U',
    `#EXT-X-VERSION:${PLAYLIST_VERSION}`,
    `#EXT-X-TARGETDURATION:${window.targetDuration}`,
    '#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES' +
      `,CAN-SKIP-UNTIL=${seconds(skipBoundary(window.targetDuration))}` +
      `,HOLD-BACK=${seconds(holdBack(window.targetDuration))}` +
      `,PART-HOLD-BACK=${seconds(partHoldBack(window.partTarget))}`,
    `#EXT-X-PART-INF:PART-TARGET=${seconds(window.partTarget)}`,
    `#EXT-X-MEDIA-SEQUENCE:${first?.msn ?? 0}`,
    `#EXT-X-DISCONTINUITY-SEQUENCE:${window.discontinuitySequence}`,
  ];
  const skipped = options.skip ? skippableSegments(window) : 0;
  if (skipped > 0) lines.push(`#EXT-X-SKIP:SKIPPED-SEGMENTS=${skipped}`);
  const partsFrom = firstSegmentWithParts(window);
  let map: string | undefined;
  for (let i = skipped; i < window.segments.length; i++) {
    const segment = window.segments[i]!;
    if (segment.discontinuity) lines.push('#EXT-X-DISCONTINUITY');
    // EXT-X-MAP again after a skip as well: a delta update must stand on its own for the
    // segments it lists, and the init segment changes at a discontinuity.
    if (segment.initUri !== map) {
      map = segment.initUri;
      lines.push(`#EXT-X-MAP:URI="${map}"`);
    }
    lines.push(`#EXT-X-PROGRAM-DATE-TIME:${new Date(segment.programDateTimeMs).toISOString()}`);
    if (i >= partsFrom) {
      for (const part of segment.parts) {
        lines.push(
          `#EXT-X-PART:DURATION=${duration(part.duration)},URI="${uris.part(part.seq)}"` +
            (part.independent ? ',INDEPENDENT=YES' : ''),
        );
      }
    }
    if (segment.complete) {
      lines.push(`#EXTINF:${duration(segment.duration)},`, uris.segment(segment.msn));
    }
  }
  const hint = nextPartSeq(window);
  if (!window.ended && hint !== undefined) {
    lines.push(`#EXT-X-PRELOAD-HINT:TYPE=PART,URI="${uris.part(hint)}"`);
  }
  for (const report of options.reports ?? []) {
    lines.push(
      `#EXT-X-RENDITION-REPORT:URI="${report.uri}",LAST-MSN=${report.lastMsn},LAST-PART=${report.lastPart}`,
    );
  }
  if (window.ended) lines.push('#EXT-X-ENDLIST');
  return lines.join('\n') + '\n';
}

/** One rendition as the master playlist announces it. */
export interface Variant {
  /** Relative URI of the media playlist. */
  readonly uri: string;
  /** Peak bits per second of the rendition, audio included (BANDWIDTH). */
  readonly bandwidth: number;
  /** RFC 6381 codec strings, e.g. `avc1.42c01e,mp4a.40.2`. */
  readonly codecs: string;
  readonly width: number;
  readonly height: number;
  readonly frameRate: number;
}

/**
 * The master (multivariant) playlist: one EXT-X-STREAM-INF per rendition, highest first is not
 * required; players choose by BANDWIDTH. INDEPENDENT-SEGMENTS: every segment starts on a
 * keyframe, so a player may switch renditions at any segment boundary.
 */
export function renderMasterPlaylist(variants: readonly Variant[]): string {
  const lines = ['#EXTM3U', `#EXT-X-VERSION:${PLAYLIST_VERSION}`, '#EXT-X-INDEPENDENT-SEGMENTS'];
  for (const v of variants) {
    lines.push(
      `#EXT-X-STREAM-INF:BANDWIDTH=${Math.round(v.bandwidth)},CODECS="${v.codecs}"` +
        `,RESOLUTION=${v.width}x${v.height},FRAME-RATE=${v.frameRate.toFixed(3)}`,
      v.uri,
    );
  }
  return lines.join('\n') + '\n';
}
