// Reactions for a component: tap an emoji (the SDK merges taps into at most one frame per emoji
// per window) and the bursts to float, from every fan's taps as the server sums them per window,
// each when the fan's picture reaches the moment it arrived (spoiler-free mode).

import { useCallback, useEffect, useRef, useState } from 'react';
import { REACTION_EMOJI, type ReactionCounts, type ReactionEmoji } from '@fanfare/protocol';
import { BURST_LIFETIME_MS, addBursts, liveBursts, type Burst } from './reaction-bursts.js';
import { useFanfare } from './provider.js';
import { useClientEvent } from './use-client-event.js';
import { useSpoilerGate } from './use-spoiler-free.js';

export interface Reactions {
  /** The fixed reaction set, in the protocol's order. */
  emoji: readonly ReactionEmoji[];
  react(emoji: ReactionEmoji): void;
  /** Bursts floating now; each is removed BURST_LIFETIME_MS after it appeared. */
  bursts: readonly Burst[];
}

export function useReactions(): Reactions {
  const client = useFanfare();
  const [bursts, setBursts] = useState<readonly Burst[]>([]);
  const nextId = useRef(1);
  // Each window's bursts float when the fan's picture reaches the moment the window arrived.
  const show = useSpoilerGate<ReactionCounts>((counts) =>
    setBursts((current) => {
      const at = Date.now();
      const next = addBursts(liveBursts(current, at), counts, {
        id: nextId.current,
        at,
        random: Math.random,
      });
      nextId.current += next.length;
      return next;
    }),
  );
  useClientEvent('reactions', ({ counts }) => show(counts));
  // One sweep per lifetime while bursts float, not a timer per burst.
  useEffect(() => {
    if (bursts.length === 0) return;
    const timer = setTimeout(
      () => setBursts((current) => liveBursts(current, Date.now())),
      BURST_LIFETIME_MS,
    );
    return () => clearTimeout(timer);
  }, [bursts]);
  const react = useCallback((emoji: ReactionEmoji) => client.react(emoji), [client]);
  return { emoji: REACTION_EMOJI, react, bursts };
}
