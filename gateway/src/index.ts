export {
  ConfigError,
  WS_PATH,
  defaultGatewayConfig,
  loadGatewayConfig,
  type BackpressureLimits,
  type GatewayConfig,
} from './config.js';
export { Gateway, type GatewayDeps, type GatewayStats } from './gateway.js';
export { jsonLogger, silentLogger, type Logger } from '@fanfare/fanout';
export {
  JoseTokenVerifier,
  TokenRejectedError,
  type KeySource,
  type TokenVerifier,
} from './token-verifier.js';
export { UwsFallbackError, loadNativeUws } from './uws.js';
export { SANCTION_CHECK_MS } from './room-sanctions.js';
export { GatewayMetrics } from './metrics.js';
