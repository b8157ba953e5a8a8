// Reaction frames turned into floating bursts: one burst per emoji per window (its count shown
// on it), placed across the width by a seeded position, with a cap on bursts alive at once so a
// storm of taps cannot flood the page with elements.

import type { ReactionCounts, ReactionEmoji } from '@fanfare/protocol';

/** Bursts on screen at once; the oldest make way for new ones. */
export const BURSTS_MAX = 24;
/** How long a burst floats before it is removed, ms (the CSS animation should match). */
export const BURST_LIFETIME_MS = 2400;

export interface Burst {
  id: number;
  emoji: ReactionEmoji;
  /** Taps it stands for (the window's count for this emoji). */
  count: number;
  /** Horizontal position, percent of the width (5-90). */
  left: number;
  /** When it appeared, ms on `Date.now()`. */
  at: number;
}

/** `bursts` plus one per emoji of `counts`, the oldest dropped past `max`. */
export function addBursts(
  bursts: readonly Burst[],
  counts: ReactionCounts,
  next: { id: number; at: number; random: () => number },
  max = BURSTS_MAX,
): Burst[] {
  const added: Burst[] = [];
  let id = next.id;
  for (const [emoji, count] of Object.entries(counts) as Array<[ReactionEmoji, number]>) {
    if (!count) continue;
    added.push({ id: id++, emoji, count, left: 5 + next.random() * 85, at: next.at });
  }
  const all = [...bursts, ...added];
  return all.length > max ? all.slice(all.length - max) : all;
}

/** The bursts still floating at `now`. */
export function liveBursts(bursts: readonly Burst[], now: number): Burst[] {
  return bursts.filter((b) => now - b.at < BURST_LIFETIME_MS);
}
