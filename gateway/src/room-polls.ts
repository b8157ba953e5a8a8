// One event's polls on one shard: fans' votes go to the VoteStore (one vote per fan per poll,
// enforced there, across shards), and the running tally of each open poll is read from the store
// every TALLY_INTERVAL_MS (a VersionedMirror per open poll, without notices) and broadcast only
// when its version moved: one frame per poll per interval at most, never one per vote, whatever
// the voting rate. Tallies are superseded
// snapshots and go on the droppable signal topic; a lagging fan gets the latest on drain.

import {
  TALLY_INTERVAL_MS,
  type EventState,
  type PollTally,
  type PollView,
  type StageView,
  type TallyFrame,
  type Vote,
} from '@fanfare/protocol';
import { StateUnavailableError, type Clock, type Logger, type VoteStore } from '@fanfare/fanout';
import { isOver } from './chat-rules.js';
import type { GatewayConfig } from './config.js';
import type { GatewayMetrics } from './metrics.js';
import { OutageLog } from './outage-log.js';
import { sendError, sendTo } from './send.js';
import { bucketOf, type Session, type Socket } from './session.js';
import { take } from './token-bucket.js';
import { VersionedMirror } from './versioned-mirror.js';

/** What became of one `vote` frame (the metrics label). */
export type VoteOutcomeLabel =
  | 'accepted'
  | 'duplicate'
  | 'already_voted'
  | 'poll_closed'
  | 'unknown_poll'
  | 'invalid_option'
  | 'event_ended'
  | 'rate_limited'
  | 'unavailable';

export interface RoomPollsDeps {
  eventId: string;
  votes: VoteStore;
  clock: Clock;
  config: GatewayConfig;
  logger: Logger;
  metrics: GatewayMetrics;
  /** Broadcasts a tally to the room's fans (superseded, droppable). */
  publish: (frame: TallyFrame) => void;
}

export class RoomPolls {
  #deps: RoomPollsDeps;
  /** Every poll the stage shows, by id. */
  #known = new Map<string, PollView>();
  /** The tally of each open poll, read from the store while the poll is open. */
  #tallies = new Map<string, VersionedMirror<PollTally>>();
  /** Shared by the room's polls: one warning per outage, not one per poll. */
  #outage: OutageLog;
  #closed = false;

  constructor(deps: RoomPollsDeps) {
    this.#deps = deps;
    this.#outage = new OutageLog(
      deps.logger,
      { down: 'tally read failed', up: 'tallies readable again' },
      { eventId: deps.eventId },
    );
  }

  /** Follows a new stage: polls that left the open set stop being tallied, new open ones start. */
  setStage(view: StageView): void {
    this.#known = new Map(view.polls.map((p) => [p.id, p]));
    for (const [pollId, mirror] of this.#tallies) {
      if (this.#known.get(pollId)?.state === 'open') continue;
      mirror.close();
      this.#tallies.delete(pollId);
    }
    if (this.#closed) return;
    for (const poll of view.polls) {
      if (poll.state !== 'open' || this.#tallies.has(poll.id)) continue;
      const mirror = this.#tally(poll);
      this.#tallies.set(poll.id, mirror);
      mirror.start();
    }
  }

  /** The latest tally of each open poll (zero counts before its first vote was seen). */
  tallies(): PollTally[] {
    return [...this.#tallies.values()].map((mirror) => mirror.current.value);
  }

  /** Sends the latest tallies to one fan (a lagging fan caught up). */
  resend(ws: Socket, session: Session): void {
    for (const { current } of this.#tallies.values())
      if (current.version > 0) sendTo(ws, session, { type: 'tally', ...current.value });
  }

  /** Records one fan's vote and answers `voted` or an error. `state`: the event's now. */
  async vote(ws: Socket, session: Session, msg: Vote, state: EventState): Promise<void> {
    const { clock, config, votes, logger } = this.#deps;
    const refuse = (
      outcome: VoteOutcomeLabel & Parameters<typeof sendError>[2],
      message: string,
      retryAfterMs?: number,
    ): void => {
      this.#count(outcome);
      sendError(ws, session, outcome, message, { ref: msg.ref, retryAfterMs });
    };
    const now = clock.now();
    const wait = take(bucketOf(session, 'votes', config.votes, now), config.votes, now);
    if (wait > 0) return refuse('rate_limited', 'too many votes; slow down', wait);
    if (isOver(state)) return refuse('event_ended', 'the event has ended; voting is closed');
    const poll = this.#known.get(msg.pollId);
    if (poll && (poll.state !== 'open' || now >= poll.closesAt)) {
      return refuse('poll_closed', 'this poll is closed');
    }
    let outcome;
    try {
      outcome = await votes.vote(this.#deps.eventId, msg.pollId, session.user.id, msg.option);
    } catch (err) {
      if (!(err instanceof StateUnavailableError)) throw err;
      logger.warn('vote store unreachable', { eventId: this.#deps.eventId, err });
      return refuse('unavailable', 'voting is briefly unavailable; not counted', 1000);
    }
    switch (outcome.status) {
      case 'accepted':
      case 'duplicate': {
        this.#count(outcome.status);
        const voted = { type: 'voted', pollId: msg.pollId, option: msg.option } as const;
        sendTo(ws, session, {
          ...voted,
          ...(msg.ref !== undefined && { ref: msg.ref }),
          ...(outcome.status === 'duplicate' && { duplicate: true }),
        });
        return;
      }
      case 'already_voted':
        return refuse('already_voted', 'you already voted for another option in this poll');
      case 'invalid_option':
        return refuse('invalid_option', 'no such option in this poll');
      case 'poll_closed':
        return poll
          ? refuse('poll_closed', 'this poll is closed')
          : refuse('unknown_poll', 'no such poll is open in this event');
    }
  }

  close(): void {
    this.#closed = true;
    for (const mirror of this.#tallies.values()) mirror.close();
    this.#tallies.clear();
  }

  #count(outcome: VoteOutcomeLabel): void {
    this.#deps.metrics.votes.inc({ outcome });
  }

  /** A poll's tally mirror: read every TALLY_INTERVAL_MS, broadcast when its version moved. */
  #tally(poll: PollView): VersionedMirror<PollTally> {
    const { votes, clock, metrics, publish } = this.#deps;
    const zero: PollTally = {
      pollId: poll.id,
      version: 0,
      counts: poll.options.map(() => 0),
      total: 0,
    };
    return new VersionedMirror<PollTally>({
      source: {
        read: async () => {
          const tally = await votes.tally(poll.id);
          return { version: tally.version, value: { pollId: poll.id, ...tally } };
        },
      },
      initial: { version: 0, value: zero },
      notices: 'whole',
      clock,
      checkEveryMs: TALLY_INTERVAL_MS,
      outage: this.#outage,
      onChange: ({ value }) => {
        metrics.talliesSent.inc();
        publish({ type: 'tally', ...value });
      },
    });
  }
}
