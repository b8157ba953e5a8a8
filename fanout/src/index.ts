export type { Bus, BusHandler, Subscription } from './bus.js';
export { MemoryBus, type MemoryBusOptions } from './bus-memory.js';
export { systemClock, type Clock, type TimerHandle } from './clock.js';
export type { AppendResult, EventLog, LogEntry, LogRange } from './event-log.js';
export {
  LOG_DEDUPE_WINDOW_MS,
  LOG_MAX_AGE_MS,
  LOG_MAX_ENTRIES,
  MemoryEventLog,
  type MemoryEventLogOptions,
} from './event-log-memory.js';
export { HandlerRegistry, type Registration } from './handler-registry.js';
export {
  PRESENCE_INTERVAL_MS,
  PRESENCE_TTL_INTERVALS,
  PresenceAggregator,
  type PresenceAggregatorOptions,
} from './presence-aggregator.js';
export {
  REACTION_WINDOW_MS,
  ReactionAggregator,
  type ReactionAggregatorOptions,
} from './reaction-aggregator.js';
export { createSubjects, type Subjects } from './subjects.js';
export { ASSIGNMENT_HEADROOM, assignShard } from './shard-assignment.js';
export type { ShardRegistry, ShardState } from './shard-registry.js';
export { MemoryShardRegistry } from './shard-registry-memory.js';
export { RedisShardRegistry } from './shard-registry-redis.js';
