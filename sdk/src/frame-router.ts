// Where each frame of an open session goes: to the component it answers or updates (the outbox,
// the ballots, the stage mirror, the party client, the server clock, the credentials' resume
// ticket) or straight to the app as an event. The client keeps only what moves the connection
// itself: the welcome and chat batches, whose gaps end the session.

import type { ServerMessage } from '@fanfare/protocol';
import type { Ballots } from './ballots.js';
import type { FanfareClientEvents } from './client-events.js';
import type { Credentials } from './credentials.js';
import type { Emitter } from './emitter.js';
import type { Outbox } from './outbox.js';
import type { PartyClient } from './party-client.js';
import type { ServerClock } from './server-clock.js';
import type { StageMirror } from './stage-mirror.js';

/** The session's components a frame may be for. */
export interface FrameTargets {
  emitter: Emitter<FanfareClientEvents>;
  outbox: Outbox;
  ballots: Ballots;
  mirror: StageMirror;
  party: PartyClient;
  serverClock: ServerClock;
  /**
   * Where a renewed resume ticket goes: it replaces the one held (and its fallback shard, or the
   * lack of one), for the next attempt.
   */
  credentials: Pick<Credentials, 'ticketGranted'>;
}

/** The frames the router takes: all but the two the client handles itself. */
export type RoutedFrame = Exclude<ServerMessage, { type: 'welcome' | 'chat' }>;

/** Hands one frame of an open session to its component. */
export function routeFrame(message: RoutedFrame, to: FrameTargets): void {
  switch (message.type) {
    case 'reactions':
      return to.emitter.emit('reactions', message);
    case 'presence':
      return to.emitter.emit('presence', message);
    case 'ack':
      to.outbox.handleAck(message);
      return;
    case 'error':
      // A refusal of a chat send, a vote or a party request rejects that request; else the app.
      if (
        !to.outbox.handleError(message) &&
        !to.ballots.handleError(message) &&
        !to.party.handleError(message)
      ) {
        to.emitter.emit('error', message);
      }
      return;
    case 'voted':
      to.ballots.handleVoted(message); // an answer to no pending vote has no one to tell
      return;
    case 'stage':
      return to.mirror.applyStage(message.stage);
    case 'tally':
      return to.mirror.applyTally(message);
    case 'party':
    case 'party.timeline':
    case 'party.chat':
    case 'party.left':
      return to.party.handle(message);
    case 'ticket': {
      const { ticket, expiresAt, fallbackUrl } = message;
      return to.credentials.ticketGranted({ ticket, expiresAt, fallbackUrl });
    }
    case 'pong':
      to.serverClock.receive(message); // a pong for no ping of ours needs nothing
      return;
  }
}
