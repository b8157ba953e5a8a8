// When the client tries again after a drop: the backoff attempts since the last welcome, the
// delay a close code calls for (a draining shard's 4000 gets a short jittered restart delay, the
// rest the growing backoff), and the one timer that fires the next attempt.

import { Close, admissionRetryDelayMs } from '@fanfare/protocol';
import { backoffDelay, restartDelay, type BackoffOptions } from './backoff.js';
import type { Clock, TimerHandle } from './clock.js';

export interface ReconnectTimerOptions {
  clock: Clock;
  backoff: BackoffOptions;
  /** Returns a number in [0, 1], for the jitter. */
  random: () => number;
}

export class ReconnectTimer {
  readonly #o: ReconnectTimerOptions;
  /** Backoff attempts since the last welcome. */
  #attempt = 0;
  #timer: TimerHandle | undefined;

  constructor(options: ReconnectTimerOptions) {
    this.#o = options;
  }

  /** A session opened: the next failure starts the backoff over. */
  reset(): void {
    this.#attempt = 0;
  }

  /** The next backoff delay, ms; each call counts one more attempt. */
  nextBackoff(): number {
    return backoffDelay(this.#attempt++, this.#o.backoff, this.#o.random);
  }

  /** The delay before reconnecting after close `code`, ms. */
  delayAfterClose(code: number): number {
    // 4000: the shard is draining and its peers are up; come back at once, with jitter.
    return code === Close.serverRestart ? restartDelay(this.#o.random) : this.nextBackoff();
  }

  /**
   * The delay after a 503 (the join's or the upgrade's) that said `Retry-After: retryAfterS`:
   * that, plus full jitter within max(1 s, a quarter of it) (protocol/src/admission.ts). It
   * counts as an attempt for the backoff of any other failure that follows.
   */
  afterRefusal(retryAfterS: number | undefined): number {
    this.#attempt++;
    return admissionRetryDelayMs(retryAfterS, this.#o.random);
  }

  /** Calls `fire` after `delayMs`; replaces any attempt already scheduled. */
  schedule(delayMs: number, fire: () => void): void {
    this.cancel();
    this.#timer = this.#o.clock.setTimeout(() => {
      this.#timer = undefined;
      fire();
    }, delayMs);
  }

  /** Drops the scheduled attempt, if any. Idempotent. */
  cancel(): void {
    if (this.#timer !== undefined) this.#o.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
