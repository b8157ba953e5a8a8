// The fan page: one client for the event, joined through this origin's API, and the panels built
// from @fanfare/react's hooks: player, reactions, the poll, chat, the watch party.

import { useState } from 'react';
import type { Playback } from '@fanfare/protocol';
import { FanfareProvider, useFanfareClient } from '@fanfare/react';
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
  const client = useFanfareClient({ join: pageJoin(eventId, name, setPlayback) });
  if (!client) return <p className="loading">Joining…</p>;
  return (
    <FanfareProvider client={client}>
      <div className="fan">
        <FanHeader eventId={eventId} />
        <main className="fan-main">
          <section className="stage-column" aria-label="Stage">
            <Player playback={playback} targetLatencyMs={targetLatencyMs} />
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
