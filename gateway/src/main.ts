// Runs one gateway shard as its own process. Without NATS_URL it is a single self-contained
// shard (in-memory bus and log); with NATS_URL it joins the others through core NATS and
// JetStream; with REDIS_URL it registers itself so the API can send fans to it. SIGTERM or
// SIGINT runs the graceful shutdown.

import {
  JetStreamEventLog,
  MemoryBus,
  MemoryEventLog,
  MemoryPartyStore,
  MemorySanctionStore,
  MemoryStageStore,
  MemoryVoteStore,
  NatsBus,
  RedisPartyStore,
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
  type PartyStore,
  type SanctionStore,
  type ShardRegistry,
  type StageStore,
  type VoteStore,
} from '@fanfare/fanout';
import { Redis } from 'ioredis';
import { ConfigError, WS_PATH, loadGatewayConfig } from './config.js';
import { Gateway } from './gateway.js';
import { jsonLogger } from '@fanfare/fanout';
import { RegistryHeartbeat } from './registry-heartbeat.js';
import { JoseTokenVerifier } from './token-verifier.js';

async function main(): Promise<void> {
  const config = loadGatewayConfig(process.env);
  const logger = jsonLogger({ shard: config.shardId });
  if (!config.keySource) throw new ConfigError(["set JWKS_URL (the API's JWKS) or JWT_PUBLIC_KEY"]);

  let link: NatsLink | undefined;
  let bus: Bus;
  let log: EventLog;
  if (config.natsServers.length > 0) {
    link = await connectNats({ servers: [...config.natsServers], name: config.shardId, logger });
    bus = new NatsBus({ connection: link, ownsConnection: false, logger });
    log = new JetStreamEventLog({
      connection: link,
      ownsConnection: false,
      subjects: createSubjects(config.prefix),
      logger,
    });
  } else {
    logger.warn('NATS_URL is not set: this shard runs alone (in-memory bus and log)');
    bus = new MemoryBus();
    log = new MemoryEventLog();
  }

  let redis: Redis | undefined;
  let sanctions: SanctionStore;
  let votes: VoteStore;
  let stages: StageStore;
  let registry: ShardRegistry | undefined;
  let parties: PartyStore;
  if (config.redisUrl) {
    // Fail fast while Redis is down (one retry, 1 s cap): the shard keeps enforcing what it has.
    redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 1, commandTimeout: 1000 });
    redis.on('error', () => undefined); // reported by the heartbeat and the rooms, once per outage
    sanctions = new RedisSanctionStore(redis, config.prefix);
    votes = new RedisVoteStore(redis, config.prefix);
    stages = new RedisStageStore(redis, config.prefix);
    registry = new RedisShardRegistry(redis, config.prefix);
    parties = new RedisPartyStore(redis, config.prefix);
  } else {
    sanctions = new MemorySanctionStore();
    votes = new MemoryVoteStore();
    stages = new MemoryStageStore();
    parties = new MemoryPartyStore();
  }

  const gateway = new Gateway(config, {
    bus,
    log,
    sanctions,
    stages,
    votes,
    parties,
    registry,
    verifier: new JoseTokenVerifier(config.keySource, config.tokenIssuer),
    logger,
  });
  gateway.metrics.withProcessMetrics();
  if (link) gateway.metrics.watchNats(link, () => bus.activeSubjects());
  await gateway.start();
  const publicUrl = config.publicUrl ?? `ws://${config.host}:${gateway.port}${WS_PATH}`;

  let heartbeat: RegistryHeartbeat | undefined;
  if (registry) {
    heartbeat = new RegistryHeartbeat(
      registry,
      systemClock,
      () => {
        const stats = gateway.stats();
        return {
          id: config.shardId,
          url: publicUrl,
          capacity: config.capacity,
          fans: stats.connections,
          events: gateway.fansByEvent(),
          draining: stats.state !== 'ready',
          at: Date.now(),
        };
      },
      logger,
    );
    await heartbeat.start();
  }
  logger.info('shard ready', { url: publicUrl, nats: config.natsServers, redis: !!redis });

  const shutdown = async (signal: string): Promise<void> => {
    logger.info('shard shutting down', { signal });
    const closing = gateway.close(); // readiness fails at once
    await heartbeat?.beat(); // tell the API to stop sending fans here
    await closing;
    await heartbeat?.close();
    redis?.disconnect();
    await bus.close();
    await log.close();
    await link?.close();
    process.exit(0);
  };
  process.once('SIGTERM', (signal) => void shutdown(signal));
  process.once('SIGINT', (signal) => void shutdown(signal));
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) {
    console.error(
      `gateway cannot start: invalid configuration\n  - ${err.problems.join('\n  - ')}`,
    );
  } else {
    console.error('gateway failed to start', err);
  }
  process.exit(1);
});
