// One shard's copy of one event's sanctions, kept while the shard serves the event. Notices on
// the bus apply at once; a version check against the store every second catches what a lost
// notice missed, so a ban or timeout holds on every shard within a second (a VersionedMirror of
// `delta` notices). While the store is unreachable the last copy keeps being enforced and chat
// goes on.

import {
  decodeSanctionNotice,
  inForce,
  type Bus,
  type Clock,
  type Logger,
  type Sanction,
  type SanctionStore,
  type Subscription,
} from '@fanfare/fanout';
import { OutageLog } from './outage-log.js';
import { VersionedMirror } from './versioned-mirror.js';

/** How often the store's version is checked, ms: the bound on enforcement delay. */
export const SANCTION_CHECK_MS = 1000;

export interface RoomSanctionsDeps {
  eventId: string;
  store: SanctionStore;
  bus: Bus;
  subject: string;
  clock: Clock;
  logger: Logger;
  /** Called after the copy changed in a way that may ban someone connected. */
  onChange: () => void;
}

type ByUser = ReadonlyMap<string, Sanction>;

export class RoomSanctions {
  #deps: RoomSanctionsDeps;
  #mirror: VersionedMirror<ByUser>;
  #notice: Subscription | undefined;

  constructor(deps: RoomSanctionsDeps) {
    this.#deps = deps;
    const { store, eventId, clock, logger } = deps;
    this.#mirror = new VersionedMirror<ByUser>({
      source: {
        version: () => store.version(eventId),
        read: async () => {
          const set = await store.active(eventId, clock.now());
          return { version: set.version, value: new Map(set.sanctions.map((s) => [s.userId, s])) };
        },
      },
      // -1: below every stored version, so the first check reads.
      initial: { version: -1, value: new Map() },
      notices: 'delta',
      clock,
      checkEveryMs: SANCTION_CHECK_MS,
      outage: new OutageLog(
        logger,
        {
          down: 'sanction store unreachable; enforcing the last copy',
          up: 'sanction store reachable again',
        },
        { eventId },
      ),
      onChange: () => deps.onChange(),
    });
  }

  /** Subscribes to notices and reads the store once; resolves when that read has settled. */
  async start(): Promise<void> {
    const { bus, subject } = this.#deps;
    this.#notice = bus.subscribe(subject, (data) => {
      const notice = decodeSanctionNotice(data);
      if (!notice) return;
      this.#mirror.patch(notice.version, (byUser) => {
        const next = new Map(byUser);
        if (notice.sanction) next.set(notice.userId, notice.sanction);
        else next.delete(notice.userId);
        return next;
      });
    });
    this.#mirror.start();
    await this.#mirror.check();
  }

  /** The sanction in force for `userId` at `now`, if any. */
  of(userId: string, now: number): Sanction | undefined {
    const sanction = this.#mirror.current.value.get(userId);
    return sanction && inForce(sanction, now) ? sanction : undefined;
  }

  /** Whether any ban is held: lets the room skip a socket scan when none can apply. */
  get hasBans(): boolean {
    for (const sanction of this.#mirror.current.value.values())
      if (sanction.kind === 'ban') return true;
    return false;
  }

  close(): void {
    this.#notice?.unsubscribe();
    this.#mirror.close();
  }
}
