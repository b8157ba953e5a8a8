// Wires the media process once: the origin and its listener, the one RTMP and one SRT ingest gate
// (on MEDIA_RTMP_PORT and MEDIA_SRT_PORT, shared by every event and routed by stream key through
// IngestRoutes), one LiveStream and Ingest per event, the demo stream, and the control routes the
// API calls (stream keys, status, an event's end). main.ts and the tests build it here; the
// embedded engine runs main.ts as a child process.

import { ffmpegWorks } from './ffmpeg-check.js';
import type { IngestSource } from './ffmpeg-args.js';
import type { MediaConfig } from './config.js';
import { ControlRoutes, StreamConflictError, type StreamInfo } from './control-routes.js';
import { Ingest } from './ingest.js';
import { LiveStream, type StreamStatus } from './live-stream.js';
import { Origin, realTimer, type SetTimer } from './origin.js';
import { OriginServer } from './origin-server.js';
import { MediaMetrics } from './metrics.js';
import type { MediaProblemCode } from './problems.js';
import { masterPlaylistPath, newEpoch } from './resource-names.js';
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import { IngestRoutes } from './ingest-routes.js';
import { PublisherSlot } from './publisher-slot.js';
import { RtmpGate } from './rtmp-gate.js';
import { SrtGate } from './srt-gate.js';

/** The stream name ffmpeg's loopback RTMP listener expects (the gate checks the real key). */
const UPSTREAM_STREAM = 'ingest';

/** A free loopback port for an ffmpeg listener (racy in principle; a failed start restarts). */
async function loopbackPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return address.port;
}

/** A free loopback UDP port for ffmpeg's SRT listener (racy likewise). */
async function loopbackUdpPort(): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(resolve));
  return port;
}

/** An event's key-routed encoder ingest: an ffmpeg listener behind each of the shared gates. */
export interface EncoderIngest {
  readonly rtmp: { readonly ingest: Ingest };
  readonly srt: { readonly ingest: Ingest };
  readonly slot: PublisherSlot;
}

export interface MediaServiceDeps {
  readonly now?: () => number;
  readonly setTimer?: SetTimer;
  readonly log?: (line: string) => void;
  /** Seen for every refused token (code and event only: never the token). */
  readonly onRefusal?: (code: MediaProblemCode, eventId: string) => void;
}

export class MediaService {
  readonly config: MediaConfig;
  readonly origin: Origin;
  readonly server: OriginServer;
  /** The process's Prometheus series, served at the origin's `/metrics`. */
  readonly metrics: MediaMetrics;
  readonly #streams = new Map<
    string,
    { stream: LiveStream; ingests: Ingest[]; source: StreamInfo['source']; encoder?: EncoderIngest }
  >();
  readonly #now: () => number;
  readonly #setTimer: SetTimer;
  readonly #log: (line: string) => void;
  readonly #epoch: string;
  readonly #routes = new IngestRoutes();
  #closed = false;
  /** The media process's one RTMP ingest port, every event's (listening once started). */
  readonly rtmpGate: RtmpGate;
  /** Its one SRT ingest port (UDP). */
  readonly srtGate: SrtGate;

