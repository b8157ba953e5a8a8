// The server side as the simulation needs it: holds the authoritative timeline, applies host
// commands at its own clock, broadcasts each new timeline and answers pings with its time. A
// stand-in for the real server (built later), speaking the same shapes (Timeline, PongReply).

import type { PingRequest, PongReply } from '../clock-sync-driver.js';
import { positionAt } from '@fanfare/protocol';
import type { Timeline } from '@fanfare/protocol';
import type { Link } from './network.js';
import type { SimScheduler } from './scheduler.js';

/** What the server knows of a member: its link and where its frames land. */
export interface SimPeer {
  readonly link: Link;
  onTimeline(timeline: Timeline): void;
  onPong(pong: PongReply): void;
}

export type HostCommand =
  | { kind: 'seek'; position: number }
  | { kind: 'pause' }
  | { kind: 'resume' }
  | { kind: 'rate'; rate: number };

export class SimServer {
  readonly #sched: SimScheduler;
  readonly #originMs: number;
  readonly #peers: SimPeer[] = [];
  #timeline: Timeline;

  /** The server clock is true time plus `originMs` (it is the reference every member chases). */
  constructor(sched: SimScheduler, originMs: number, media = 'sim://movie') {
    this.#sched = sched;
    this.#originMs = originMs;
    this.#timeline = { media, position: 0, rate: 1, paused: false, at: this.now(), version: 1 };
  }

  now(): number {
    return this.#originMs + this.#sched.now;
  }

  get timeline(): Timeline {
    return this.#timeline;
  }

  /** The shared position now, seconds: what every member should show at this true instant. */
  position(): number {
    return positionAt(this.#timeline, this.now());
  }

  join(peer: SimPeer): void {
    this.#peers.push(peer);
    this.#sendTimeline(peer);
  }

  /** A ping from `peer` (already delivered up its link). */
  ping(peer: SimPeer, ping: PingRequest): void {
    const pong: PongReply = { ref: ping.ref, t: ping.t, serverTime: this.now() };
    peer.link.down(() => peer.onPong(pong));
  }

  /** Applies a host command now and broadcasts the new timeline. */
  command(cmd: HostCommand): void {
    const now = this.now();
    const t = this.#timeline;
    const next: Timeline = { ...t, position: positionAt(t, now), at: now, version: t.version + 1 };
    if (cmd.kind === 'seek') next.position = cmd.position;
    if (cmd.kind === 'pause') next.paused = true;
    if (cmd.kind === 'resume') next.paused = false;
    if (cmd.kind === 'rate') next.rate = cmd.rate;
    this.#timeline = next;
    for (const peer of this.#peers) this.#sendTimeline(peer);
  }

  #sendTimeline(peer: SimPeer): void {
    const t = this.#timeline;
    peer.link.down(() => peer.onTimeline(t));
  }
}
