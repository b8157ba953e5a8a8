// The fan page: one client for the event, joined through this origin's API, and the panels built
// from @fanfare/react's hooks: player, reactions, the poll, chat, the watch party.

import { useRef, useState } from 'react';
import type { Playback, PlaybackTier } from '@fanfare/protocol';
import { FanfareProvider, useFanfareClient, webrtcPlayable } from '@fanfare/react';
import { pageJoin } from '../join.js';
import { ChatPanel } from './chat-panel.js';
import { FanHeader } from './fan-header.js';
import { PartyPanel } from './party-panel.js';
import { Player } from './player.js';
import { PollCard } from './poll-card.js';
import { ReactionBar } from './reaction-bar.js';

export interface FanPageProps {
  eventId: string;
  name: string | undefined;
  /** The delay behind live the player aims at, ms (`?delay=`); absent: the playlist's. */
  targetLatencyMs?: number | undefined;
}

export function FanPage({ eventId, name, targetLatencyMs }: FanPageProps) {
  const [playback, setPlayback] = useState<Playback>();
  // Sub-second WebRTC where the browser has it, until it failed here once: then LL-HLS only, so
  // a rejoin (a reconnect) does not try a path that just failed again.
  const fellBack = useRef(false);
  const tiers = (): PlaybackTier[] =>
    webrtcPlayable() && !fellBack.current ? ['webrtc', 'll-hls'] : ['ll-hls'];
  const client = useFanfareClient({ join: pageJoin(eventId, name, setPlayback, tiers) });
  if (!client) return <p className="loading">Joining…</p>;
  return (
    <FanfareProvider client={client}>
      <div className="fan">
        <FanHeader eventId={eventId} />
        <main className="fan-main">
          <section className="stage-column" aria-label="Stage">
            <Player
              playback={playback}
              targetLatencyMs={targetLatencyMs}
              onTierFallback={() => {
                fellBack.current = true;
              }}
            />
            <ReactionBar />
            <PollCard />
            <PartyPanel />
          </section>
          <ChatPanel />
        </main>
      </div>
    </FanfareProvider>
  );
}