  constructor(config: MediaConfig, deps: MediaServiceDeps = {}) {
    this.config = config;
    this.#now = deps.now ?? Date.now;
    this.#setTimer = deps.setTimer ?? realTimer;
    this.#log = deps.log ?? ((line) => console.log(`media: ${line}`));
    this.#epoch = newEpoch(this.#now());
    this.origin = new Origin({
      stream: (id) => this.#streams.get(id)?.stream,
      tokenSecret: config.tokenSecret,
      now: this.#now,
      corsOrigin: config.corsOrigin,
      setTimer: this.#setTimer,
      onRefusal: (code, eventId) => {
        this.#log(`refused a playback request for ${eventId}: ${code}`);
        deps.onRefusal?.(code, eventId);
      },
    });
    this.metrics = new MediaMetrics({
      held: () => this.origin.held,
      ingests: () => {
        const counts = { running: 0, waiting: 0 };
        for (const { ingests } of this.#streams.values()) {
          for (const ingest of ingests) {
            if (ingest.state === 'running' || ingest.state === 'waiting') counts[ingest.state]++;
          }
        }
        return counts;
      },
      publishers: () =>
        [...this.#streams.values()].filter((entry) => entry.encoder?.slot.holder).length,
      streams: () => this.#streams.size,
    });
    this.server = new OriginServer(this.origin, {
      metrics: this.metrics,
      host: config.host,
      port: config.port,
      transport: config.httpServer,
      tls: config.tls,
      control: new ControlRoutes({ secret: config.tokenSecret, streams: this }).serve,
    });
    const gate = { routes: this.#routes, host: config.host, log: this.#log };
    this.rtmpGate = new RtmpGate({ ...gate, port: config.rtmpPort });
    this.srtGate = new SrtGate({ ...gate, port: config.srtPort, now: this.#now });
  }

  /** Listens (origin and both ingest gates), then starts the demo stream if configured. */
  async start(): Promise<void> {
    await this.server.start();
    try {
      await this.rtmpGate.start();
      await this.srtGate.start();
    } catch (err) {
      await this.close();
      throw err;
    }
    const demo = this.config.demoEvent;
    if (demo === undefined) return;
    if (!ffmpegWorks(this.config.ffmpegPath)) {
      this.#log(`${this.config.ffmpegPath} is missing: no demo stream (install ffmpeg for video)`);
      return;
    }
    const top = this.config.ladder[0]!;
    this.addStream(demo, { kind: 'demo', width: top.width, height: top.height });
    this.#log(`demo stream for event ${demo} at ${this.masterUrl(demo, '<token>')}`);
  }

  /** Starts an event's stream from `source`; `secrets` are redacted from ffmpeg's log. */
  addStream(eventId: string, source: IngestSource, secrets: readonly string[] = []): Ingest {
    if (this.#streams.has(eventId)) throw new Error(`event ${eventId} already has a stream`);
    const stream = this.#liveStream(eventId);
    const ingest = this.#ingest(stream, source, secrets);
    this.#streams.set(eventId, { stream, ingests: [ingest], source: 'demo' });
    ingest.start();
    return ingest;
  }

  #liveStream(eventId: string): LiveStream {
    const c = this.config;
    return new LiveStream(eventId, c.ladder, {
      segmentTarget: c.segmentTarget,
      partTarget: c.partTarget,
      windowSegments: c.windowSegments,
      frameRate: c.frameRate,
      epoch: this.#epoch,
      now: this.#now,
    });
  }

  #ingest(stream: LiveStream, source: IngestSource, secrets: readonly string[]): Ingest {
    const c = this.config;
    return new Ingest({
      stream,
      source,
      ladder: {
        renditions: c.ladder,
        frameRate: c.frameRate,
        segmentTarget: c.segmentTarget,
        partTarget: c.partTarget,
        preset: c.preset,
      },
      ffmpegPath: c.ffmpegPath,
      secrets,
      setTimer: this.#setTimer,
      log: this.#log,
      onPart: (rendition) => this.metrics.part(rendition),
      onRestart: () => this.metrics.ffmpegRestart(),
    });
  }

  /**
   * Opens an event's encoder ingest behind the shared gates: RTMP at
   * `rtmp://<host>:<rtmp port>/live/<key>` and SRT at `srt://<host>:<srt port>?streamid=<key>`,
   * one publisher at a time. The gates route a key whose SHA-256 is `keySha256` to this event's
   * ffmpeg listeners on loopback ports; ffmpeg never sees the key.
   */
  async addEncoderStream(eventId: string, keySha256: Buffer): Promise<EncoderIngest> {
    if (this.#streams.has(eventId)) throw new Error(`event ${eventId} already has a stream`);
    const slot = new PublisherSlot();
    const [rtmpUpstream, srtUpstream] = [await loopbackPort(), await loopbackUdpPort()];
    if (this.#streams.has(eventId)) throw new Error(`event ${eventId} already has a stream`);
    const route = { eventId, rtmpUpstreamPort: rtmpUpstream, srtUpstreamPort: srtUpstream, slot };
    this.#routes.set(keySha256, route);
    const stream = this.#liveStream(eventId);
    const rtmp = this.#ingest(
      stream,
      { kind: 'rtmp', url: `rtmp://127.0.0.1:${rtmpUpstream}/live/${UPSTREAM_STREAM}` },
      [],
    );
    const srt = this.#ingest(
      stream,
      { kind: 'srt', url: `srt://127.0.0.1:${srtUpstream}?mode=listener` },
      [],
    );
    const encoder: EncoderIngest = { rtmp: { ingest: rtmp }, srt: { ingest: srt }, slot };
    this.#streams.set(eventId, { stream, ingests: [rtmp, srt], source: 'encoder', encoder });
    rtmp.start();
    srt.start();
    return encoder;
  }

  /**
   * Sets an event's stream key (its SHA-256): the first key opens the event's ingest, a new one
   * rotates it (the route follows the new key; publishers with the old one are cut and refused
   * from then on). An event fed by the demo pattern has no key: StreamConflictError.
   */
  async setStreamKey(eventId: string, keySha256: Buffer): Promise<StreamInfo> {
    const entry = this.#streams.get(eventId);
    if (entry && !entry.encoder) throw new StreamConflictError(eventId, entry.source);
    if (entry?.encoder) {
      // The same key again (the API restoring keys) is no rotation: nobody is cut.
      if (this.#routes.keySha256(eventId)?.equals(keySha256)) return this.streamInfo(eventId)!;
      this.#routes.set(keySha256, this.#routes.route(eventId)!);
      this.#cut(eventId, 'rotated');
    } else await this.addEncoderStream(eventId, keySha256);
    this.#log(`stream key of ${eventId} ${entry ? 'rotated' : 'set'}`);
    return this.streamInfo(eventId)!;
  }

  /**
   * An event's end: its key leads nowhere from now on, its publisher is cut, its ffmpeg stopped
   * and its playlists ended. Answers false when the event had no stream.
   */
  async endStream(eventId: string): Promise<boolean> {
    const entry = this.#streams.get(eventId);
    if (!entry) return false;
    this.#routes.remove(eventId);
    this.#streams.delete(eventId);
    if (entry.encoder) this.#cut(eventId, 'ended');
    for (const ingest of entry.ingests) await ingest.close();
    this.#log(`stream of ${eventId} ended`);
    return true;
  }

  #cut(eventId: string, why: 'rotated' | 'ended'): void {
    const rtmp = this.rtmpGate.cut(eventId);
    const srt = this.srtGate.cut(eventId);
    const subject =
      why === 'rotated' ? `stream key of ${eventId} rotated` : `stream of ${eventId} ended`;
    if (rtmp > 0) this.#log(`${subject}: cut ${rtmp} publisher(s)`);
    if (srt > 0) this.#log(`${subject}: cut ${srt} SRT publisher(s)`);
  }

  /** What the API's stream route shows: the source, ingest address and status. */
  streamInfo(eventId: string): StreamInfo | undefined {
    const entry = this.#streams.get(eventId);
    if (!entry) return undefined;
    const status = entry.stream.status();
    return {
      eventId,
      source: entry.source,
      ingest: entry.encoder
        ? {
            rtmp: `rtmp://${this.#publicHost()}:${this.rtmpGate.port}/live`,
            srt: `srt://${this.#publicHost()}:${this.srtGate.port}`,
          }
        : {},
      publisher: entry.encoder?.slot.holder ?? null,
      state: status.state,
      renditions: status.renditions.map((r) => ({
        name: r.name,
        width: r.width,
        height: r.height,
        bitrate: r.bitrate ?? null,
        lastMsn: r.lastMsn ?? null,
        lastPart: r.lastPart ?? null,
      })),
      bitrate: status.bitrate ?? null,
      lastPartAt: status.lastPartAtMs ?? null,
    };
  }

  #publicHost(): string {
    return this.config.host === '0.0.0.0' ? '127.0.0.1' : this.config.host;
  }

  stream(eventId: string): LiveStream | undefined {
    return this.#streams.get(eventId)?.stream;
  }

  status(eventId: string): StreamStatus | undefined {
    return this.#streams.get(eventId)?.stream.status();
  }

  /** The master playlist URL of an event for a token (the join reply's `playback.url`). */
  masterUrl(eventId: string, token: string): string {
    const base = `${this.server.scheme}://${this.#publicHost()}:${this.server.port}`;
    return `${base}${masterPlaylistPath(eventId, token)}`;
  }

  /** Stops the gates and every ingest (ending playlists), then the listener. Idempotent. */
  async close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      await Promise.all([this.rtmpGate.close(), this.srtGate.close()]);
    }
    await Promise.all(
      [...this.#streams.values()].map(async ({ ingests }) => {
        for (const ingest of ingests) await ingest.close();
      }),
    );
    await this.server.close();
  }
}
