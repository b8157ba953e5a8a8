// Polls as producers run them: open (votes start on every shard), close at the deadline or on
// demand (exact recount from the vote store, persisted once), or cancel (no result). Postgres
// holds the poll's state machine (open → closed | cancelled); the vote store holds the votes
// while it is open. Every change reaches fans as a new stage (`stage.touch`).
//
// Several API replicas each arm an auto-close timer for every open poll they know of (after a
// restart, `start()` re-arms them from Postgres), so two replicas may close the same poll at the
// same instant. That is safe: the repository's close is a conditional UPDATE (`WHERE state =
// 'open'`), so exactly one result is persisted; the loser gets `poll_not_open`, which an
// auto-close takes as "someone else closed it". Votes are discarded only after the result is
// persisted, so a loser that recounts late (an empty tally) can never be the one that lands.

import { randomBytes } from 'node:crypto';
import type { Database, PollRecord } from '@fanfare/db';
import {
  StateUnavailableError,
  type Clock,
  type Logger,
  type Tally,
  type TimerHandle,
  type VoteStore,
} from '@fanfare/fanout';
import { SYSTEM_ACTOR, recordAudit } from './audit.js';
import { ApiError, fromDbError, type ProblemCode } from './problem.js';
import type { StagePublisher } from './stage-projector.js';
import type { Staff } from './staff-auth.js';

/** Seconds a caller refused because the vote store is unreachable should wait. */
export const VOTES_RETRY_AFTER_S = 1;
/** How long an auto-close that failed (vote store or database down) waits to try again, ms. */
export const AUTO_CLOSE_RETRY_MS = 5_000;

export interface PollServiceDeps {
  db: Database;
  votes: VoteStore;
  stage: StagePublisher;
  clock: Clock;
  logger: Logger;
}

/** What a producer asks for; limits are checked at the edge (routes/polls.ts). */
export interface OpenPollInput {
  question: string;
  /** In display order; POLL_OPTIONS_MIN..POLL_OPTIONS_MAX of them. */
  options: string[];
  /** Seconds until it closes by itself. */
  durationS: number;
  /** Let it run while other polls of the event are open. */
  allowConcurrent?: boolean;
}

/** Who acted: a staff caller, or SYSTEM_ACTOR for the auto-close. */
export type PollActor = Pick<Staff, 'id' | 'role'>;

/** A poll and, while it is open, its running tally. */
export interface PollResults {
  poll: PollRecord;
  tally?: Tally;
}

/** Event states in which a poll may be opened. */
const POLL_EVENT_STATES: readonly string[] = ['scheduled', 'live'];

/** What an auto-close takes as "already settled by someone else". */
const GONE: readonly ProblemCode[] = ['poll_not_open', 'poll_not_found', 'event_not_found'];

function newPollId(): string {
  return `p_${randomBytes(9).toString('base64url')}`;
}

/** Runs `work` against the vote store, turning its outage into a retryable 503. */
async function votesOrUnavailable<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof StateUnavailableError) {
      throw new ApiError('state_unavailable', 'the vote store is unreachable; nothing changed', {
        cause: err,
        retryAfterS: VOTES_RETRY_AFTER_S,
      });
    }
    throw err;
  }
}

export class PollService {
  #deps: PollServiceDeps;
  /** Auto-close timers by poll id. */
  #timers = new Map<string, TimerHandle>();
  /** Auto-closes under way, so tests (and shutdown) can wait for them. */
  #inFlight = new Set<Promise<void>>();
  #closed = false;

  constructor(deps: PollServiceDeps) {
    this.#deps = deps;
  }

