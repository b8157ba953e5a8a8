// One simulated watch-party member: a skewed, drifting local clock, a link with its own delays,
// a simulated media element, and the real ClockSync, ClockSyncDriver and SyncController wired as
// the SDK would wire them. It also exposes the truths the members themselves cannot see.

import { ClockSync } from '../clock-sync.js';
import { ClockSyncDriver } from '../clock-sync-driver.js';
import type { PongReply } from '../clock-sync-driver.js';
import type { Clock } from '../clock.js';
import { SyncController } from '../sync-controller.js';
import type { Readiness, Timeline } from '@fanfare/protocol';
import { PATH_REPORT_STEP_MS, reportedPathMs } from '@fanfare/protocol';
import { Link } from './network.js';
import type { LinkSpec } from './network.js';
import type { Rng } from './rng.js';
import type { SimScheduler } from './scheduler.js';
import type { SimPeer, SimServer } from './sim-server.js';
import { SimMedia } from './sim-media.js';
import type { SimMediaSpec } from './sim-media.js';

export interface MemberSpec {
  /** Local clock minus server clock at true time 0, ms. */
  skewMs: number;
  /** Local clock rate error, parts per million. */
  driftPpm: number;
  link: LinkSpec;
  media: SimMediaSpec;
}

export class SimMember implements SimPeer {
  readonly spec: MemberSpec;
  readonly link: Link;
  readonly clock: Clock;
  readonly sync: ClockSync;
  readonly driver: ClockSyncDriver;
  readonly controller: SyncController;
  readonly media: SimMedia;
  readonly #server: SimServer;
  /** The readiness the server holds for this member, as far as it knows. */
  #recorded: Readiness = 'buffering';
  /** The path last reported, ms. */
  #reportedPath: number | undefined;

  constructor(
    sched: SimScheduler,
    rng: Rng,
    server: SimServer,
    originMs: number,
    spec: MemberSpec,
  ) {
    this.spec = spec;
    this.#server = server;
    this.link = new Link(sched, rng.fork(1), spec.link);
    this.media = new SimMedia(sched, rng.fork(2), spec.media);
    this.clock = sched.clock(originMs, spec.skewMs, spec.driftPpm);
    this.sync = new ClockSync({ clock: this.clock });
    this.driver = new ClockSyncDriver({
      sync: this.sync,
      clock: this.clock,
      send: (ping) => this.link.up(() => this.#server.ping(this, ping)),
    });
    this.controller = new SyncController({
      media: this.media,
      time: this.sync,
      clock: this.clock,
      onStatus: () => this.#report(),
    });
  }

  /** Connects: starts clock sync and the controller, and joins the server (which sends the timeline). */
  start(): void {
    this.driver.start();
    this.controller.start();
    this.#server.join(this);
  }

  close(): void {
    this.driver.close();
    this.controller.close();
  }

  onTimeline(timeline: Timeline, rebuffer: boolean): void {
    if (rebuffer) this.#recorded = 'buffering';
    this.controller.setTimeline(timeline);
    this.#report();
  }

  /**
   * Tells the server this member's readiness when its record disagrees, with its path (the
   * longest recent round trip, in 50 ms steps, again when it moved by more than a step), as the
   * SDK's watchParty does: `ready` only once the controller has landed on the timeline (not idle,
   * not seeking).
   */
  #report(): void {
    const { state, readiness } = this.controller.status;
    const path = reportedPathMs(this.sync.pathMs);
    const moved =
      path !== undefined && Math.abs(path - (this.#reportedPath ?? 0)) > PATH_REPORT_STEP_MS;
    if (readiness === this.#recorded && !moved) return;
    if (readiness === 'ready' && (state === 'idle' || state === 'seeking')) return;
    this.#recorded = readiness;
    if (path !== undefined) this.#reportedPath = path;
    this.link.up(() => this.#server.ready(this, readiness, path));
  }

  onPong(pong: PongReply): void {
    this.driver.receive(pong);
  }

  /** Media position minus the shared position at this true instant, ms. */
  errorMs(): number {
    return (this.media.currentTime - this.#server.position()) * 1000;
  }

  /** How much faster the server's clock runs than this member's, ppm (what ClockSync fits). */
  trueRatePpm(): number {
    return (1 / (1 + this.spec.driftPpm / 1e6) - 1) * 1e6;
  }

  /** The clock-offset estimate's error (estimate minus truth), ms. */
  offsetErrorMs(): number {
    return this.sync.offsetMs - (this.#server.now() - this.clock.now());
  }
}
