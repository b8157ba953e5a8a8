// The public face of @fanfare/cowatch: the client half of watch parties. Clock sync against the
// server, the controller that keeps a media element on the shared timeline, and their value types.

export { systemClock, type Clock, type ServerTime, type TimerHandle } from './clock.js';
// The timeline is part of the wire protocol; re-exported for convenience.
export { isNewer, positionAt, type Timeline } from '@fanfare/protocol';
export {
  ClockSync,
  CLOCK_RESOLUTION_MS,
  DRIFT_ALLOWANCE_PPM,
  MAX_RTT_MS,
  MIN_SAMPLES,
  SAMPLE_WINDOW,
  STEP_CONFIRM_SAMPLES,
  type ClockSample,
  type ClockSyncOptions,
  type SampleVerdict,
} from './clock-sync.js';
export {
  BURST_COUNT,
  BURST_GAP_MS,
  ClockSyncDriver,
  PING_INTERVAL_MS,
  type ClockSyncDriverOptions,
  type PingRequest,
  type PongReply,
} from './clock-sync-driver.js';
export { HAVE_FUTURE_DATA, type MediaEventType, type MediaLike } from './media.js';
export {
  CONTROL_TICK_MS,
  DRIFT_ENTER_MS,
  DRIFT_EXIT_MS,
  MAX_RATE_NUDGE,
  MAX_SEEK_BACKOFF_STEPS,
  RATE_QUANTUM,
  RATE_TIME_CONSTANT_MS,
  SEEK_COOLDOWN_MS,
  SEEK_ENTER_MS,
  SEEK_LATENCY_GUESS_MS,
  SEEK_LATENCY_WEIGHT,
  SEEK_TIMEOUT_MS,
} from './sync-policy.js';
export {
  IllegalSyncMoveError,
  type Readiness,
  type SyncState,
  type SyncStats,
  type SyncStatus,
} from './sync-state.js';
export { SyncController } from './sync-controller.js';
export type { SyncControllerOptions } from './sync-state.js';
