// The public face of @fanfare/sdk: the client, its options and events, watch parties (the
// server clock and `watchParty`), and the pieces an app or a test may want on their own (backoff
// maths, the state machine, the tap merger, the seq check of a chat batch).

export { apiJoin, JoinRefusedError, type ApiJoinOptions } from './api-join.js';
export { fallbackOf } from '@fanfare/protocol';
export {
  Credentials,
  TICKET_EXPIRY_MARGIN_MS,
  type Attempt,
  type JoinFn,
  type JoinGrant,
} from './credentials.js';
export { FanfareClient } from './client.js';
export type { CommandOptions, Party } from './party.js';
export { TAP_FLUSH_MS, type FanfareClientOptions } from './client-options.js';
export type {
  CloseInfo,
  FanfareClientEvents,
  PartyTimelineUpdate,
  ReconnectInfo,
  StateChange,
} from './client-events.js';
export {
  DEFAULT_BACKOFF,
  RESTART_JITTER_MS,
  backoffCap,
  backoffDelay,
  restartDelay,
  type BackoffOptions,
} from './backoff.js';
export { systemClock, type Clock, type TimerHandle } from './clock.js';
export { closeRetryPolicy } from './close-policy.js';
export {
  ChatRefusedError,
  RefusedError,
  ClientClosedError,
  PartyRefusedError,
  PartyRequestLostError,
  PartyRequestTimeoutError,
  VoteRefusedError,
} from './errors.js';
export { MAX_COMMAND_REBASES, PARTY_REQUEST_TIMEOUT_MS } from './party-client.js';
export type { ServerClockView } from './server-clock.js';
export type { ClockSample } from '@fanfare/cowatch';
export { watchParty, type WatchParty, type WatchPartyOptions } from './watch-party.js';
export { sequenceBatch, type SequencedBatch } from './chat-sequence.js';
export { MAX_CHAT_ATTEMPTS, type ChatDelay } from './outbox.js';
export type { SocketLike, WebSocketConstructor } from './socket.js';
export { IllegalTransitionError, canTransition, transition, type ClientState } from './state.js';
export { TapMerger, type TapMergerOptions } from './tap-merger.js';
export { TOKEN_REFRESH_MARGIN_MS } from './token.js';
export {
  MAX_PLAYER_RATE,
  SPOILER_MAX_HELD,
  SPOILER_RECHECK_MS,
  SpoilerGate,
  type PlayerTime,
  type SpoilerGateOptions,
} from './spoiler-gate.js';
export {
  DEFAULT_LIVE_EDGE_RULE,
  LIVE_EDGE_DEAD_BAND_MS,
  LIVE_EDGE_GAIN_PER_S,
  LIVE_EDGE_MAX_RATE_DEVIATION,
  LIVE_EDGE_SEEK_BEYOND_MS,
  steerLiveEdge,
  type LiveEdgeRule,
  type LiveEdgeStep,
} from './live-edge.js';
export {
  LIVE_START_JUMP_MIN_MS,
  LIVE_START_MIN_AHEAD_S,
  liveStartJumpS,
  liveStartLatency,
  type LiveStartPlaylist,
} from './live-start.js';
export {
  FALLBACK_TARGET_MS,
  HLS_BUFFER_APPENDED,
  HLS_LEVEL_LOADED,
  KICK_START_MIN_BUFFERED_S,
  LIVE_EDGE_STEP_MS,
  LIVE_HLS_CONFIG,
  LivePlayer,
  type HlsClass,
  type HlsLike,
  type LevelDetailsLike,
  type LivePlayerOptions,
  type VideoLike,
} from './live-player.js';
export {
  DEFAULT_TIER_FALLBACK_BOUNDS,
  TIER_FALLBACK_REASONS,
  WEBRTC_FIRST_FRAME_BOUND_MS,
  WEBRTC_STALL_BOUND_MS,
  webrtcFallback,
  type TierFallbackBounds,
  type TierFallbackReason,
  type WebRtcObservation,
} from './tier-fallback.js';
export {
  TieredPlayer,
  type RemoteTrackLike,
  type RoomClass,
  type RoomLike,
  type TierFallback,
  type TieredMedia,
  type TieredPlayerEvents,
  type TieredPlayerOptions,
} from './tiered-player.js';
export { QoeReporter, QOE_PLAYING_EVERY_MS, type QoeReporterOptions } from './qoe-reporter.js';
export { attachQoe, type QoeMediaLike, type QoePlayerLike } from './qoe-hooks.js';
