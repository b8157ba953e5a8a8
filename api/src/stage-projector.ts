// The API's half of the stage (fanout/src/stage-store.ts): after every change to what fans see,
// read the event and its polls from Postgres, build the stage, store it where shards read it and
// announce it on the bus. The event row's version orders stages: a change that does not write
// the row (a poll) bumps it first (`touch`), so a slow writer can never put an older stage over
// a newer one. If the store is down the notice still goes out; the periodic resync repairs it.

import type { EventRecord, PollRecord, Repositories } from '@fanfare/db';
import {
  encodeStage,
  type Bus,
  type Logger,
  type Stage,
  type StageStore,
  type Subjects,
  type TimerHandle,
  type Clock,
} from '@fanfare/fanout';
import type { PollView } from '@fanfare/protocol';

/** How often every scheduled or live event's stage is written again, ms: repairs a lost put. */
export const STAGE_RESYNC_MS = 10_000;

/** What routes call after a change to an event's stage. */
export interface StagePublisher {
  /** The event row was just written (its version bumped): project, store and announce. */
  publish(eventId: string): Promise<Stage | undefined>;
  /** Something hanging off the event changed (a poll): bump the event's version, then publish. */
  touch(eventId: string): Promise<Stage | undefined>;
}

export function pollView(poll: PollRecord): PollView {
  const view: PollView = {
    id: poll.id,
    question: poll.question,
    options: poll.options,
    state: poll.state,
    opensAt: poll.opensAt.getTime(),
    closesAt: poll.closesAt.getTime(),
  };
  if (poll.state === 'closed' && poll.result !== null) {
    view.result = { counts: poll.result, total: poll.totalVotes ?? 0 };
  }
  return view;
}

/** The stage of `event` given all its polls: open ones, then the latest settled one. */
export function projectStage(event: EventRecord, polls: readonly PollRecord[]): Stage {
  const open = polls.filter((p) => p.state === 'open');
  const settled = polls
    .filter((p) => p.state !== 'open' && p.closedAt !== null)
    .sort((a, b) => a.closedAt!.getTime() - b.closedAt!.getTime())
    .at(-1);
  const shown = [...open, ...(settled ? [settled] : [])].sort(
    (a, b) => a.opensAt.getTime() - b.opensAt.getTime(),
  );
  const pin = event.pinnedMessage;
  return {
    version: event.version,
    view: {
      version: event.version,
      title: event.title,
      state: event.state,
      pinned: pin
        ? {
            text: pin.text,
            pinnedAt: Date.parse(pin.pinnedAt),
            ...(pin.msgId !== undefined ? { msgId: pin.msgId } : {}),
            ...(pin.authorName !== undefined ? { authorName: pin.authorName } : {}),
          }
        : null,
      slowModeS: event.slowModeS,
      entitledOnlyChat: event.entitledOnlyChat,
      polls: shown.map(pollView),
    },
    rules: {
      access: event.access,
      slowModeS: event.slowModeS,
      entitledOnlyChat: event.entitledOnlyChat,
      blockedTerms: event.blockedTerms,
      chatCapPerSec: event.chatCapPerSec,
    },
  };
}

export interface StageProjectorDeps {
  db: Repositories;
  store: StageStore;
  bus: Bus;
  subjects: Subjects;
  clock: Clock;
  logger: Logger;
}

export class StageProjector implements StagePublisher {
  #deps: StageProjectorDeps;
  #timer: TimerHandle | undefined;

  constructor(deps: StageProjectorDeps) {
    this.#deps = deps;
  }

  async publish(eventId: string): Promise<Stage | undefined> {
    const { db, store, bus, subjects, logger } = this.#deps;
    const event = await db.events.get(eventId);
    if (!event) return undefined;
    const stage = projectStage(event, await db.polls.listByEvent(eventId));
    try {
      await store.put(eventId, stage);
    } catch (err) {
      // Shards still get the notice; the resync stores it once the store is back.
      logger.warn('stage store unreachable; announcing anyway', { eventId, err });
    }
    bus.publish(subjects.stage(eventId), encodeStage(stage));
    return stage;
  }

  async touch(eventId: string): Promise<Stage | undefined> {
    await this.#deps.db.events.touch(eventId);
    return this.publish(eventId);
  }

  /** Publishes every scheduled or live event's stage now and every STAGE_RESYNC_MS. */
  start(): void {
    void this.resync();
    this.#timer ??= this.#deps.clock.setInterval(() => void this.resync(), STAGE_RESYNC_MS);
  }

  /** One pass over the scheduled and live events (a few hundred at most, paged). */
  async resync(): Promise<void> {
    try {
      for (const state of ['scheduled', 'live'] as const) {
        let after: string | undefined;
        do {
          const page = await this.#deps.db.events.list({ state, ...(after ? { after } : {}) });
          for (const event of page.items) await this.publish(event.id);
          after = page.next;
        } while (after !== undefined);
      }
    } catch (err) {
      this.#deps.logger.warn('stage resync failed', { err });
    }
  }

  close(): void {
    if (this.#timer) this.#deps.clock.clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
