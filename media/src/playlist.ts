// What a media playlist shows, as plain data: the packager keeps one `RenditionWindow` per
// rendition and the pure functions of playlist-rules.ts and playlist-render.ts turn it into the
// text a player reads. Nothing here knows about HTTP, ffmpeg or the clock, so every LL-HLS rule
// (RFC 8216bis, Apple's LL-HLS) is unit-tested on hand-made windows.
//
// Naming: a media sequence number (msn) counts segments; a part index counts parts within one
// segment (0-based, the numbering of `_HLS_part`); a part's `seq` counts parts across the whole
// rendition, which lets a preload hint name the next part before anyone knows whether it opens a
// new segment (it does when it starts on a keyframe past the segment target).

/** One part (an fMP4 fragment: a moof and its mdat) as the playlist lists it. */
export interface PartInfo {
  /** Rendition-wide part counter; the part's URI is built from it. */
  readonly seq: number;
  /** Seconds, from the fragment's sample durations. */
  readonly duration: number;
  /** True when the part begins with a keyframe (a client may start decoding there). */
  readonly independent: boolean;
}

/** One segment: a run of parts that starts on a keyframe. */
export interface SegmentInfo {
  readonly msn: number;
  /** Parts in order; never empty. */
  readonly parts: readonly PartInfo[];
  /** Seconds: the sum of the parts' durations. */
  readonly duration: number;
  /** Wall-clock time of the segment's first sample, ms since the epoch. */
  readonly programDateTimeMs: number;
  /** True when an encoder restart precedes this segment (EXT-X-DISCONTINUITY). */
  readonly discontinuity: boolean;
  /** The init segment (EXT-X-MAP) this segment decodes with. */
  readonly initUri: string;
  /** False for the segment still being written: it shows as parts only, without EXTINF. */
  readonly complete: boolean;
}

/** The other renditions' positions, for EXT-X-RENDITION-REPORT. */
export interface RenditionReport {
  /** Relative URI of that rendition's media playlist. */
  readonly uri: string;
  /** Its last complete segment... or the open one (see playlist-rules `lastPosition`). */
  readonly lastMsn: number;
  readonly lastPart: number;
}

/** Everything a media playlist is rendered from. */
export interface RenditionWindow {
  /** Seconds, an integer: the longest segment duration rounded (EXT-X-TARGETDURATION). */
  readonly targetDuration: number;
  /** Seconds: no part is longer (EXT-X-PART-INF:PART-TARGET). */
  readonly partTarget: number;
  /** Discontinuities that rolled out of the window before its first segment. */
  readonly discontinuitySequence: number;
  /** Oldest first, msns consecutive; only the last one may be incomplete. */
  readonly segments: readonly SegmentInfo[];
  /** The stream ended (EXT-X-ENDLIST; no preload hint). */
  readonly ended: boolean;
}

/** Names every resource of one rendition; the origin parses the same names back. */
export interface RenditionUris {
  part(seq: number): string;
  segment(msn: number): string;
}
