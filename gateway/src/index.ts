export {
  ConfigError,
  GATEWAY_VARIABLES,
  SHARD_CAPACITY,
  WS_PATH,
  defaultGatewayConfig,
  gatewayVariables,
  loadGatewayConfig,
  type BackpressureLimits,
  type GatewayConfig,
  type LoadedGatewayConfig,
} from './config.js';
export { Gateway, type GatewayDeps, type GatewayStats } from './gateway.js';
export { jsonLogger, silentLogger, type Logger } from '@fanfare/fanout';
export {
  JoseTokenVerifier,
  TokenRejectedError,
  type KeySource,
  type TokenVerifier,
  type VerifiedClaims,
} from './token-verifier.js';
export { UwsFallbackError, loadNativeUws } from './uws.js';
export { REGISTRY_TTL_MS, RegistryHeartbeat } from './registry-heartbeat.js';
export { SANCTION_CHECK_MS } from './room-sanctions.js';
export { STAGE_CHECK_MS, defaultStage } from './room-stage.js';
export { PRIORITY_RESERVE } from './ingest-budget.js';
export { GatewayMetrics } from './metrics.js';
