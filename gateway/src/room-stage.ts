// One shard's copy of one event's stage (state, pin, chat rules, polls), kept while the shard
// serves the event, like RoomSanctions: the API's notice on the bus carries the whole new stage
// and applies at once when newer; a version check against the store every second catches what a
// lost notice missed (a VersionedMirror of `whole` notices). While the store is unreachable the
// last copy stays in force.

import {
  decodeStage,
  type Bus,
  type Clock,
  type Logger,
  type Stage,
  type StageStore,
  type Subscription,
} from '@fanfare/fanout';
import { OutageLog } from './outage-log.js';
import { VersionedMirror, type Versioned } from './versioned-mirror.js';

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

const versioned = (stage: Stage): Versioned<Stage> => ({ version: stage.version, value: stage });

export class RoomStage {
  #deps: RoomStageDeps;
  #mirror: VersionedMirror<Stage>;
  #notice: Subscription | undefined;

  constructor(deps: RoomStageDeps) {
    this.#deps = deps;
    const { store, eventId, clock, logger } = deps;
    this.#mirror = new VersionedMirror<Stage>({
      source: {
        version: () => store.version(eventId),
        read: async () => {
          const stage = await store.get(eventId);
          return stage && versioned(stage);
        },
      },
      initial: versioned(defaultStage(eventId)),
      notices: 'whole',
      clock,
      checkEveryMs: STAGE_CHECK_MS,
      outage: new OutageLog(
        logger,
        {
          down: 'stage store unreachable; keeping the last stage',
          up: 'stage store reachable again',
        },
        { eventId },
      ),
      onChange: ({ value }) => deps.onChange(value),
    });
  }

  /** The stage in force: the newest copy seen. */
  get current(): Stage {
    return this.#mirror.current.value;
  }

  /** Subscribes to notices and reads the store once; resolves when that read has settled. */
  async start(): Promise<void> {
    const { bus, subject } = this.#deps;
    this.#notice = bus.subscribe(subject, (data) => {
      const stage = decodeStage(data);
      if (stage) this.#mirror.offer(versioned(stage));
    });
    this.#mirror.start();
    await this.#mirror.check();
  }

  close(): void {
    this.#notice?.unsubscribe();
    this.#mirror.close();
  }
}
