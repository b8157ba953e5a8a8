// One rendition's live window, in memory: fragments from the CMAF reader become parts, parts
// starting on a keyframe open segments, old segments roll out of the window. It holds the bytes
// the origin serves and the RenditionWindow the playlists are rendered from, and tells listeners
// about every change (the origin's blocking requests wait on that, never on a timer).
//
// Trade-off: PART-TARGET and TARGETDURATION only grow. They start from the configured part and
// segment durations; a longer part or segment (the first one absorbs the AAC priming offset, an
// encoder may stall) raises them for the rest of the stream rather than making the playlist lie.

import type { FragmentInfo, InitInfo } from './cmaf-reader.js';
import type { PartInfo, RenditionWindow, SegmentInfo } from './playlist.js';
import { roundMs, targetDurationFor } from './playlist-rules.js';
import { initName, renditionUris } from './resource-names.js';

export interface RenditionOptions {
  /** Directory name in URLs, e.g. `360p`. */
  readonly name: string;
  /** Seconds a segment should last; a segment closes at the first keyframe past it. */
  readonly segmentTarget: number;
  /** Seconds a part should last (ffmpeg cuts fragments of this length). */
  readonly partTarget: number;
  /** Complete segments kept (and listed) behind the live edge. */
  readonly windowSegments: number;
  /** URL-safe and unique per packager start (see resource-names.ts). */
  readonly epoch: string;
  /** Wall clock, ms since the epoch: anchors program date-time. */
  readonly now: () => number;
}

interface StoredSegment {
  msn: number;
  parts: PartInfo[];
  duration: number;
  programDateTimeMs: number;
  discontinuity: boolean;
  initUri: string;
  complete: boolean;
  bytes: Buffer | undefined;
}

/**
 * A keyframe opens a new segment once the open one holds at least this share of the segment
 * target, so an encoder with a shorter GOP than the target still makes full-length segments.
 */
const SEGMENT_CLOSE_SHARE = 0.75;

export class Rendition {
  readonly name: string;
  readonly epoch: string;
  readonly uris;
  readonly #options: RenditionOptions;
  readonly #segments: StoredSegment[] = [];
  readonly #parts = new Map<number, Buffer>();
  readonly #inits = new Map<string, Buffer>();
  readonly #listeners = new Set<() => void>();
  #init: { uri: string; info: InitInfo } | undefined;
  #initCount = 0;
  #discontinuitySequence = 0;
  #pendingDiscontinuity = false;
  #anchor: { decodeTime: number; wallMs: number } | undefined;
  #nextSeq = 0;
  #nextMsn = 0;
  #partTarget: number;
  #targetDuration: number;
  #ended = false;
  #window: RenditionWindow | undefined;
  #lastPartAtMs: number | undefined;

  constructor(options: RenditionOptions) {
    this.#options = options;
    this.name = options.name;
    this.epoch = options.epoch;
    this.uris = renditionUris(options.epoch);
    this.#partTarget = roundMs(options.partTarget);
    this.#targetDuration = targetDurationFor([options.segmentTarget]);
  }

  /** The current init segment's facts (codecs, size), once the encoder sent one. */
  get initInfo(): InitInfo | undefined {
    return this.#init?.info;
  }

  /** Wall-clock ms when the last part completed, for the stream's status. */
  get lastPartAtMs(): number | undefined {
    return this.#lastPartAtMs;
  }

  get ended(): boolean {
    return this.#ended;
  }

