// One event's polls on one shard: fans' votes go to the VoteStore (one vote per fan per poll,
// enforced there, across shards), and the running tally of each open poll is read from the store
// every TALLY_INTERVAL_MS and broadcast only when its version moved: one frame per poll per
// interval at most, never one per vote, whatever the voting rate. Tallies are superseded
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
import {
  StateUnavailableError,
  type Clock,
  type Logger,
  type TimerHandle,
  type VoteStore,
} from '@fanfare/fanout';
import { isOver } from './chat-rules.js';
import type { GatewayConfig } from './config.js';
import type { GatewayMetrics } from './metrics.js';
import { sendError, sendTo } from './send.js';
import { bucketOf, type Session, type Socket } from './session.js';
import { take } from './token-bucket.js';

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
  /** The latest tally broadcast per open poll. */
  #tallies = new Map<string, PollTally>();
  #timer: TimerHandle | undefined;
  #reading = false;
  #storeDown = false;
  #closed = false;

  constructor(deps: RoomPollsDeps) {
    this.#deps = deps;
  }

  /** Follows a new stage: polls that left the open set stop being tallied. */
  setStage(view: StageView): void {
    this.#known = new Map(view.polls.map((p) => [p.id, p]));
    for (const pollId of this.#tallies.keys()) {
      if (this.#known.get(pollId)?.state !== 'open') this.#tallies.delete(pollId);
    }
    const anyOpen = view.polls.some((p) => p.state === 'open');
    if (anyOpen && !this.#timer && !this.#closed) {
      this.#timer = this.#deps.clock.setInterval(() => void this.#tick(), TALLY_INTERVAL_MS);
    } else if (!anyOpen && this.#timer) {
      this.#deps.clock.clearInterval(this.#timer);
      this.#timer = undefined;
    }
  }

  /** The latest tally of each open poll (zero counts before its first vote was seen). */
  tallies(): PollTally[] {
    const out: PollTally[] = [];
    for (const poll of this.#known.values()) {
      if (poll.state !== 'open') continue;
      out.push(
        this.#tallies.get(poll.id) ?? {
          pollId: poll.id,
          version: 0,
          counts: poll.options.map(() => 0),
          total: 0,
        },
      );
    }
    return out;
  }

  /** Sends the latest tallies to one fan (a lagging fan caught up). */
  resend(ws: Socket, session: Session): void {
    for (const tally of this.#tallies.values()) sendTo(ws, session, { type: 'tally', ...tally });
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
      outcome = await votes.vote(msg.pollId, session.user.id, msg.option);
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
    if (this.#timer) this.#deps.clock.clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #count(outcome: VoteOutcomeLabel): void {
    this.#deps.metrics.votes.inc({ outcome });
  }

  /** Reads each open poll's tally and broadcasts those that moved. One read round at a time. */
  async #tick(): Promise<void> {
    if (this.#reading) return;
    this.#reading = true;
    try {
      const open = [...this.#known.values()].filter((p) => p.state === 'open');
      await Promise.all(open.map((poll) => this.#readTally(poll.id)));
    } finally {
      this.#reading = false;
    }
  }

  async #readTally(pollId: string): Promise<void> {
    let tally;
    try {
      tally = await this.#deps.votes.tally(pollId);
    } catch (err) {
      // The last tally stands and the next tick tries again; one warning per outage.
      if (!this.#storeDown)
        this.#deps.logger.warn('tally read failed', { eventId: this.#deps.eventId, err });
      this.#storeDown = true;
      return;
    }
    this.#storeDown = false;
    if (this.#closed || this.#known.get(pollId)?.state !== 'open') return;
    const last = this.#tallies.get(pollId)?.version ?? 0;
    if (tally.version <= last) return;
    const latest: PollTally = { pollId, ...tally };
    this.#tallies.set(pollId, latest);
    this.#deps.metrics.talliesSent.inc();
    this.#deps.publish({ type: 'tally', ...latest });
  }
}
