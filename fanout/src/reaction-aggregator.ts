// Coalesces reaction taps so fan-out cost is bounded by windows, not taps. Each shard counts its
// fans' taps locally, publishes one partial per window on the event's reactions subject, merges
// every shard's partials, and emits the merged counts at most once per window. Whatever the tap
// rate, each shard publishes <= 1 message and sends its fans <= 1 frame per event per window.
// Drops: partials from a shard that are lost in transit (core NATS is at-most-once) are simply
// not counted; reactions are a signal, not a ledger.

import type { ReactionCounts, ReactionEmoji } from '@fanfare/protocol';
import { isReactionEmoji } from '@fanfare/protocol';
import type { Bus, Subscription } from './bus.js';
import type { Clock, TimerHandle } from './clock.js';

/** Default aggregation window, ms. Fans see counts at most this often (5 per second). */
export const REACTION_WINDOW_MS = 200;

export interface ReactionAggregatorOptions {
  bus: Bus;
  /** The event's reactions subject (Subjects.reactions). */
  subject: string;
  shardId: string;
  clock: Clock;
  windowMs?: number;
  /** Called at most once per window with the counts merged from every shard since the last call. */
  onWindow: (counts: ReactionCounts) => void;
}

interface Partial {
  s: string;
  c: Record<string, number>;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export class ReactionAggregator {
  readonly windowMs: number;
  #options: ReactionAggregatorOptions;
  #local = new Map<ReactionEmoji, number>();
  #merged = new Map<ReactionEmoji, number>();
  #latest: ReactionCounts = {};
  #timer: TimerHandle | undefined;
  #subscription: Subscription | undefined;

  constructor(options: ReactionAggregatorOptions) {
    this.#options = options;
    this.windowMs = options.windowMs ?? REACTION_WINDOW_MS;
  }

  start(): void {
    if (this.#timer) return;
    this.#subscription = this.#options.bus.subscribe(this.#options.subject, (data) =>
      this.#receive(data),
    );
    this.#timer = this.#options.clock.setInterval(() => this.#tick(), this.windowMs);
  }

  /** Counts `count` local taps of `emoji`. */
  tap(emoji: ReactionEmoji, count: number): void {
    this.#local.set(emoji, (this.#local.get(emoji) ?? 0) + count);
  }

  /** The counts of the most recent non-empty window (for join snapshots). */
  latest(): ReactionCounts {
    return this.#latest;
  }

  close(): void {
    if (this.#timer) this.#options.clock.clearInterval(this.#timer);
    this.#timer = undefined;
    this.#subscription?.unsubscribe();
    this.#subscription = undefined;
    this.#local.clear();
    this.#merged.clear();
  }

  #tick(): void {
    if (this.#local.size > 0) {
      const partial: Partial = { s: this.#options.shardId, c: Object.fromEntries(this.#local) };
      this.#local.clear();
      this.#options.bus.publish(this.#options.subject, encoder.encode(JSON.stringify(partial)));
    }
    // Partials received since the last tick (this shard's own one included, when the bus
    // delivers synchronously) go out as one frame.
    if (this.#merged.size > 0) {
      this.#latest = Object.fromEntries(this.#merged) as ReactionCounts;
      this.#merged.clear();
      this.#options.onWindow(this.#latest);
    }
  }

  #receive(data: Uint8Array): void {
    let partial: Partial;
    try {
      partial = JSON.parse(decoder.decode(data)) as Partial;
    } catch {
      return; // Not ours to fail on: a malformed partial from another shard is ignored.
    }
    if (typeof partial !== 'object' || partial === null || typeof partial.c !== 'object') return;
    for (const [emoji, count] of Object.entries(partial.c ?? {})) {
      if (!isReactionEmoji(emoji) || !Number.isSafeInteger(count) || count <= 0) continue;
      this.#merged.set(emoji, (this.#merged.get(emoji) ?? 0) + count);
    }
  }
}
