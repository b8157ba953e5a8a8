// Sanctions in process memory: the embedded mode's store, shared by the API and the one gateway.

import { inForce, type Sanction, type SanctionSet, type SanctionStore } from './sanction-store.js';

interface EventSanctions {
  version: number;
  byUser: Map<string, Sanction>;
}

export class MemorySanctionStore implements SanctionStore {
  #events = new Map<string, EventSanctions>();

  async impose(eventId: string, sanction: Sanction): Promise<number> {
    const event = this.#event(eventId);
    event.byUser.set(sanction.userId, { ...sanction });
    return ++event.version;
  }

  async lift(
    eventId: string,
    userId: string,
  ): Promise<{ version: number; lifted: Sanction | undefined }> {
    const event = this.#event(eventId);
    const lifted = event.byUser.get(userId);
    event.byUser.delete(userId);
    return { version: ++event.version, lifted };
  }

  async version(eventId: string): Promise<number> {
    return this.#events.get(eventId)?.version ?? 0;
  }

  async of(eventId: string, userId: string, now: number): Promise<Sanction | undefined> {
    const sanction = this.#events.get(eventId)?.byUser.get(userId);
    return sanction && inForce(sanction, now) ? { ...sanction } : undefined;
  }

  async active(eventId: string, now: number): Promise<SanctionSet> {
    const event = this.#events.get(eventId);
    if (!event) return { version: 0, sanctions: [] };
    const sanctions: Sanction[] = [];
    for (const [userId, sanction] of event.byUser) {
      if (inForce(sanction, now)) sanctions.push({ ...sanction });
      else event.byUser.delete(userId); // expired: nobody needs it again
    }
    return { version: event.version, sanctions };
  }

  #event(eventId: string): EventSanctions {
    let event = this.#events.get(eventId);
    if (!event) {
      event = { version: 0, byUser: new Map() };
      this.#events.set(eventId, event);
    }
    return event;
  }
}
