// Runs the API on its own: reads the config, wires the parts, listens, and closes on SIGTERM or
// SIGINT. The event directory is the in-memory one seeded with the demo event until the
// Postgres directory lands.

import {
  MemoryBus,
  MemorySanctionStore,
  NatsBus,
  RedisSanctionStore,
  RedisShardRegistry,
  connectNats,
  createSubjects,
  type Bus,
  type NatsLink,
  type SanctionStore,
} from '@fanfare/fanout';
import { Moderation } from './moderation.js';
import { Redis } from 'ioredis';
import { ConfigError, loadApiConfig } from './config.js';
import { GatewayPicker } from './gateway-picker.js';
import { createApp } from './app.js';
import { DEMO_EVENT, MemoryEventDirectory } from './event-directory-memory.js';
import { consoleLogger as logger } from '@fanfare/fanout';
import { startApi } from './server.js';
import { SigningKeys } from './signing-keys.js';
import { TokenIssuer } from './token-issuer.js';

async function main(): Promise<void> {
  const config = loadApiConfig(process.env);

  let keys: SigningKeys;
  if (config.jwtPrivateKey === undefined) {
    logger.warn(
      'JWT_PRIVATE_KEY is not set: signing with an ephemeral key. Tokens stop verifying when ' +
        'this process restarts, and other API replicas cannot share it.',
    );
    keys = await SigningKeys.generate(config.jwtKid);
  } else {
    keys = await SigningKeys.fromPem(config.jwtPrivateKey, config.jwtKid);
  }

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
  if (config.redisUrl !== undefined) {
    // A command fails fast while Redis is down (one retry, 1 s cap): callers answer 503.
    redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 1, commandTimeout: 1000 });
    redis.on('error', (err: Error) => logger.warn('redis error', { err: err.message }));
    const picker = new GatewayPicker(new RedisShardRegistry(redis, config.prefix), logger);
    gatewayUrl = (eventId) => picker.pick(eventId);
    sanctions = new RedisSanctionStore(redis, config.prefix);
  } else {
    logger.warn('REDIS_URL is not set: bans and timeouts live in this process only');
  }
  let link: NatsLink | undefined;
  let bus: Bus = new MemoryBus();
  if (config.natsServers.length > 0) {
    link = await connectNats({ servers: [...config.natsServers], name: 'api', logger });
    bus = new NatsBus({ connection: link, ownsConnection: false, logger });
  }
  const moderation = new Moderation({
    store: sanctions,
    bus,
    subjects: createSubjects(config.prefix),
  });
  let ready = true;
  const app = createApp({
    keys,
    issuer,
    events: new MemoryEventDirectory([DEMO_EVENT]),
    moderation,
    gatewayUrl,
    ready: () => ready,
    logger,
  });

  const api = await startApi({ app, host: config.host, port: config.port });
  logger.info('api listening', { host: config.host, port: api.port, kid: keys.current().kid });

  const shutdown = async (signal: string): Promise<void> => {
    logger.info('api shutting down', { signal });
    ready = false;
    await api.close();
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
