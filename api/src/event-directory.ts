// What the join path asks about an event: does it exist, may fans enter now, and who. Joins come
// in storms (thousands a second before a show starts), so answers are cached for a second per
// event: a producer's change reaches joins within JOIN_CACHE_MS, Postgres sees one read per event
// per second however many fans arrive.

import type { EventRepo } from '@fanfare/db';
import type { EventAccess, EventState } from '@fanfare/protocol';

/** How long one event's answer is reused, ms. */
export const JOIN_CACHE_MS = 1000;
/** Most events cached at once; the oldest answers go first. */
const CACHE_MAX_EVENTS = 10_000;

/** What the join path needs to know about an event. */
export interface EventInfo {
  id: string;
  title: string;
  state: EventState;
  access: EventAccess;
  /** ISO 3166-1 alpha-2 codes fans may join from; null: anywhere. */
  countryAllowList: string[] | null;
  /** WebRTC viewer seats (0: that tier is off for this event). */
  webrtcSeats: number;
}

/** The seam the join path reads events through. */
export interface EventDirectory {
  /** The event, or undefined when there is none. Rejects when the store fails. */
  get(eventId: string): Promise<EventInfo | undefined>;
}

/** Events from the EventRepo, each answer kept JOIN_CACHE_MS. */
export class CachedEventDirectory implements EventDirectory {
  #events: EventRepo;
  #now: () => number;
  #cache = new Map<string, { at: number; info: Promise<EventInfo | undefined> }>();

  constructor(events: EventRepo, now: () => number = Date.now) {
    this.#events = events;
    this.#now = now;
  }

  get(eventId: string): Promise<EventInfo | undefined> {
    const now = this.#now();
    const hit = this.#cache.get(eventId);
    if (hit && now - hit.at < JOIN_CACHE_MS) return hit.info;
    const info = this.#read(eventId);
    if (this.#cache.size >= CACHE_MAX_EVENTS) this.#cache.delete(this.#cache.keys().next().value!);
    this.#cache.set(eventId, { at: now, info });
    // A failed read is not cached: the next join asks again.
    info.catch(() => this.#cache.delete(eventId));
    return info;
  }

  async #read(eventId: string): Promise<EventInfo | undefined> {
    const event = await this.#events.get(eventId);
    if (!event) return undefined;
    const { id, title, state, access, countryAllowList, webrtcSeats } = event;
    return { id, title, state, access, countryAllowList, webrtcSeats };
  }
}
