export {
  createApp,
  JWKS_MAX_AGE_S,
  REQUEST_ID_MAX_CHARS,
  UNAVAILABLE_RETRY_AFTER_S,
} from './app.js';
export { REGISTRY_CACHE_MS } from './gateway-picker.js';
export {
  DEFAULT_SHARD_FIGURES,
  figuresFromProfile,
  planPrewarm,
  type LiveShard,
  type PrewarmPlan,
  type PrewarmRequest,
  type ShardFigures,
} from './prewarm-plan.js';
export { ApiMetrics, HTTP_SECONDS_BUCKETS, JOIN_ADMITTED, UNMATCHED_ROUTE } from './metrics.js';
export type { AppDeps } from './app-deps.js';
export type { JoinResponse } from './app.js';
export {
  API_VARIABLES,
  ConfigError,
  DEFAULT_API_HOST,
  DEFAULT_API_PORT,
  DEFAULT_GATEWAY_PUBLIC_URL,
  DEFAULT_MEDIA_PUBLIC_URL,
  DEFAULT_PGLITE_DATA_DIR,
  apiVariables,
  loadApiConfig,
} from './config.js';
export type { ApiConfig } from './config.js';
export {
  ASSET_MAX_AGE_S,
  PAGE_ROUTES,
  WebPages,
  livekitConnectOrigins,
  pagesCsp,
} from './web-pages.js';
export {
  assembleControlPlane,
  openConfiguredDatabase,
  type ControlPlane,
  type ControlPlaneParts,
} from './control-plane.js';
export { DEMO_EVENT_ID, ensureDemoEvent } from './demo-event.js';
export {
  CachedEventDirectory,
  JOIN_CACHE_MS,
  type EventDirectory,
  type EventInfo,
} from './event-directory.js';
export {
  STAGE_RESYNC_MS,
  StageProjector,
  pollView,
  projectStage,
  type StageProjectorDeps,
  type StagePublisher,
} from './stage-projector.js';
export { PollService, type PollServiceDeps } from './poll-service.js';
export { ChatArchiver, type ChatArchiverDeps } from './chat-archiver.js';
export { QOE_FLUSH_MS, QOE_PENDING_MAX, QoeRollup, type QoeRollupOptions } from './qoe-rollup.js';
export { QOE_TARGETS, summarizeQoe, vstQuantileMs, type QoeSummary } from './qoe-summary.js';
export { AUDIT_ACTIONS, SYSTEM_ACTOR, recordAudit, type AuditAction } from './audit.js';
export { JOIN_BODY_MAX_BYTES } from './join-request.js';
export {
  JOIN_LIMIT_PER_ADDRESS,
  JOIN_LIMIT_PER_EVENT,
  JOIN_BUDGET,
  JoinLimiter,
  type JoinLimits,
  type RateLimit,
} from './join-limiter.js';
export { ApiError, PROBLEM_CODES } from './problem.js';
export type { FieldError, Problem, ProblemCode, ProblemStatus } from './problem.js';
export { LlHlsPlaybackIssuer, type LlHlsPlaybackOptions, type PlaybackIssuer } from './playback.js';
export {
  HttpStreamControl,
  MEDIA_CONTROL_TIMEOUT_MS,
  StreamControlError,
  type StreamControl,
  type StreamInfo,
} from './stream-control.js';
export {
  STREAM_KEY_RESTORE_INTERVAL_MS,
  StreamKeyRestorer,
  restoreStreamKeys,
} from './stream-key-restore.js';
export { startApi } from './server.js';
export {
  WEBHOOK_ID_TTL_MS,
  WebrtcTier,
  openWebrtcTier,
  type TierRequest,
  type WebhookOutcome,
  type WebrtcTierDeps,
} from './webrtc-tier.js';
export {
  PRIORITY_RESERVE_FRACTION,
  SEAT_CONNECTED_LEASE_MS,
  SEAT_PENDING_LEASE_MS,
} from './tier-choice.js';
export type { RunningApi, StartApiOptions } from './server.js';
export { SigningKeys, SigningKeysError } from './signing-keys.js';
export { loadSigningKeys } from './load-keys.js';
export type { CurrentKey, NewKeyOptions, PublicJwk, SigningKeysErrorCode } from './signing-keys.js';
export {
  FAN_TOKEN_TTL_S,
  MAX_SESSION_AGE_S,
  STAFF_TOKEN_TTL_S,
  TokenIssuer,
} from './token-issuer.js';
export type { IssuedToken, StaffTokenClaims, TokenIssuerOptions } from './token-issuer.js';
export {
  Moderation,
  SANCTION_MAX_S,
  TIMEOUT_MIN_S,
  type ModerationDeps,
  type SanctionRequest,
} from './moderation.js';
export {
  STAFF_ROLES,
  StaffCredentials,
  bearerToken,
  isStaffRole,
  requireStaff,
  type Staff,
  type StaffAuthenticator,
  type StaffRole,
  type StaffVariables,
} from './staff-auth.js';
