// Runs the API on its own: reads the config, wires the parts, listens, and closes on SIGTERM or
// SIGINT. Postgres when DATABASE_URL is set (else PGlite), Redis for shared state when REDIS_URL
// is set, NATS (bus and JetStream log) when NATS_URL is set; in-process stand-ins otherwise.

import {
  JetStreamEventLog,
  MemoryBus,
  MemoryEventLog,
  MemorySanctionStore,
  MemoryStageStore,
  MemoryVoteStore,
  NatsBus,
  RedisSanctionStore,
  RedisShardRegistry,
  RedisStageStore,
  RedisVoteStore,
  connectNats,
  createSubjects,
  systemClock,
  type Bus,
  type EventLog,
  type NatsLink,
  type SanctionStore,
  type StageStore,
  type VoteStore,
} from '@fanfare/fanout';
import { assembleControlPlane, openConfiguredDatabase } from './control-plane.js';
import { ensureDemoEvent } from './demo-event.js';
import { Redis } from 'ioredis';
import { ConfigError, loadApiConfig } from './config.js';
import { GatewayPicker } from './gateway-picker.js';
import { createApp } from './app.js';
import { consoleLogger as logger } from '@fanfare/fanout';
import { startApi } from './server.js';
import { loadSigningKeys } from './load-keys.js';
import { TokenIssuer } from './token-issuer.js';

async function main(): Promise<void> {
  const config = loadApiConfig(process.env);

  const keys = await loadSigningKeys(config, logger);

  const issuer = new TokenIssuer({
    keys,
    issuer: config.jwtIssuer,
    fanTtlS: config.fanTokenTtlS,
  });
  // With Redis, fans go to the shard the registry says; without, to the one configured URL.
  let gatewayUrl: (eventId: string) => Promise<string | undefined> | string = () =>
    config.gatewayPublicUrl;
  let redis: Redis | undefined;
  let sanctions: SanctionStore = new MemorySanctionStore();
  let votes: VoteStore = new MemoryVoteStore();
  let stages: StageStore = new MemoryStageStore();
  if (config.redisUrl !== undefined) {
    // A command fails fast while Redis is down (one retry, 1 s cap): callers answer 503.
    redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 1, commandTimeout: 1000 });
    redis.on('error', (err: Error) => logger.warn('redis error', { err: err.message }));
    const picker = new GatewayPicker(new RedisShardRegistry(redis, config.prefix), logger);
    gatewayUrl = (eventId) => picker.pick(eventId);
    sanctions = new RedisSanctionStore(redis, config.prefix);
    votes = new RedisVoteStore(redis, config.prefix);
    stages = new RedisStageStore(redis, config.prefix);
  } else {
    logger.warn('REDIS_URL is not set: bans and timeouts live in this process only');
  }
  const subjects = createSubjects(config.prefix);
  let link: NatsLink | undefined;
  let bus: Bus = new MemoryBus();
  let log: EventLog = new MemoryEventLog();
  if (config.natsServers.length > 0) {
    link = await connectNats({ servers: [...config.natsServers], name: 'api', logger });
    bus = new NatsBus({ connection: link, ownsConnection: false, logger });
    log = new JetStreamEventLog({ connection: link, ownsConnection: false, subjects, logger });
  } else {
    logger.warn('NATS_URL is not set: stages, deletions and chat stay in this process');
  }
  const db = await openConfiguredDatabase(config);
  await ensureDemoEvent(db);
  let ready = true;
  const plane = assembleControlPlane({
    keys,
    issuer,
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
  });
  const app = createApp(plane.deps);
  await plane.start();

  const api = await startApi({ app, host: config.host, port: config.port });
  logger.info('api listening', { host: config.host, port: api.port, kid: keys.current().kid });

  const shutdown = async (signal: string): Promise<void> => {
    logger.info('api shutting down', { signal });
    ready = false;
    await api.close();
    await plane.close();
    await db.close();
    await log.close();
    redis?.disconnect();
    await bus.close();
    await link?.close();
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
