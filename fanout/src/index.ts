export type { Bus, BusHandler, Subscription } from './bus.js';
export { MemoryBus, type MemoryBusOptions } from './bus-memory.js';
export { systemClock, type Clock, type TimerHandle } from './clock.js';
export type { AppendResult, EventLog, LogEntry, LogRange } from './event-log.js';
export { LOG_DEDUPE_WINDOW_MS, LOG_MAX_AGE_MS, LOG_MAX_ENTRIES } from './event-log-limits.js';
export { MemoryEventLog, type MemoryEventLogOptions } from './event-log-memory.js';
export { HandlerRegistry, type Registration } from './handler-registry.js';
export {
  PRESENCE_INTERVAL_MS,
  PRESENCE_TTL_INTERVALS,
  PresenceAggregator,
  type PresenceAggregatorOptions,
} from './presence-aggregator.js';
export {
  PRESENCE_CADENCE,
  PRESENCE_FRAMES_PER_S,
  PRESENCE_JUMP_FRACTION,
  PRESENCE_MAX_GAP_MS,
  presenceDue,
  presenceGapMs,
  type PresenceCadence,
  type PresenceNow,
} from './presence-cadence.js';
export {
  REACTION_WINDOW_MS,
  ReactionAggregator,
  type ReactionAggregatorOptions,
} from './reaction-aggregator.js';
export { QoeAggregator, type QoeAggregatorOptions } from './qoe-aggregator.js';
export {
  QOE_WINDOW_MS,
  addBeacon,
  decodeQoeReport,
  emptyCounts,
  encodeQoeReport,
  mergeCounts,
  type QoeWindowReport,
  type QoeWindowRow,
} from './qoe-window.js';
export { createSubjects, type Subjects } from './subjects.js';
export { ASSIGNMENT_HEADROOM, assignShard } from './shard-assignment.js';
export type {
  CapacityReservation,
  ReplicaAssignments,
  ShardRegistry,
  ShardState,
} from './shard-registry.js';
export { MemoryShardRegistry } from './shard-registry-memory.js';
export { RedisShardRegistry } from './shard-registry-redis.js';
export { StateUnavailableError } from './state-unavailable.js';
export { LogUnavailableError } from './log-unavailable.js';
export {
  inForce,
  type Sanction,
  type SanctionKind,
  type SanctionSet,
  type SanctionStore,
} from './sanction-store.js';
export {
  decodeSanctionNotice,
  encodeSanctionNotice,
  type SanctionNotice,
} from './sanction-notice.js';
export { decodePrewarmSignal, encodePrewarmSignal, type PrewarmSignal } from './prewarm-signal.js';
export { MemorySanctionStore } from './sanction-store-memory.js';
export { RedisSanctionStore } from './sanction-store-redis.js';
export type {
  MembershipChange,
  PartyMemberRecord,
  PartyRecord,
  PartyStore,
  PartyUpdateFn,
  PartyUpdateResult,
} from './party-store.js';
export { PartyUpdateConflictError } from './party-store-update.js';
export { MemoryPartyStore } from './party-store-memory.js';
export { PARTY_TTL_S, RedisPartyStore } from './party-store-redis.js';
export type { IngestStatus, SeatClaim, SeatStore } from './seat-store.js';
export { MemorySeatStore } from './seat-store-memory.js';
export { RedisSeatStore } from './seat-store-redis.js';
export type { ChatRules, Stage, StageStore } from './stage-store.js';
export { MemoryStageStore } from './stage-store-memory.js';
export { RedisStageStore } from './stage-store-redis.js';
export { decodeStage, encodeStage } from './stage-codec.js';
export {
  decodeLogRecord,
  deleteMsgId,
  encodeLogRecord,
  type ChatRecord,
  type DeleteRecord,
  type LogRecord,
} from './log-record.js';
export type { Tally, VoteOutcome, VoteStatus, VoteStore } from './vote-store.js';
export { MemoryVoteStore } from './vote-store-memory.js';
export { RedisVoteStore } from './vote-store-redis.js';
export {
  activeTraceIds,
  contextFromTraceparent,
  startTracing,
  traceHeaders,
  type Tracing,
} from './tracing.js';
export { LOG_APPEND_SPAN, LOG_DELIVER_SPAN } from './event-log-trace.js';
export {
  METRIC_EXPORT_INTERVAL_MS,
  startMetricsExport,
  type MetricsExport,
} from './metrics-export.js';
export { consoleLogger, jsonLogger, silentLogger, type LogFields, type Logger } from './logger.js';
export {
  NATS_CONNECT_TIMEOUT_MS,
  NATS_DRAIN_TIMEOUT_MS,
  NATS_RECONNECT_JITTER_MS,
  NATS_RECONNECT_WAIT_MS,
  NatsLink,
  connectNats,
  type ConnectNatsOptions,
  type NatsLinkState,
} from './nats-connection.js';
export { NatsBus, type NatsBusOptions } from './bus-nats.js';
export {
  JetStreamEventLog,
  LOG_READ_TIMEOUT_MS,
  type JetStreamEventLogOptions,
} from './event-log-jetstream.js';
export {
  FOLLOW_CLOCK_SKEW_MS,
  FOLLOW_PULL_BATCH,
  FOLLOW_RETRY_BASE_MS,
  FOLLOW_RETRY_MAX_MS,
} from './jetstream-log-follower.js';
export {
  REDIS_COMMAND_TIMEOUT_MS,
  REDIS_MAX_RETRIES_PER_REQUEST,
  openAdapters,
  type AdapterPart,
  type Adapters,
  type AdaptersConfig,
} from './adapters.js';
export {
  ConfigError,
  DEFAULT_PREFIX,
  documentVariables,
  host,
  integer,
  natsServers,
  otlpEndpoint,
  otlpMetricInterval,
  otlpExporter,
  otlpSignalEndpoint,
  parseEnv,
  port,
  prefix,
  rateAndBurst,
  redisUrl,
  requireSharedState,
  variable,
  websocketUrl,
  type DocumentedVariable,
  type Env,
  type RateAndBurst,
  type VariableDoc,
} from './config-shared.js';
export {
  MIN_TICKET_SECRET_BYTES,
  ResumeTickets,
  TICKET_KEY_ID,
  TicketRejectedError,
  ticketKeysSchema,
  type ResumeTicketKey,
  type TicketClaims,
  type TicketRejection,
  type TicketSubject,
} from './resume-tickets.js';
