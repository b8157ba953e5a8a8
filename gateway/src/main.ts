// Runs one gateway shard as its own process. Without NATS_URL it is a single self-contained
// shard (in-memory bus and log); with NATS_URL it joins the others through core NATS and
// JetStream, and REDIS_URL (then required) shares the stores and the registry the API assigns
// fans from. SIGTERM or SIGINT runs the graceful shutdown.

import {
  ConfigError,
  jsonLogger,
  openAdapters,
  startMetricsExport,
  startTracing,
  systemClock,
} from '@fanfare/fanout';
import { readFileSync } from 'node:fs';
import { admissionFromProfile } from './admission.js';
import { WS_PATH, loadGatewayConfig, type LoadedGatewayConfig } from './config.js';
import { Gateway } from './gateway.js';
import { RegistryHeartbeat } from './registry-heartbeat.js';
import { Es256TokenVerifier } from './es256-token-verifier.js';

/** The admission budget from CAPACITY_PROFILE when GATEWAY_ADMISSION_RATE did not set one. */
function withProfileBudget(config: LoadedGatewayConfig): LoadedGatewayConfig {
  if (config.admission.source !== 'default' || config.capacityProfile === undefined) return config;
  const spec = admissionFromProfile(JSON.parse(readFileSync(config.capacityProfile, 'utf8')));
  return spec ? { ...config, admission: { spec, source: 'profile' } } : config;
}

async function main(): Promise<void> {
  const config = withProfileBudget(loadGatewayConfig(process.env));
  const logger = jsonLogger({ shard: config.shardId });
  logger.info('admission budget', {
    upgradesPerSec: config.admission.spec?.ratePerSecond ?? 'off',
    burst: config.admission.spec?.burst ?? 'off',
    source: config.admission.source,
  });
  if (config.natsServers.length === 0)
    logger.warn('NATS_URL is not set: this shard runs alone (in-memory bus, log and stores)');

  // Traces only with OTEL_EXPORTER_OTLP_ENDPOINT; the tracer reaches the event log and the
  // upgrade, nothing else (no span per delivered frame).
  const tracing = await startTracing({
    endpoint: config.otlpEndpoint,
    serviceName: 'fanfare-gateway',
    tracerName: '@fanfare/gateway',
    instanceId: config.shardId,
    // No AsyncLocalStorage (its promise hooks tax every promise): the shard's spans name their
    // parents explicitly (fanout's sync-context-manager.ts).
    context: 'sync',
  });
  const tracer = tracing?.tracer;
  const adapters = await openAdapters({ ...config, name: config.shardId, logger, tracer });
  const gateway = new Gateway(config, {
    ...adapters,
    verifier: new Es256TokenVerifier(config.keySource, config.tokenIssuer),
    logger,
    tracer,
  });
  gateway.metrics.withProcessMetrics();
  // The /metrics series, also pushed over OTLP when the endpoint is set (beside Prometheus).
  const metricsExport = await startMetricsExport({
    endpoint: config.otlpMetricsEndpoint,
    intervalMs: config.otlpMetricIntervalMs,
    registry: gateway.metrics.registry,
    serviceName: 'fanfare-gateway',
    instanceId: config.shardId,
  });
  if (adapters.link) gateway.metrics.watchNats(adapters.link, () => adapters.bus.activeSubjects());
  await gateway.start();
  const publicUrl = config.publicUrl ?? `ws://${config.host}:${gateway.port}${WS_PATH}`;

  // Every mode heartbeats: with Redis the API assigns fans from it; alone, the party upkeep
  // still reads this shard's own entry.
  const heartbeat = new RegistryHeartbeat(
    adapters.registry,
    systemClock,
    () => gateway.shardState(publicUrl),
    logger,
  );
  await heartbeat.start();
  logger.info('shard ready', { url: publicUrl, nats: config.natsServers, redis: !!adapters.redis });

  const shutdown = async (signal: string): Promise<void> => {
    logger.info('shard shutting down', { signal });
    const closing = gateway.close(); // readiness fails at once
    await heartbeat.beat(); // tell the API to stop sending fans here
    await closing;
    await heartbeat.close();
    await adapters.close();
    await tracing?.close(); // flushes the last spans
    await metricsExport?.close();
    process.exit(0);
  };
  process.once('SIGTERM', (signal) => void shutdown(signal));
  process.once('SIGINT', (signal) => void shutdown(signal));
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) {
    console.error(`gateway cannot start: ${err.message}`);
  } else {
    console.error('gateway failed to start', err);
  }
  process.exit(1);
});
