// The one place that wires the seams. Every process (the API, a gateway shard), the embedded
// engine and the test harnesses call `openAdapters` with the same three settings and get the same
// set: bus, event log, shard registry and the four shared-state stores, in memory or on NATS
// (core + JetStream) and Redis. Trade-off: the two halves are chosen independently (NATS_URL,
// REDIS_URL), so a process can run NATS with memory stores; the config schemas refuse that mix
// for the processes that share state (a distributed shard needs every store shared).

import type { Tracer } from '@opentelemetry/api';
import { Redis } from 'ioredis';
import type { Bus } from './bus.js';
import { MemoryBus } from './bus-memory.js';
import { NatsBus } from './bus-nats.js';
import { systemClock, type Clock } from './clock.js';
import type { EventLog } from './event-log.js';
import { JetStreamEventLog } from './event-log-jetstream.js';
import { MemoryEventLog, type MemoryEventLogOptions } from './event-log-memory.js';
import type { Logger } from './logger.js';
import { connectNats, type NatsLink } from './nats-connection.js';
import type { PartyStore } from './party-store.js';
import { MemoryPartyStore } from './party-store-memory.js';
import { RedisPartyStore } from './party-store-redis.js';
import type { SanctionStore } from './sanction-store.js';
import { MemorySanctionStore } from './sanction-store-memory.js';
import { RedisSanctionStore } from './sanction-store-redis.js';
import type { SeatStore } from './seat-store.js';
import { MemorySeatStore } from './seat-store-memory.js';
import { RedisSeatStore } from './seat-store-redis.js';
import type { ShardRegistry } from './shard-registry.js';
import { MemoryShardRegistry } from './shard-registry-memory.js';
import { RedisShardRegistry } from './shard-registry-redis.js';
import type { StageStore } from './stage-store.js';
import { MemoryStageStore } from './stage-store-memory.js';
import { RedisStageStore } from './stage-store-redis.js';
import { createSubjects, type Subjects } from './subjects.js';
import type { VoteStore } from './vote-store.js';
import { MemoryVoteStore } from './vote-store-memory.js';
import { RedisVoteStore } from './vote-store-redis.js';

/** A Redis command fails after this long (callers answer `state_unavailable`), ms. */
export const REDIS_COMMAND_TIMEOUT_MS = 1_000;
/** Retries of one Redis command across a reconnect before it fails. */
export const REDIS_MAX_RETRIES_PER_REQUEST = 1;

export interface AdaptersConfig {
  /** NATS servers (`nats://…`); empty: the in-process bus and memory event log. */
  natsServers: readonly string[];
  /** Redis URL; undefined: memory stores and registry, this process only. */
  redisUrl: string | undefined;
  /** Namespace of NATS subjects, JetStream streams and Redis keys (FANFARE_PREFIX). */
  prefix: string;
  /** This process's name on the NATS server (the shard id, `api`). */
  name: string;
  logger: Logger;
  /** Time for the memory log and registry (tests pass a manual clock). */
  clock?: Clock;
  /**
   * This process's tracer (tracing.ts): the JetStream event log opens spans for appends and
   * deliveries with it. Undefined (tracing off, or the memory log): none.
   */
  tracer?: Tracer | undefined;
  /** Options of the memory event log (tests: limits, a clock); ignored when NATS is configured. */
  memoryLog?: MemoryEventLogOptions;
}

/** Which parts `close()` shuts, in this order. */
export type AdapterPart = 'event log' | 'bus' | 'nats' | 'registry' | 'redis';

export interface Adapters {
  readonly subjects: Subjects;
  readonly bus: Bus;
  readonly log: EventLog;
  readonly registry: ShardRegistry;
  readonly sanctions: SanctionStore;
  readonly votes: VoteStore;
  readonly stages: StageStore;
  readonly parties: PartyStore;
  /** WebRTC viewer seats and ingest status (the API's LiveKit tier). */
  readonly seats: SeatStore;
  /** The shared NATS connection (for metrics), when NATS is configured. */
  readonly link: NatsLink | undefined;
  /** The shared Redis client (for diagnostics and tests), when Redis is configured. */
  readonly redis: Redis | undefined;
  /**
   * Shuts everything in dependency order: the event log and the bus (the consumers of the NATS
   * connection) before the connection drains, then the registry, then Redis (QUIT, or a hard
   * disconnect when Redis does not answer). Logs one `adapter closed` line per part. Idempotent:
   * every call returns the same promise. Components built on the adapters close first.
   */
  close(): Promise<void>;
}

