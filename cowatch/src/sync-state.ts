// The controller's state as an explicit state machine: a string union and one transition check,
// so a bug shows up as a thrown error at the move instead of a controller seeking twice at once.
// Also the value types the controller reports, and its options.

import type { Clock, ServerTime } from './clock.js';
import type { MediaLike } from './media.js';

/**
 * - `idle`: no timeline yet, or the clock is not synced yet; the element is left alone.
 * - `in-sync`: within the dead band, playing (or paused) at the timeline's rate.
 * - `correcting`: playing with a nudged rate until drift is under `DRIFT_EXIT_MS`.
 * - `holding`: the timeline plays (or is about to: a start takes effect at `at`), and the element
 *   waits, paused, on the frame the timeline is about to reach; it starts then. Every start and
 *   every corrective seek ends this way, so none needs a backward seek or a catch-up.
 * - `seeking`: a seek is in flight (ours or the user's); nothing else is attempted until it ends.
 * - `buffering`: the element stalled (`waiting`); corrections resume when it plays again.
 * - `blocked`: the browser refused `play()` (autoplay policy); the app should offer a play button.
 *   Retried on the next timeline or when the element starts playing.
 */
export type SyncState =
  'idle' | 'in-sync' | 'correcting' | 'holding' | 'seeking' | 'buffering' | 'blocked';

import type { Readiness } from '@fanfare/protocol';

/** What the SDK forwards to the host: `buffering` while this member cannot play on. */
export type { Readiness };

export interface SyncStatus {
  state: SyncState;
  readiness: Readiness;
  /** Media position minus the timeline's at the last look, ms (positive = ahead). */
  driftMs: number | undefined;
}

/** Counters for diagnostics, tests and the benchmark. */
export interface SyncStats {
  seeks: number;
  /** Seeks that landed more than the seek threshold away from the timeline. */
  missedSeeks: number;
  /** Times the controller started a rate correction (entered `correcting` from another state). */
  corrections: number;
  rateChanges: number;
  /** Nudges reversing the previous nudge within one correction: overshoot, i.e. oscillation. */
  rateFlips: number;
  /** Current seek-latency estimate, ms. */
  seekLatencyMs: number;
  /** Current start-latency estimate (`play()` to `playing`), ms. */
  playLatencyMs: number;
  /** Starts that waited on their frame (`holding`) and began at the timeline's instant. */
  heldStarts: number;
}

// Every move is allowed except starting a seek while one is in flight: that is the rule that keeps
// the controller from chasing its own seeks.
const MOVES: Readonly<Record<SyncState, readonly SyncState[]>> = {
  idle: ['in-sync', 'correcting', 'holding', 'seeking', 'buffering', 'blocked'],
  'in-sync': ['idle', 'correcting', 'holding', 'seeking', 'buffering', 'blocked'],
  correcting: ['idle', 'in-sync', 'holding', 'seeking', 'buffering', 'blocked'],
  holding: ['idle', 'in-sync', 'correcting', 'seeking', 'buffering', 'blocked'],
  seeking: ['idle', 'in-sync', 'correcting', 'holding', 'buffering', 'blocked'],
  buffering: ['idle', 'in-sync', 'correcting', 'holding', 'seeking', 'blocked'],
  blocked: ['idle', 'in-sync', 'correcting', 'holding', 'seeking', 'buffering'],
};

/** A move the state machine does not allow: a bug in the controller, never a media condition. */
export class IllegalSyncMoveError extends Error {
  override readonly name = 'IllegalSyncMoveError';
  readonly code = 'illegal_sync_move';

  constructor(from: SyncState, to: SyncState) {
    super(`illegal sync state move: ${from} -> ${to}`);
  }
}

/** Returns `to` when the move from `from` is allowed (staying put always is); throws otherwise. */
export function moveSync(from: SyncState, to: SyncState): SyncState {
  if (from !== to && !MOVES[from].includes(to)) throw new IllegalSyncMoveError(from, to);
  return to;
}

export interface SyncControllerOptions {
  media: MediaLike;
  time: ServerTime;
  /** Local clock: control ticks and seek-latency measurement. */
  clock: Clock;
  /** Called when `state` or `readiness` changes (not on every drift change). */
  onStatus?: (status: SyncStatus) => void;
  tickMs?: number;
}
