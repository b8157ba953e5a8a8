// One event's live stream: its renditions (the ABR ladder, highest first), what the master
// playlist announces, and the stream's status for the API (idle or live, last part time).

import type { RenditionReport } from './playlist.js';
import type { Variant } from './playlist-render.js';
import { lastPosition } from './playlist-rules.js';
import { Rendition } from './rendition.js';
import { MEDIA_PLAYLIST } from './resource-names.js';

/** One rung of the ABR ladder. */
export interface RenditionSpec {
  /** Directory name in URLs: lowercase letters, digits and dashes (e.g. `360p`). */
  readonly name: string;
  readonly width: number;
  readonly height: number;
  /** Video bits per second (the encoder's target and cap). */
  readonly videoBitrate: number;
  /** Audio bits per second. */
  readonly audioBitrate: number;
}

export interface LiveStreamOptions {
  readonly segmentTarget: number;
  readonly partTarget: number;
  readonly windowSegments: number;
  readonly frameRate: number;
  readonly epoch: string;
  readonly now: () => number;
}

export type StreamState = 'idle' | 'live' | 'ended';

export interface RenditionStatus {
  readonly name: string;
  /** Pixels: the encoded picture's once media arrived, else the ladder's. */
  readonly width: number;
  readonly height: number;
  /** Bits per second measured over the window's complete segments; undefined before one. */
  readonly bitrate: number | undefined;
  readonly lastMsn: number | undefined;
  readonly lastPart: number | undefined;
}

export interface StreamStatus {
  readonly state: StreamState;
  readonly renditions: readonly RenditionStatus[];
  /** The sum of the renditions' measured bitrates (what the ingest sends out), bits/s. */
  readonly bitrate: number | undefined;
  /** Wall-clock ms of the newest part of any rendition. */
  readonly lastPartAtMs: number | undefined;
}

/** Headroom over the encoder's bitrate for EXT-X-STREAM-INF BANDWIDTH (peak, with container). */
const BANDWIDTH_HEADROOM = 1.2;

export class LiveStream {
  readonly eventId: string;
  readonly specs: readonly RenditionSpec[];
  readonly #renditions = new Map<string, Rendition>();
  readonly #frameRate: number;

  constructor(eventId: string, specs: readonly RenditionSpec[], options: LiveStreamOptions) {
    this.eventId = eventId;
    this.specs = specs;
    this.#frameRate = options.frameRate;
    for (const spec of specs) {
      this.#renditions.set(
        spec.name,
        new Rendition({
          name: spec.name,
          segmentTarget: options.segmentTarget,
          partTarget: options.partTarget,
          windowSegments: options.windowSegments,
          epoch: options.epoch,
          now: options.now,
        }),
      );
    }
  }

  rendition(name: string): Rendition | undefined {
    return this.#renditions.get(name);
  }

  get renditions(): Rendition[] {
    return [...this.#renditions.values()];
  }

  /** The master playlist's variants, once every rendition has its init segment. */
  variants(): Variant[] | undefined {
    const variants: Variant[] = [];
    for (const spec of this.specs) {
      const init = this.#renditions.get(spec.name)!.initInfo;
      if (!init) return undefined;
      variants.push({
        uri: `${spec.name}/${MEDIA_PLAYLIST}`,
        bandwidth: (spec.videoBitrate + spec.audioBitrate) * BANDWIDTH_HEADROOM,
        codecs: init.codecs,
        width: init.video.width || spec.width,
        height: init.video.height || spec.height,
        frameRate: this.#frameRate,
      });
    }
    return variants;
  }

  /** EXT-X-RENDITION-REPORT lines for the playlist of `name`: every other rendition. */
  reports(name: string): RenditionReport[] {
    const reports: RenditionReport[] = [];
    for (const [other, rendition] of this.#renditions) {
      if (other === name) continue;
      const last = lastPosition(rendition.window());
      if (!last) continue;
      reports.push({
        uri: `../${other}/${MEDIA_PLAYLIST}`,
        lastMsn: last.msn,
        lastPart: last.part,
      });
    }
    return reports;
  }

  status(): StreamStatus {
    const renditions = this.renditions;
    const times = renditions.map((r) => r.lastPartAtMs).filter((t) => t !== undefined);
    const anyMedia = times.length > 0;
    const allEnded = renditions.every((r) => r.ended);
    const statuses = this.specs.map((spec): RenditionStatus => {
      const r = this.#renditions.get(spec.name)!;
      const last = lastPosition(r.window());
      const video = r.initInfo?.video;
      return {
        name: r.name,
        width: video?.width || spec.width,
        height: video?.height || spec.height,
        bitrate: r.bitrate(),
        lastMsn: last?.msn,
        lastPart: last?.part,
      };
    });
    const measured = statuses.map((s) => s.bitrate).filter((b) => b !== undefined);
    return {
      state: !anyMedia ? 'idle' : allEnded ? 'ended' : 'live',
      renditions: statuses,
      bitrate: measured.length > 0 ? measured.reduce((a, b) => a + b, 0) : undefined,
      lastPartAtMs: anyMedia ? Math.max(...times) : undefined,
    };
  }
}
