// The server's clock as this client estimates it: cowatch's ClockSync fed by a ClockSyncDriver
// whose pings go over the client's own socket (`ping {ref, t}` / `pong {ref, t, serverTime}`).
// Trade-off: it runs only while something holds it (a joined party, or the app), so a fan who
// never joins a party sends no pings at all; a holder waits about half a second for `synced`.

import {
  ClockSync,
  ClockSyncDriver,
  systemClock as monotonicClock,
  type ClockSample,
  type PingRequest,
  type PongReply,
  type ServerTime,
} from '@fanfare/cowatch';
import type { Clock } from './clock.js';

export interface ServerClockOptions {
  /**
   * The local clock the estimate is against; its timers pace the pings. Defaults to a monotonic
   * clock on the epoch scale (`performance.timeOrigin + performance.now()`), which does not step
   * when the OS corrects the wall clock.
   */
  clock?: Clock;
  /** Writes one ping to the open session; a ping while there is none is dropped (false). */
  send(ping: PingRequest): boolean;
}

/**
 * The server clock as an app sees it (`client.serverTime`): `ServerTime` for a SyncController,
 * plus the estimate's error bound and a way to keep it running outside a party. Before `synced`
 * (about half a second after the first hold) `serverNow()` is the local clock plus the offset so
 * far (0 before any pong).
 */
export interface ServerClockView extends ServerTime {
  /** The local clock `serverNow()` reads; give the same one to a SyncController. */
  readonly clock: Clock;
  /** True once enough pongs agree (cowatch's MIN_SAMPLES); `serverNow()` is usable then. */
  readonly synced: boolean;
  /** Server clock minus local clock, ms. */
  readonly offsetMs: number;
  /**
   * The true offset lies within `offsetMs` plus or minus this, ms (half the best round trip,
   * plus drift since; Infinity before the first pong). Path asymmetry hides inside it: see
   * docs/cowatch.md.
   */
  readonly errorBoundMs: number;
  /**
   * The longest round trip among the recent exchanges, ms (undefined before the first pong): a
   * frame from the server reaches this client within it, whatever the split between the legs.
   */
  readonly pathMs: number | undefined;
  /** True while at least one holder keeps the pings going. */
  readonly running: boolean;
  /**
   * The ping exchanges the estimate stands on, oldest first (copies; local `t0`/`t1`, the
   * server's `serverTime`): for diagnostics, and for a test that knows the true clock.
   */
  readonly exchanges: readonly ClockSample[];
  /** The server's clock now, ms since the Unix epoch. */
  serverNow(): number;
  /**
   * Keeps clock sync running until the returned function is called (once; later calls do
   * nothing). The first hold starts a burst of pings; the last release stops them. Samples are
   * kept across a release, so holding again starts from the old estimate while the burst runs.
   */
  hold(): () => void;
}

/** The client's ServerClockView, plus what the client drives. `close()` is idempotent. */
export class ServerClock implements ServerClockView {
  readonly clock: Clock;
  readonly #sync: ClockSync;
  readonly #driver: ClockSyncDriver;
  #holds = 0;
  #closed = false;

  constructor(options: ServerClockOptions) {
    this.clock = options.clock ?? monotonicClock;
    this.#sync = new ClockSync({ clock: this.clock });
    this.#driver = new ClockSyncDriver({
      sync: this.#sync,
      clock: this.clock,
      send: (ping) => void options.send(ping),
    });
  }

  get synced(): boolean {
    return this.#sync.synced;
  }

  get offsetMs(): number {
    return this.#sync.offsetMs;
  }

  get errorBoundMs(): number {
    return this.#sync.errorBoundMs;
  }

  get pathMs(): number | undefined {
    return this.#sync.pathMs;
  }

  get exchanges(): readonly ClockSample[] {
    return this.#sync.samples;
  }

  get running(): boolean {
    return this.#holds > 0 && !this.#closed;
  }

  serverNow(): number {
    return this.#sync.serverNow();
  }

  hold(): () => void {
    if (this.#closed) return () => {};
    if (this.#holds++ === 0) this.#driver.start();
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      if (--this.#holds === 0) this.#driver.close();
    };
  }

  /** Feeds a pong; false when it answers no ping of this clock (someone else's, or too late). */
  receive(pong: PongReply): boolean {
    return this.#driver.receive(pong) !== undefined;
  }

  /** A new session began: it may end at another server, whose clock may differ, so start over. */
  reconnected(): void {
    this.#driver.resync();
  }

  close(): void {
    this.#closed = true;
    this.#holds = 0;
    this.#driver.close();
  }
}
