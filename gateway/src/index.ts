export {
  ConfigError,
  GATEWAY_VARIABLES,
  HARD_MAX_PAYLOAD_BYTES,
  MAX_FRAME_BYTES,
  REACTION_BURST,
  REACTION_RATE_PER_SECOND,
  RECENT_MESSAGES,
  SHARD_CAPACITY,
  SIGNAL_DROP_BYTES,
  SIGNAL_RESUME_BYTES,
  SLOW_CLOSE_BYTES,
  SNAPSHOT_MESSAGES,
  STAFF_CHAT_BURST,
  STAFF_CHAT_RATE_PER_SECOND,
  VOTE_BURST,
  VOTE_RATE_PER_SECOND,
  WS_PATH,
  defaultGatewayConfig,
  gatewayVariables,
  loadGatewayConfig,
  localTicketKey,
  type BackpressureLimits,
  type ResumeTicketConfig,
  type GatewayConfig,
  type LoadedGatewayConfig,
} from './config.js';
export { Gateway, type GatewayDeps, type GatewayStats } from './gateway.js';
export { jsonLogger, silentLogger, type Logger } from '@fanfare/fanout';
export { Es256TokenVerifier } from './es256-token-verifier.js';
export {
  JoseTokenVerifier,
  TokenRejectedError,
  type KeySource,
  type TokenVerifier,
  type VerifiedClaims,
} from './token-verifier.js';
export {
  ResumeTickets,
  TicketRejectedError,
  type ResumeTicketKey,
  type TicketClaims,
} from '@fanfare/fanout';
export { UwsFallbackError, loadNativeUws } from './uws.js';
export { REGISTRY_TTL_MS, RegistryHeartbeat } from './registry-heartbeat.js';
export { SANCTION_CHECK_MS } from './room-sanctions.js';
export { STAGE_CHECK_MS, defaultStage } from './room-stage.js';
export { PRIORITY_RESERVE } from './ingest-budget.js';
export { GatewayMetrics } from './metrics.js';