  /**
   * A new init segment: the first of the stream, or an encoder restart. After a restart the
   * open segment is closed and the next one follows an EXT-X-DISCONTINUITY.
   */
  addInit(bytes: Buffer, info: InitInfo): void {
    const uri = initName(this.epoch, this.#initCount++);
    this.#inits.set(uri, bytes);
    this.#init = { uri, info };
    this.#anchor = undefined;
    this.#ended = false;
    const open = this.#segments.at(-1);
    if (open) {
      this.#close(open);
      this.#pendingDiscontinuity = true;
    }
    this.#changed();
  }

  /** One fragment (moof + mdat) as one part. Ignored before the first init segment. */
  addFragment(bytes: Buffer, fragment: FragmentInfo): void {
    const init = this.#init;
    if (!init) return;
    const nowMs = this.#options.now();
    // Anchor media time to the wall clock when the first fragment arrives: its first sample was
    // captured about one fragment ago.
    this.#anchor ??= { decodeTime: fragment.decodeTime, wallMs: nowMs - fragment.duration * 1000 };
    const pdt = this.#anchor.wallMs + (fragment.decodeTime - this.#anchor.decodeTime) * 1000;
    let open = this.#segments.at(-1);
    if (open?.complete) open = undefined;
    const full =
      open !== undefined && open.duration >= this.#options.segmentTarget * SEGMENT_CLOSE_SHARE;
    if (!open || (fragment.independent && full)) {
      if (open) this.#close(open);
      open = {
        msn: this.#nextMsn++,
        parts: [],
        duration: 0,
        programDateTimeMs: Math.round(pdt),
        discontinuity: this.#pendingDiscontinuity,
        initUri: init.uri,
        complete: false,
        bytes: undefined,
      };
      this.#pendingDiscontinuity = false;
      this.#segments.push(open);
    }
    const seq = this.#nextSeq++;
    open.parts.push({
      seq,
      duration: roundMs(fragment.duration),
      independent: fragment.independent,
    });
    open.duration = roundMs(open.duration + fragment.duration);
    this.#parts.set(seq, bytes);
    this.#partTarget = Math.max(this.#partTarget, Math.ceil(fragment.duration * 1000) / 1000);
    this.#lastPartAtMs = nowMs;
    this.#trim();
    this.#changed();
  }

  /** The encoder stopped for good: close the open segment and end the playlist. */
  end(): void {
    const open = this.#segments.at(-1);
    if (open) this.#close(open);
    this.#ended = true;
    this.#changed();
  }

  /** The playlist's view of the window; the same object until the next change. */
  window(): RenditionWindow {
    this.#window ??= {
      targetDuration: this.#targetDuration,
      partTarget: this.#partTarget,
      discontinuitySequence: this.#discontinuitySequence,
      segments: this.#segments.map((s): SegmentInfo => ({
        msn: s.msn,
        parts: [...s.parts],
        duration: s.duration,
        programDateTimeMs: s.programDateTimeMs,
        discontinuity: s.discontinuity,
        initUri: s.initUri,
        complete: s.complete,
      })),
      ended: this.#ended,
    };
    return this.#window;
  }

  /**
   * Bits per second measured over the complete segments in the window (the media bytes the
   * encoder really sent, container included), or undefined before the first complete segment.
   */
  bitrate(): number | undefined {
    let bytes = 0;
    let seconds = 0;
    for (const s of this.#segments) {
      if (!s.complete) continue;
      for (const p of s.parts) bytes += this.#parts.get(p.seq)?.length ?? 0;
      seconds += s.duration;
    }
    return seconds > 0 ? Math.round((bytes * 8) / seconds) : undefined;
  }

  part(seq: number): Buffer | undefined {
    return this.#parts.get(seq);
  }

  init(uri: string): Buffer | undefined {
    return this.#inits.get(uri);
  }

  /** A complete segment's bytes: its parts back to back (built once, on first request). */
  segment(msn: number): Buffer | undefined {
    const first = this.#segments[0];
    const s = first ? this.#segments[msn - first.msn] : undefined;
    if (!s?.complete) return undefined;
    s.bytes ??= Buffer.concat(s.parts.map((p) => this.#parts.get(p.seq)!));
    return s.bytes;
  }

  /** Calls `listener` after every change until the returned function is called. */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #close(segment: StoredSegment): void {
    if (segment.complete) return;
    segment.complete = true;
    this.#targetDuration = Math.max(this.#targetDuration, targetDurationFor([segment.duration]));
  }

  #trim(): void {
    let complete = this.#segments.filter((s) => s.complete).length;
    while (complete > this.#options.windowSegments) {
      const gone = this.#segments.shift()!;
      complete--;
      for (const p of gone.parts) this.#parts.delete(p.seq);
      // Its EXT-X-DISCONTINUITY leaves the playlist with it: count it in the sequence.
      if (gone.discontinuity) this.#discontinuitySequence++;
      const next = this.#segments[0];
      if (next && next.initUri !== gone.initUri) this.#inits.delete(gone.initUri);
    }
  }

  #changed(): void {
    this.#window = undefined;
    for (const listener of [...this.#listeners]) listener();
  }
}
