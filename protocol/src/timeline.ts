// The shared playback timeline of a watch party, as the server holds it and sends it. It is a
// linear function of server time, so members need no stream of positions: one message per host
// action, and each member computes the position for any instant itself.

/**
 * Server-authoritative playback state. The position at server time `T` (ms since the epoch) is
 * `position + (paused ? 0 : (T - at) / 1000 * rate)` seconds: see `positionAt`.
 *
 * The server sends a new value (with a higher `version`) on every host action (seek, pause,
 * resume, rate change, new media); members apply only values newer than the one they hold, so
 * reordered or replayed messages are harmless.
 */
export interface Timeline {
  /** The media being watched (an opaque id or URL chosen by the host). */
  media: string;
  /** Media position in seconds at server time `at`. */
  position: number;
  /** Playback rate while playing (1 = normal speed); greater than 0. */
  rate: number;
  paused: boolean;
  /**
   * Server time the value takes effect, ms since the Unix epoch. May lie slightly in the future
   * (a start, a rate change): until then the previous value holds, and a start waits on
   * `position`.
   */
  at: number;
  /** Increases with every change; a member keeps the value with the highest version it saw. */
  version: number;
}

/**
 * The timeline's media position, in seconds, at server time `serverTimeMs`. Before `at` a
 * playing timeline is at `position`: a start scheduled ahead (the server's START_LEAD_MS) holds
 * its first frame until then, it never runs backwards.
 */
export function positionAt(timeline: Timeline, serverTimeMs: number): number {
  if (timeline.paused) return timeline.position;
  return timeline.position + (Math.max(0, serverTimeMs - timeline.at) / 1000) * timeline.rate;
}

/** True when `next` should replace `current` (it is newer, or there is no current value). */
export function isNewer(next: Timeline, current: Timeline | undefined): boolean {
  return current === undefined || next.version > current.version;
}
