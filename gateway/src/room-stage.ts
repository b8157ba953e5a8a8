// One shard's copy of one event's stage (state, pin, chat rules, polls), kept while the shard
// serves the event, like RoomSanctions: the API's notice on the bus carries the whole new stage
// and applies at once when newer; a version check against the store every second catches what a
// lost notice missed. While the store is unreachable the last copy stays in force.

import {
  decodeStage,
  type Bus,
  type Clock,
  type Logger,
  type Stage,
  type StageStore,
  type Subscription,
  type TimerHandle,
} from '@fanfare/fanout';

/** How often the store's stage version is checked, ms: the bound on a lost notice's delay. */
export const STAGE_CHECK_MS = 1000;

/** The stage of an event the API has not projected yet: live, public, no rules, no polls. */
export function defaultStage(eventId: string): Stage {
  return {
    version: 0,
    view: {
      version: 0,
      title: eventId,
      state: 'live',
      pinned: null,
      slowModeS: null,
      entitledOnlyChat: false,
      polls: [],
    },
    rules: {
      access: 'public',
      slowModeS: null,
      entitledOnlyChat: false,
      blockedTerms: [],
      chatCapPerSec: null,
    },
  };
}

export interface RoomStageDeps {
  eventId: string;
  store: StageStore;
  bus: Bus;
  subject: string;
  clock: Clock;
  logger: Logger;
  /** Called with the new stage after every change (never for a stale or equal version). */
  onChange: (stage: Stage) => void;
}

export class RoomStage {
  #deps: RoomStageDeps;
  #stage: Stage;
  #notice: Subscription | undefined;
  #timer: TimerHandle | undefined;
  #refreshing: Promise<void> | undefined;
  #storeDown = false;
  #closed = false;

  constructor(deps: RoomStageDeps) {
    this.#deps = deps;
    this.#stage = defaultStage(deps.eventId);
  }

  /** The stage in force: the newest copy seen. */
  get current(): Stage {
    return this.#stage;
  }

  /** Subscribes to notices and reads the store once; resolves when that read has settled. */
  async start(): Promise<void> {
    const { bus, subject, clock } = this.#deps;
    this.#notice = bus.subscribe(subject, (data) => {
      const stage = decodeStage(data);
      if (stage && !this.#closed) this.#offer(stage);
    });
    this.#timer = clock.setInterval(() => void this.refresh(), STAGE_CHECK_MS);
    await this.refresh();
  }

  /** Re-reads the store when its version is newer than the copy. Never rejects; one at a time. */
  refresh(): Promise<void> {
    this.#refreshing ??= this.#refresh().finally(() => {
      this.#refreshing = undefined;
    });
    return this.#refreshing;
  }

  close(): void {
    this.#closed = true;
    this.#notice?.unsubscribe();
    if (this.#timer) this.#deps.clock.clearInterval(this.#timer);
  }

  async #refresh(): Promise<void> {
    const { store, eventId, logger } = this.#deps;
    try {
      if ((await store.version(eventId)) > this.#stage.version) {
        const stage = await store.get(eventId);
        // A notice may have brought something newer meanwhile: #offer keeps the newest.
        if (stage && !this.#closed) this.#offer(stage);
      }
      if (this.#storeDown) logger.info('stage store reachable again', { eventId });
      this.#storeDown = false;
    } catch (err) {
      if (!this.#storeDown)
        logger.warn('stage store unreachable; keeping the last stage', { eventId, err });
      this.#storeDown = true;
    }
  }

  #offer(stage: Stage): void {
    if (stage.version <= this.#stage.version) return;
    this.#stage = stage;
    this.#deps.onChange(stage);
  }
}
