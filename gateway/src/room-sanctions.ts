// One shard's copy of one event's sanctions, kept while the shard serves the event. Notices on
// the bus apply at once; a version check against the store every second catches what a lost
// notice missed, so a ban or timeout holds on every shard within a second. While the store is
// unreachable the last copy keeps being enforced and chat goes on.

import {
  decodeSanctionNotice,
  type SanctionNotice,
  inForce,
  type Bus,
  type Clock,
  type Logger,
  type Sanction,
  type SanctionStore,
  type Subscription,
  type TimerHandle,
} from '@fanfare/fanout';

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

export class RoomSanctions {
  #deps: RoomSanctionsDeps;
  #byUser = new Map<string, Sanction>();
  /** The store version the copy reflects; -1 before the first read succeeded. */
  #version = -1;
  #notice: Subscription | undefined;
  #timer: TimerHandle | undefined;
  #refreshing: Promise<void> | undefined;
  /** Notices that arrived while a store read was in flight: newer ones win over the read. */
  #arrivedDuringRead: SanctionNotice[] = [];
  #storeDown = false;
  #closed = false;

  constructor(deps: RoomSanctionsDeps) {
    this.#deps = deps;
  }

  /** Subscribes to notices and reads the store once; resolves when that read has settled. */
  async start(): Promise<void> {
    const { bus, subject, clock } = this.#deps;
    this.#notice = bus.subscribe(subject, (data) => {
      const notice = decodeSanctionNotice(data);
      if (!notice || this.#closed) return;
      if (this.#refreshing) this.#arrivedDuringRead.push(notice);
      this.#apply(notice);
      this.#deps.onChange();
    });
    this.#timer = clock.setInterval(() => void this.refresh(), SANCTION_CHECK_MS);
    await this.refresh();
  }

  /** The sanction in force for `userId` at `now`, if any. */
  of(userId: string, now: number): Sanction | undefined {
    const sanction = this.#byUser.get(userId);
    if (!sanction) return undefined;
    if (inForce(sanction, now)) return sanction;
    this.#byUser.delete(userId);
    return undefined;
  }

  /** Whether any ban is held: lets the room skip a socket scan when none can apply. */
  get hasBans(): boolean {
    for (const sanction of this.#byUser.values()) if (sanction.kind === 'ban') return true;
    return false;
  }

  /** Re-reads the store when its version moved. Never rejects; one read at a time. */
  refresh(): Promise<void> {
    this.#refreshing ??= this.#refresh().finally(() => {
      this.#refreshing = undefined;
      this.#arrivedDuringRead = [];
    });
    return this.#refreshing;
  }

  close(): void {
    this.#closed = true;
    this.#notice?.unsubscribe();
    if (this.#timer) this.#deps.clock.clearInterval(this.#timer);
  }

  async #refresh(): Promise<void> {
    const { store, eventId, clock, logger } = this.#deps;
    try {
      if ((await store.version(eventId)) === this.#version) return this.#storeUp();
      const set = await store.active(eventId, clock.now());
      if (this.#closed) return;
      this.#byUser = new Map(set.sanctions.map((s) => [s.userId, s]));
      this.#version = set.version;
      for (const notice of this.#arrivedDuringRead)
        if (notice.version > set.version) this.#apply(notice);
      this.#storeUp();
      this.#deps.onChange();
    } catch (err) {
      if (!this.#storeDown)
        logger.warn('sanction store unreachable; enforcing the last copy', { eventId, err });
      this.#storeDown = true;
    }
  }

  #apply(notice: SanctionNotice): void {
    if (notice.sanction) this.#byUser.set(notice.userId, notice.sanction);
    else this.#byUser.delete(notice.userId);
  }

  #storeUp(): void {
    if (!this.#storeDown) return;
    this.#storeDown = false;
    this.#deps.logger.info('sanction store reachable again', { eventId: this.#deps.eventId });
  }
}
