// Runs the API on its own: reads the config, wires the parts, listens, and closes on SIGTERM or
// SIGINT. Postgres when DATABASE_URL is set (else PGlite), Redis for shared state when REDIS_URL
// is set, NATS (bus and JetStream log) when NATS_URL is set; in-process stand-ins otherwise.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import {
  ConfigError,
  consoleLogger as logger,
  openAdapters,
  ResumeTickets,
  startMetricsExport,
  systemClock,
} from '@fanfare/fanout';
import { RESUME_TICKET_TTL_S } from '@fanfare/protocol';
import { PAGES_DIR } from '@fanfare/web';
import { assembleControlPlane, openConfiguredDatabase } from './control-plane.js';
import { ensureDemoEvent } from './demo-event.js';
import { loadApiConfig } from './config.js';
import { GatewayPicker } from './gateway-picker.js';
import { createApp } from './app.js';
import { startApi } from './server.js';
import { loadSigningKeys } from './load-keys.js';
import { ApiMetrics } from './metrics.js';
import { figuresFromProfile } from './prewarm-plan.js';
import { LlHlsPlaybackIssuer } from './playback.js';
import { HttpStreamControl } from './stream-control.js';
import { TokenIssuer } from './token-issuer.js';
import { startTracing } from './tracing.js';
import { WebPages, livekitConnectOrigins } from './web-pages.js';
import { openWebrtcTier } from './webrtc-tier.js';

async function main(): Promise<void> {
  const config = loadApiConfig(process.env);
  const tracing = await startTracing({ endpoint: config.otlpEndpoint, serviceName: 'fanfare-api' });

  const keys = await loadSigningKeys(config, logger);

  const issuer = new TokenIssuer({
    keys,
    issuer: config.jwtIssuer,
    fanTtlS: config.fanTokenTtlS,
  });
  if (config.redisUrl === undefined)
    logger.warn('REDIS_URL is not set: bans, votes and stages live in this process only');
  if (config.natsServers.length === 0)
    logger.warn('NATS_URL is not set: stages, deletions and chat stay in this process');
  const adapters = await openAdapters({ ...config, name: 'api', logger, tracer: tracing?.tracer });
  const { bus, log, sanctions, votes, stages, subjects } = adapters;
  // With Redis, fans go to the shard the registry says; without, to the one configured URL (the
  // memory registry of a lone API process has no shards in it).
  const picker = adapters.redis ? new GatewayPicker(adapters.registry, logger) : undefined;
  const gatewayUrl = picker
    ? (eventId: string, unreachable?: string) => picker.pick(eventId, unreachable)
    : () => config.gatewayPublicUrl;
  const db = await openConfiguredDatabase(config);
  await ensureDemoEvent(db);
  let ready = true;
  // Live video needs the media process's secret; without it the API runs without video.
  const mediaSecret =
    config.mediaTokenSecret === undefined ? undefined : Buffer.from(config.mediaTokenSecret);
  if (!mediaSecret)
    logger.warn('MEDIA_TOKEN_SECRET is not set: no video (no playback, no stream keys)');
  const streams = mediaSecret
    ? new HttpStreamControl({ url: config.mediaControlUrl, secret: mediaSecret })
    : undefined;
  // The /metrics series, also pushed over OTLP when the endpoint is set (beside Prometheus).
  const metrics = new ApiMetrics().withProcessMetrics();
  const metricsExport = await startMetricsExport({
    endpoint: config.otlpMetricsEndpoint,
    intervalMs: config.otlpMetricIntervalMs,
    registry: metrics.registry,
    serviceName: 'fanfare-api',
  });
  const plane = assembleControlPlane({
    keys,
    issuer,
    tickets:
      config.resumeTicketKeys.length > 0
        ? new ResumeTickets(config.resumeTicketKeys, RESUME_TICKET_TTL_S)
        : undefined,
    db,
    bus,
    log,
    sanctions,
    votes,
    stages,
    subjects,
    clock: systemClock,
    logger,
    gatewayUrl,
    ready: () => ready,
    countryHeader: config.countryHeader,
    clientAddressHeader: config.clientAddressHeader,
    joinLimits: config.joinLimits,
    metrics,
    // With Redis the registry lists the cluster's shards; a lone API's memory one is empty.
    registry: adapters.redis ? adapters.registry : undefined,
    capacity:
      config.capacityProfile === undefined
        ? undefined
        : figuresFromProfile(JSON.parse(readFileSync(config.capacityProfile, 'utf8'))),
    playback: mediaSecret
      ? new LlHlsPlaybackIssuer({
          secret: mediaSecret,
          publicUrl: config.mediaPublicUrl,
          targetLatencyMs: config.mediaTargetLatencyMs,
        })
      : undefined,
    streams,
    // With a media process, the room's egress follows the WHIP ingest into LL-HLS.
    webrtc: openWebrtcTier(config.livekit, {
      seats: adapters.seats,
      clock: systemClock,
      logger,
      media: streams && { streams, keys: db.streamKeys },
    }),
  });
  // The pages `pnpm build` made; this process never builds them (no Vite in production).
  const built = existsSync(join(PAGES_DIR, 'index.html'));
  if (!built) logger.warn('web pages not built: `/` and `/console` answer 404; run pnpm build');
  // The pages' player fetches the LL-HLS stream from the media origin: the CSP lets it.
  // And the WebRTC tier's player reaches LiveKit's origin.
  const extraConnect = [
    ...(config.mediaTokenSecret ? [new URL(config.mediaPublicUrl).origin] : []),
    ...(config.livekit ? livekitConnectOrigins(config.livekit.url) : []),
  ];
  const pages = built ? WebPages.load(PAGES_DIR, { extraConnect }) : undefined;
  const app = createApp({ ...plane.deps, pages });
  await plane.start();

  const api = await startApi({ app, host: config.host, port: config.port });
  logger.info('api listening', { host: config.host, port: api.port, kid: keys.current().kid });

  const shutdown = async (signal: string): Promise<void> => {
    logger.info('api shutting down', { signal });
    ready = false;
    await api.close();
    await plane.close();
    await db.close();
    await adapters.close();
    await tracing?.close();
    await metricsExport?.close();
    process.exit(0);
  };
  // `once`: a second signal gets Node's default and kills a shutdown that hangs.
  process.once('SIGTERM', (signal) => void shutdown(signal));
  process.once('SIGINT', (signal) => void shutdown(signal));
}

main().catch((err: unknown) => {
  // A config problem is the operator's to fix; its stack would only bury the list.
  if (err instanceof ConfigError) logger.error('api config is invalid', { problems: err.problems });
  else logger.error('api failed to start', { err });
  process.exit(1);
});
