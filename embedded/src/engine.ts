// The whole engine in one process on embedded defaults: the API and one gateway shard, sharing one
// set of memory seams from `openAdapters` (bus, event log, stores, shard registry) as processes
// share NATS and Redis, with PGlite as the system of record. The same classes run in the
// distributed mode; only the adapters differ. The gateway trusts the API's JWKS over HTTP and
// heartbeats into the registry, exactly as a remote shard would. Video is the exception: the
// media process (LL-HLS origin, ingest, the demo stream with its ffmpeg) runs as a child process,
// never in this event loop, and the API reaches it over HTTP as it would a remote one.

import {
  HttpStreamControl,
  LlHlsPlaybackIssuer,
  SigningKeys,
  WebPages,
  livekitConnectOrigins,
  TokenIssuer,
  openWebrtcTier,
  assembleControlPlane,
  createApp,
  ensureDemoEvent,
  loadSigningKeys,
  openConfiguredDatabase,
  startApi,
} from '@fanfare/api';
import {
  ResumeTickets,
  consoleLogger,
  openAdapters,
  systemClock,
  type Logger,
} from '@fanfare/fanout';
import { Es256TokenVerifier, Gateway, RegistryHeartbeat, WS_PATH } from '@fanfare/gateway';
import { loadEngineConfig } from './config.js';
import { MediaChild } from './media-child.js';

export interface Engine {
  apiUrl: string;
  gatewayUrl: string;
  /** A producer credential for the control API, printed at start-up. */
  producerToken: string;
  /** An SRE credential (API keys, capacity), printed at start-up. */
  sreToken: string;
  /** Where PGlite keeps the data (`memory`: nowhere). */
  dataDir: string;
  /** The media child's origin URL and pid; undefined with EMBEDDED_MEDIA=off. */
  media: { url: string; pid: number | undefined } | undefined;
  close(): Promise<void>;
}

type Env = Readonly<Record<string, string | undefined>>;

export interface EngineOptions {
  apiLogger?: Logger;
  gatewayLogger?: Logger;
  /** Where the media child's log lines go; defaults to stdout with a `[media]` prefix. */
  mediaLog?: (line: string) => void;
  /**
   * Built pages to serve at `/` and `/console` (a folder with index.html); none when absent.
   * The engine never builds them and never looks for them by itself (a test's engine must not
   * read a folder that `pnpm build` may be rewriting): `pnpm start` passes web's PAGES_DIR after
   * `ensurePages`, and browser tests build into a folder of their own.
   */
  pagesDir?: string;
  /**
   * The shard's QoE window and the API's QoE write period, ms (QOE_WINDOW_MS and QOE_FLUSH_MS,
   * 5 s each, when absent): a test shortens them to read a stall back in a second or two.
   */
  qoe?: { windowMs: number; flushMs: number };
}