/** Builds every seam for the configured mode. Rejects only when NATS cannot be reached. */
export async function openAdapters(config: AdaptersConfig): Promise<Adapters> {
  const { logger, prefix } = config;
  const clock = config.clock ?? systemClock;
  const subjects = createSubjects(prefix);

  let link: NatsLink | undefined;
  let bus: Bus;
  let log: EventLog;
  if (config.natsServers.length > 0) {
    link = await connectNats({ servers: [...config.natsServers], name: config.name, logger });
    bus = new NatsBus({ connection: link, ownsConnection: false, logger });
    log = new JetStreamEventLog({
      connection: link,
      ownsConnection: false,
      subjects,
      logger,
      tracer: config.tracer,
    });
  } else {
    bus = new MemoryBus();
    log = new MemoryEventLog({ clock, ...config.memoryLog });
  }

  let redis: Redis | undefined;
  let stores: Pick<Adapters, 'registry' | 'sanctions' | 'votes' | 'stages' | 'parties' | 'seats'>;
  if (config.redisUrl !== undefined) {
    // Commands fail fast while Redis is down: callers answer 503 and shards keep their last copy.
    redis = new Redis(config.redisUrl, {
      maxRetriesPerRequest: REDIS_MAX_RETRIES_PER_REQUEST,
      commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
    });
    watchRedis(redis, logger);
    stores = {
      registry: new RedisShardRegistry(redis, prefix),
      sanctions: new RedisSanctionStore(redis, prefix),
      votes: new RedisVoteStore(redis, prefix),
      stages: new RedisStageStore(redis, prefix),
      parties: new RedisPartyStore(redis, prefix),
      seats: new RedisSeatStore(redis, prefix),
    };
  } else {
    stores = {
      registry: new MemoryShardRegistry(clock),
      sanctions: new MemorySanctionStore(),
      votes: new MemoryVoteStore(),
      stages: new MemoryStageStore(),
      parties: new MemoryPartyStore(),
      seats: new MemorySeatStore(),
    };
  }

  const steps: Array<[AdapterPart, () => Promise<void>]> = [
    ['event log', () => log.close()],
    ['bus', () => bus.close()],
    ['nats', async () => link?.close()],
    ['registry', () => stores.registry.close()],
    ['redis', async () => (redis ? quitRedis(redis, logger) : undefined)],
  ];
  let closing: Promise<void> | undefined;
  const close = async (): Promise<void> => {
    for (const [part, step] of steps) {
      try {
        await step();
      } catch (err) {
        // One part failing to close must not keep the others open.
        logger.warn('adapter failed to close', { part, err });
      }
      logger.info('adapter closed', { part });
    }
  };
  return {
    subjects,
    bus,
    log,
    ...stores,
    link,
    redis,
    close: () => (closing ??= close()),
  };
}

/**
 * Redis errors are logged once per outage (ioredis emits one per reconnect attempt), and the
 * recovery once; what a failed command means is the caller's to report (`state_unavailable`).
 */
function watchRedis(redis: Redis, logger: Logger): void {
  let down = false;
  redis.on('error', (err: Error) => {
    if (down) return;
    down = true;
    logger.warn('redis unreachable; shared state answers state_unavailable until it is back', {
      err: err.message,
    });
  });
  redis.on('ready', () => {
    if (!down) return;
    down = false;
    logger.info('redis reachable again');
  });
}

/** QUIT (pending commands finish first), resolving once the connection has ended. */
async function quitRedis(redis: Redis, logger: Logger): Promise<void> {
  if (redis.status === 'end') return;
  // Not events.once: it would reject on the 'error' events of an outage.
  const ended = new Promise<void>((resolve) => redis.once('end', () => resolve()));
  try {
    await redis.quit();
  } catch (err) {
    // QUIT needs a live server; without one the socket is simply dropped.
    logger.warn('redis did not answer QUIT; disconnecting', { err });
    redis.disconnect();
  }
  await ended;
}
