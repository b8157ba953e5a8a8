// Test-only exports: the contract suites every implementation runs, and the manual clock.
export { busContract, type BusFixture } from './bus.contract.js';
export { eventLogContract, type EventLogFixture } from './event-log.contract.js';
export { sanctionStoreContract, type SanctionStoreFixture } from './sanction-store.contract.js';
export {
  partyStoreContract,
  samplePartyMember,
  samplePartyRecord,
  type PartyStoreFixture,
} from './party-store.contract.js';
export { seatStoreContract, type SeatStoreFixture } from './seat-store.contract.js';
export { sampleStage, stageStoreContract, type StageStoreFixture } from './stage-store.contract.js';
export { voteStoreContract, type VoteStoreFixture } from './vote-store.contract.js';
export { ManualClock } from './manual-clock.js';
export {
  shard,
  shardRegistryContract,
  type ShardRegistryFixture,
} from './shard-registry.contract.js';
export {
  connectTestRedis,
  deletePrefix,
  describeWithRedis,
  redisAvailable,
  redisUrl,
  requireRedisServerBinary,
  runPrefix,
  startRedisServer,
  type TestRedisServer,
} from './testing-redis.js';
export { silentLogger } from './logger.js';
export {
  natsServerBinary,
  natsTestPrefix,
  natsUrl,
  requireNats,
  requireNatsServerBinary,
  startNatsServer,
  watchStatus,
  within,
  type StatusWatch,
  type TestNatsServer,
} from './testing-nats.js';
export { configDocSuite, configProblems, markdownTable } from './testing-config-doc.js';