export async function startEngine(env: Env, options: EngineOptions = {}): Promise<Engine> {
  const config = loadEngineConfig(env);
  const apiConfig = config.api;
  // Embedded: an ephemeral key is expected, so no warning about it.
  const keys = apiConfig.jwtPrivateKey
    ? await loadSigningKeys(apiConfig, options.apiLogger ?? consoleLogger)
    : await SigningKeys.generate(apiConfig.jwtKid);
  const issuer = new TokenIssuer({
    keys,
    issuer: apiConfig.jwtIssuer,
    fanTtlS: apiConfig.fanTokenTtlS,
  });

  // Info lines stay quiet in the embedded mode; warnings and errors reach the console.
  const logger = options.apiLogger ?? {
    info: () => undefined,
    warn: console.warn,
    error: console.error,
  };
  // Embedded means memory seams, whatever NATS_URL and REDIS_URL say (`pnpm start:cluster` and
  // the processes' own main.ts are the distributed mode).
  const adapters = await openAdapters({
    natsServers: [],
    redisUrl: undefined,
    prefix: apiConfig.prefix,
    name: 'embedded',
    logger,
  });
  // Started first: it has the most to do (tsx, ffmpeg), and the API hands out its URL.
  const mediaLog =
    options.mediaLog ?? ((line: string) => process.stdout.write(`[media] ${line}\n`));
  const media = config.media
    ? await MediaChild.start({ env: { ...process.env, ...config.media.env }, log: mediaLog })
    : undefined;
  let db;
  try {
    db = await openConfiguredDatabase({ ...apiConfig, databaseUrl: undefined });
  } catch (err) {
    await media?.child.close();
    throw err;
  }
  await ensureDemoEvent(db);
  const mediaSecret = config.media ? config.media.config.tokenSecret : undefined;
  let gateway: Gateway | undefined;
  let heartbeat: RegistryHeartbeat | undefined;
  let gatewayUrl = config.gatewayPublicUrl ?? '';
  const streams =
    media && mediaSecret
      ? new HttpStreamControl({ url: media.url, secret: mediaSecret })
      : undefined;
  // The shard's ticket keys: each join's reply carries a ticket its first connection uses.
  const ticketKeys = config.gateway.resumeTickets;
  const plane = assembleControlPlane({
    keys,
    issuer,
    tickets:
      ticketKeys.keys.length > 0 ? new ResumeTickets(ticketKeys.keys, ticketKeys.ttlS) : undefined,
    db,
    ...adapters,
    clock: systemClock,
    logger,
    // The one shard is asked directly, not through the registry's cache: no URL (503) until it
    // listens, and none the moment it drains.
    gatewayUrl: () => (gateway?.stats().state === 'ready' ? gatewayUrl : undefined),
    ready: () => gateway?.stats().state === 'ready',
    countryHeader: apiConfig.countryHeader,
    playback:
      media && mediaSecret
        ? new LlHlsPlaybackIssuer({
            secret: mediaSecret,
            publicUrl: config.mediaPublicUrl ?? media.url,
            targetLatencyMs: apiConfig.mediaTargetLatencyMs,
          })
        : undefined,
    streams,
    clientAddressHeader: apiConfig.clientAddressHeader,
    joinLimits: apiConfig.joinLimits,
    // LIVEKIT_* set: the WebRTC tier, its seats in the memory SeatStore (one API).
    qoeFlushMs: options.qoe?.flushMs,
    webrtc: openWebrtcTier(apiConfig.livekit, {
      seats: adapters.seats,
      clock: systemClock,
      logger,
      media: streams && { streams, keys: db.streamKeys },
    }),
  });
  const pagesDir = options.pagesDir;
  // The fan page's player fetches the stream from the media origin: the CSP lets it.
  // And the WebRTC tier's player reaches LiveKit's origin.
  const extraConnect = [
    ...(media ? [new URL(config.mediaPublicUrl ?? media.url).origin] : []),
    ...(apiConfig.livekit ? livekitConnectOrigins(apiConfig.livekit.url) : []),
  ];
  const pages = pagesDir === undefined ? undefined : WebPages.load(pagesDir, { extraConnect });
  const app = createApp({ ...plane.deps, pages });
  const api = await startApi({ app, host: apiConfig.host, port: apiConfig.port });
  const apiUrl = `http://${apiConfig.host}:${api.port}`;

  try {
    const gatewayConfig = {
      ...config.gateway,
      // Fans come from the demo page the API serves, so its origin is allowed by default.
      allowedOrigins: config.allowedOrigins ?? [apiUrl, `http://localhost:${api.port}`],
      keySource: { kind: 'jwks-url', url: `${apiUrl}/.well-known/jwks.json` } as const,
      qoeWindowMs: options.qoe?.windowMs,
    };
    const shard = new Gateway(gatewayConfig, {
      ...adapters,
      verifier: new Es256TokenVerifier(gatewayConfig.keySource, gatewayConfig.tokenIssuer),
      ...(options.gatewayLogger ? { logger: options.gatewayLogger } : {}),
    });
    gateway = shard;
    await shard.start();
    gatewayUrl ||= `ws://${gatewayConfig.host}:${shard.port}${WS_PATH}`;
    heartbeat = new RegistryHeartbeat(
      adapters.registry,
      systemClock,
      () => shard.shardState(gatewayUrl),
      options.gatewayLogger ?? logger,
    );
    await heartbeat.start();
    await plane.start();
  } catch (err) {
    await gateway?.close();
    await heartbeat?.close();
    await api.close();
    await db.close();
    await adapters.close();
    await media?.child.close();
    throw err;
  }

  const producer = await issuer.issueStaffToken({
    sub: 'producer',
    role: 'producer',
    name: 'Producer',
  });
  const sre = await issuer.issueStaffToken({ sub: 'sre', role: 'sre', name: 'SRE' });
  let closing: Promise<void> | undefined;
  return {
    apiUrl,
    gatewayUrl,
    producerToken: producer.token,
    sreToken: sre.token,
    dataDir: apiConfig.pgliteDataDir,
    media: media ? { url: media.url, pid: media.child.pid } : undefined,
    close() {
      closing ??= (async () => {
        await gateway?.close();
        await heartbeat?.close();
        await api.close();
        await plane.close();
        await db.close();
        await adapters.close();
        await media?.child.close();
      })();
      return closing;
    },
  };
}
