// Spoiler-free mode for one client: what the chat list, the reaction bursts and the poll show
// waits for the viewer's own picture (the SDK's SpoilerGate, one per kind of thing shown), and
// the player is the clock. While no player time is attached (no video on the page, WebRTC or
// native HLS without program date-time, or before the first frame) everything shows live; the
// fan's "see chat live" toggle (`live`) does the same on demand. One per client (storesFor).

import { SpoilerGate, type FanfareClient, type PlayerTime } from '@fanfare/sdk';

/** What the mode drives of each gate, whatever it holds. */
interface GateControl {
  live: boolean;
  recheck(): void;
  close(): void;
}

export class SpoilerFree {
  readonly #client: FanfareClient;
  #source: PlayerTime | undefined;
  #live = false;
  readonly #gates = new Set<GateControl>();
  readonly #listeners = new Set<() => void>();
  #snapshot: SpoilerFreeState = { live: false, following: false };

  constructor(client: FanfareClient) {
    this.#client = client;
  }

  /** The program date-time on screen, or undefined while everything shows live. */
  playerTime = (): number | undefined => (this.#live ? undefined : this.#source?.());

  /**
   * The server time now as best known: a stamp for what the server sends without one (reaction
   * windows, stage changes), taken on arrival, so it is at or after the moment it stands for.
   */
  arrivedAt(): number {
    return this.#client.serverTime.synced ? this.#client.serverNow() : Date.now();
  }

  /** Attaches the player's clock (undefined: none, everything shows live). */
  follow(source: PlayerTime | undefined): void {
    this.#source = source;
    this.#changed();
  }

  /** The fan's toggle: true shows everything as it happens. */
  setLive(live: boolean): void {
    this.#live = live;
    for (const gate of this.#gates) gate.live = live;
    this.#changed();
  }

  /** A gate releasing into `release`, following this client's player and toggle. */
  gate<T>(release: (item: T) => void): SpoilerGate<T> {
    const gate = new SpoilerGate<T>({ playerTime: this.playerTime, release });
    gate.live = this.#live;
    this.#gates.add(gate);
    return gate;
  }

  /** Stops and forgets a gate made by `gate` (a component unmounted). */
  release(gate: GateControl): void {
    gate.close();
    this.#gates.delete(gate);
  }

  subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  snapshot = (): SpoilerFreeState => this.#snapshot;

  #changed(): void {
    for (const gate of this.#gates) gate.recheck();
    const next = { live: this.#live, following: this.#source !== undefined };
    if (next.live === this.#snapshot.live && next.following === this.#snapshot.following) return;
    this.#snapshot = next;
    for (const listener of this.#listeners) listener();
  }
}

export interface SpoilerFreeState {
  /** The fan chose to see everything live. */
  live: boolean;
  /** A player's clock is attached: with `live` false, what is shown waits for the picture. */
  following: boolean;
}