  /**
   * Arms the auto-close of every poll open in the database (after a restart, or on a second
   * replica). A poll already past its deadline is closed at once; resolves once those are done.
   * Each open poll is also opened again in the vote store (idempotent): Redis keeps the votes it
   * has, and the embedded memory store, empty after a restart, takes votes again from here on.
   */
  async start(): Promise<void> {
    this.#closed = false;
    const open = await this.#deps.db.polls.listOpen();
    for (const poll of open) {
      try {
        await this.#deps.votes.open(poll.eventId, poll.id, poll.options.length);
      } catch (err) {
        // The auto-close retries later; votes are refused as unavailable meanwhile.
        this.#deps.logger.warn('vote store unreachable re-opening a poll', {
          pollId: poll.id,
          err,
        });
      }
      this.#arm(poll);
    }
    await this.idle();
  }

  /** Cancels the auto-close timers (polls stay open in the database). Idempotent. */
  close(): void {
    this.#closed = true;
    for (const timer of this.#timers.values()) this.#deps.clock.clearTimeout(timer);
    this.#timers.clear();
  }

  /** Resolves when no auto-close is under way. */
  async idle(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.all(this.#inFlight);
  }

  /**
   * Opens a poll in a scheduled or live event (`event_not_found`, `event_not_live`). Unless
   * `allowConcurrent`, refuses with `poll_active` while another poll of the event is open (a
   * check before the insert, for a clear answer; the database's partial unique index settles two
   * producers opening at the same instant: one poll stands, the other gets `poll_active`).
   * The vote store is readied first: when it is unreachable (`state_unavailable`) nothing is
   * stored.
   */
  async open(eventId: string, input: OpenPollInput, actor: PollActor): Promise<PollRecord> {
    const { db, votes, stage, clock, logger } = this.#deps;
    const event = await db.events.get(eventId);
    if (!event) throw new ApiError('event_not_found', 'no event with this id');
    if (!POLL_EVENT_STATES.includes(event.state)) {
      throw new ApiError(
        'event_not_live',
        `polls open in scheduled or live events, not ${event.state}`,
      );
    }
    if (!input.allowConcurrent && (await db.polls.activeForEvent(eventId)).length > 0) {
      throw new ApiError('poll_active', 'another poll is open; close it or set allowConcurrent');
    }
    const id = newPollId();
    await votesOrUnavailable(() => votes.open(eventId, id, input.options.length));
    let poll: PollRecord;
    try {
      poll = await db.polls.create({
        id,
        eventId,
        question: input.question,
        options: input.options,
        durationS: input.durationS,
        opensAt: new Date(clock.now()),
        allowConcurrent: input.allowConcurrent ?? false,
        createdBy: actor.id,
      });
    } catch (err) {
      await this.#discard(id);
      throw err;
    }
    this.#arm(poll);
    await stage.touch(eventId);
    await recordAudit(db.audit, logger, actor, {
      eventId,
      action: 'poll.open',
      target: id,
      details: { question: poll.question, options: poll.options, durationS: poll.durationS },
    });
    return poll;
  }

  /**
   * Closes an open poll with the exact recount (`poll_not_found`, `poll_not_open`,
   * `state_unavailable` when the vote store cannot recount: nothing changes). Of two closes
   * racing, one persists its result and the other gets `poll_not_open`.
   */
  async closePoll(
    eventId: string,
    pollId: string,
    actor: PollActor = SYSTEM_ACTOR,
  ): Promise<PollRecord> {
    const { db, votes, stage, clock, logger } = this.#deps;
    const current = await this.#openPoll(eventId, pollId);
    const tally = await votesOrUnavailable(() => votes.close(pollId));
    // A store that lost the poll (flushed, expired) recounts nothing: persist zeros, say so.
    if (tally.counts.length !== current.options.length) {
      logger.warn('vote store had no tally for a poll; closing with zero votes', {
        eventId,
        pollId,
      });
    }
    const counts = current.options.map((_, i) => tally.counts[i] ?? 0);
    const total = tally.counts.length === current.options.length ? tally.total : 0;
    const poll = await db.polls.close(pollId, counts, total, new Date(clock.now()));
    this.#disarm(pollId);
    await stage.touch(eventId);
    await this.#discard(pollId);
    await recordAudit(db.audit, logger, actor, {
      eventId,
      action: actor === SYSTEM_ACTOR ? 'poll.auto_close' : 'poll.close',
      target: pollId,
      details: { result: counts, total },
    });
    return poll;
  }

  /**
   * Cancels an open poll: no result is kept (`poll_not_found`, `poll_not_open`). Works while the
   * vote store is down; its leftover votes are then only ever refused (`poll_closed`) or
   * ignored, since every shard sees the poll cancelled.
   */
  async cancelPoll(eventId: string, pollId: string, actor: PollActor): Promise<PollRecord> {
    const { db, votes, stage, clock, logger } = this.#deps;
    await this.#openPoll(eventId, pollId);
    try {
      await votes.close(pollId);
    } catch (err) {
      logger.warn('vote store unreachable; cancelling anyway', { eventId, pollId, err });
    }
    const poll = await db.polls.cancel(pollId, new Date(clock.now()));
    this.#disarm(pollId);
    await stage.touch(eventId);
    await this.#discard(pollId);
    await recordAudit(db.audit, logger, actor, {
      eventId,
      action: 'poll.cancel',
      target: pollId,
    });
    return poll;
  }

  /** Every poll of the event, oldest first. */
  async list(eventId: string): Promise<PollRecord[]> {
    await this.#event(eventId);
    return this.#deps.db.polls.listByEvent(eventId);
  }

  /** The poll with its persisted result, or, while open, its running tally from the vote store. */
  async results(eventId: string, pollId: string): Promise<PollResults> {
    const poll = await this.#poll(eventId, pollId);
    if (poll.state !== 'open') return { poll };
    const tally = await votesOrUnavailable(() => this.#deps.votes.tally(pollId));
    return { poll, tally };
  }

  async #event(eventId: string): Promise<void> {
    if (!(await this.#deps.db.events.get(eventId))) {
      throw new ApiError('event_not_found', 'no event with this id');
    }
  }

  /** The poll, if it belongs to the event; a poll of another event is not found. */
  async #poll(eventId: string, pollId: string): Promise<PollRecord> {
    const poll = await this.#deps.db.polls.get(pollId);
    if (!poll || poll.eventId !== eventId) {
      await this.#event(eventId);
      throw new ApiError('poll_not_found', 'no poll with this id in this event');
    }
    return poll;
  }

  async #openPoll(eventId: string, pollId: string): Promise<PollRecord> {
    const poll = await this.#poll(eventId, pollId);
    if (poll.state !== 'open') throw new ApiError('poll_not_open', `the poll is ${poll.state}`);
    return poll;
  }

  /** Schedules the auto-close at `closesAt` (at once when it is past). */
  #arm(poll: PollRecord, delayMs = poll.closesAt.getTime() - this.#deps.clock.now()): void {
    if (this.#closed) return;
    this.#disarm(poll.id);
    if (delayMs <= 0) {
      this.#autoClose(poll);
      return;
    }
    const timer = this.#deps.clock.setTimeout(() => {
      this.#timers.delete(poll.id);
      this.#autoClose(poll);
    }, delayMs);
    this.#timers.set(poll.id, timer);
  }

  #disarm(pollId: string): void {
    const timer = this.#timers.get(pollId);
    if (timer) this.#deps.clock.clearTimeout(timer);
    this.#timers.delete(pollId);
  }

  #autoClose(poll: PollRecord): void {
    const work = this.closePoll(poll.eventId, poll.id, SYSTEM_ACTOR).then(
      () => undefined,
      (err: unknown) => {
        const settled = fromDbError(err);
        // Closed or cancelled by someone else (a producer, another replica) first, or purged
        // with its event: nothing left to do.
        if (settled instanceof ApiError && GONE.includes(settled.code)) return;
        this.#deps.logger.warn('poll auto-close failed; retrying', {
          eventId: poll.eventId,
          pollId: poll.id,
          err,
        });
        this.#arm(poll, AUTO_CLOSE_RETRY_MS);
      },
    );
    this.#inFlight.add(work);
    void work.finally(() => this.#inFlight.delete(work));
  }

  /** Forgets a poll's votes; a failure only leaves a closed poll's voters behind in the store. */
  async #discard(pollId: string): Promise<void> {
    try {
      await this.#deps.votes.discard(pollId);
    } catch (err) {
      this.#deps.logger.warn('vote store unreachable; votes not discarded', { pollId, err });
    }
  }
}
