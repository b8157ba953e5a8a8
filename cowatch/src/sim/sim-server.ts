// The server side as the simulation needs it, following the gateway's party rules: it holds the
// authoritative timeline on its own clock, applies host commands as the gateway does (a start and
// a rate change take effect a lead ahead, `startLeadMs` of the members' reported paths; a seek
// while playing pauses behind a readiness gate that opens, a lead ahead, once every member
// reports ready or READY_WAIT_MS passed), broadcasts each new timeline and answers pings with its
// time. Members report readiness and their path up their link, as the SDK's watchParty does.

import type { PingRequest, PongReply } from '../clock-sync-driver.js';
import { READY_WAIT_MS, positionAt, startLeadMs } from '@fanfare/protocol';
import type { Readiness, Timeline } from '@fanfare/protocol';
import type { Link } from './network.js';
import type { SimScheduler } from './scheduler.js';

/** What the server knows of a member: its link and where its frames land. */
export interface SimPeer {
  readonly link: Link;
  /** A new timeline; `rebuffer` when the server marked every member buffering with it. */
  onTimeline(timeline: Timeline, rebuffer: boolean): void;
  onPong(pong: PongReply): void;
}

export type HostCommand =
  | { kind: 'seek'; position: number }
  | { kind: 'pause' }
  | { kind: 'resume' }
  | { kind: 'rate'; rate: number };

export interface SimServerOptions {
  media?: string;
  /**
   * How far ahead a start or a rate change takes effect, ms; by default the gateway's rule,
   * `startLeadMs` of the members' reported paths.
   */
  leadMs?: number;
}

export class SimServer {
  readonly #sched: SimScheduler;
  readonly #originMs: number;
  readonly #fixedLeadMs: number | undefined;
  readonly #paths = new Map<SimPeer, number>();
  readonly #peers: SimPeer[] = [];
  readonly #readiness = new Map<SimPeer, Readiness>();
  #timeline: Timeline;
  /** The value before the current one: in force until the current one's `at`. */
  #previous: Timeline | undefined;
  #gateUntil: number | null = null;
  /** Called with the server time at which each start (paused to playing) takes effect. */
  onStart: ((atMs: number) => void) | undefined;

  /** The server clock is true time plus `originMs` (it is the reference every member chases). */
  constructor(sched: SimScheduler, originMs: number, options: SimServerOptions = {}) {
    this.#sched = sched;
    this.#originMs = originMs;
    this.#fixedLeadMs = options.leadMs;
    const media = options.media ?? 'sim://movie';
    this.#timeline = { media, position: 0, rate: 1, paused: false, at: this.now(), version: 1 };
  }

  now(): number {
    return this.#originMs + this.#sched.now;
  }

  get timeline(): Timeline {
    return this.#timeline;
  }

  /** The timeline in force now (a value scheduled ahead is not yet). */
  get live(): Timeline {
    const t = this.#timeline;
    const prev = this.#previous;
    if (t.paused || this.now() >= t.at || !prev || prev.paused) return t;
    return prev;
  }

  /** The shared position now, seconds: what every member should show at this true instant. */
  position(): number {
    return positionAt(this.live, this.now());
  }

  join(peer: SimPeer): void {
    this.#peers.push(peer);
    this.#readiness.set(peer, 'buffering');
    this.#sendTimeline(peer, false);
  }

  /** A ping from `peer` (already delivered up its link). */
  ping(peer: SimPeer, ping: PingRequest): void {
    const pong: PongReply = { ref: ping.ref, t: ping.t, serverTime: this.now() };
    peer.link.down(() => peer.onPong(pong));
  }

  /** A member's readiness report (already delivered up its link); a gate may open. */
  ready(peer: SimPeer, readiness: Readiness, pathMs?: number): void {
    this.#readiness.set(peer, readiness);
    if (pathMs !== undefined) this.#paths.set(peer, pathMs);
    this.#settle();
  }

  /** Applies a host command now, as the gateway's `applyCommand` does, and broadcasts. */
  command(cmd: HostCommand): void {
    const now = this.now();
    const t = this.#timeline;
    const gated = this.#gateUntil !== null;
    switch (cmd.kind) {
      case 'resume':
        if (!t.paused || gated) return;
        if (this.#allReady()) return this.#set({ paused: false, at: now + this.#leadMs() }, false);
        return this.#gate(now);
      case 'pause':
        this.#gateUntil = null;
        if (t.paused) return;
        return this.#set({ position: positionAt(t, Math.max(now, t.at)), paused: true, at: now });
      case 'seek': {
        const resume = !t.paused || gated;
        for (const peer of this.#peers) this.#readiness.set(peer, 'buffering');
        this.#set({ position: cmd.position, paused: true, at: now }, true);
        if (resume) this.#gate(now);
        else this.#gateUntil = null;
        return;
      }
      case 'rate': {
        if (t.rate === cmd.rate) return;
        const at = t.paused ? t.at : Math.max(now + this.#leadMs(), t.at);
        return this.#set({ position: positionAt(t, at), rate: cmd.rate, at });
      }
    }
  }

  #leadMs(): number {
    return this.#fixedLeadMs ?? startLeadMs(this.#paths.values());
  }

  #gate(now: number): void {
    const until = now + READY_WAIT_MS;
    this.#gateUntil = until;
    this.#sched.at(until - this.#originMs, () => this.#settle());
    this.#settle();
  }

  #settle(): void {
    if (this.#gateUntil === null) return;
    if (!this.#allReady() && this.now() < this.#gateUntil) return;
    this.#gateUntil = null;
    this.#set({ paused: false, at: this.now() + this.#leadMs() });
  }

  #allReady(): boolean {
    return this.#peers.every((p) => this.#readiness.get(p) === 'ready');
  }

  #set(change: Partial<Timeline>, rebuffer = false): void {
    const t = this.#timeline;
    this.#previous = this.live;
    this.#timeline = { ...t, ...change, version: t.version + 1 };
    if (t.paused && !this.#timeline.paused) this.onStart?.(this.#timeline.at);
    for (const peer of this.#peers) this.#sendTimeline(peer, rebuffer);
  }

  #sendTimeline(peer: SimPeer, rebuffer: boolean): void {
    const t = this.#timeline;
    peer.link.down(() => peer.onTimeline(t, rebuffer));
  }
}
