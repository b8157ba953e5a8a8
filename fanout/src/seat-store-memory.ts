// Seats in this process: the embedded mode's SeatStore (one API, so one count is the truth).

import type { IngestStatus, SeatClaim, SeatStore } from './seat-store.js';

export class MemorySeatStore implements SeatStore {
  readonly #leases = new Map<string, Map<string, number>>();
  readonly #ingest = new Map<string, IngestStatus>();
  /** Delivery id -> when it is forgotten, in insertion order (so oldest first, one TTL). */
  readonly #deliveries = new Map<string, number>();
  readonly #egress = new Map<string, string>();

  #event(eventId: string): Map<string, number> {
    let leases = this.#leases.get(eventId);
    if (!leases) this.#leases.set(eventId, (leases = new Map()));
    return leases;
  }

  async claim(
    eventId: string,
    holder: string,
    limit: number,
    now: number,
    until: number,
  ): Promise<SeatClaim> {
    const leases = this.#event(eventId);
    for (const [h, end] of leases) if (end <= now) leases.delete(h);
    const mine = leases.get(holder);
    if (mine !== undefined) {
      leases.set(holder, Math.max(mine, until));
      return { granted: true, held: leases.size };
    }
    if (leases.size >= limit) return { granted: false, held: leases.size };
    leases.set(holder, until);
    return { granted: true, held: leases.size };
  }

  async confirm(eventId: string, holder: string, until: number): Promise<void> {
    const leases = this.#event(eventId);
    leases.set(holder, Math.max(leases.get(holder) ?? 0, until));
  }

  async release(eventId: string, holder: string): Promise<boolean> {
    return this.#leases.get(eventId)?.delete(holder) ?? false;
  }

  async releaseAll(eventId: string): Promise<void> {
    this.#leases.delete(eventId);
  }

  async held(eventId: string, now: number): Promise<number> {
    let n = 0;
    for (const end of this.#leases.get(eventId)?.values() ?? []) if (end > now) n++;
    return n;
  }

  async setIngest(eventId: string, status: IngestStatus): Promise<void> {
    const current = this.#ingest.get(eventId);
    if (!current || status.at >= current.at) this.#ingest.set(eventId, { ...status });
  }

  async ingest(eventId: string): Promise<IngestStatus | undefined> {
    const status = this.#ingest.get(eventId);
    return status && { ...status };
  }

  async takeDelivery(id: string, now: number, until: number): Promise<boolean> {
    // Callers use one TTL, so insertion order is expiry order: drop the expired head.
    for (const [old, end] of this.#deliveries) {
      if (end > now) break;
      this.#deliveries.delete(old);
    }
    const end = this.#deliveries.get(id);
    if (end !== undefined && end > now) return false;
    this.#deliveries.delete(id);
    this.#deliveries.set(id, until);
    return true;
  }

  async forgetDelivery(id: string): Promise<void> {
    this.#deliveries.delete(id);
  }

  async reserveEgress(eventId: string, egress: string): Promise<boolean> {
    if (this.#egress.has(eventId)) return false;
    this.#egress.set(eventId, egress);
    return true;
  }

  async replaceEgress(eventId: string, egress: string): Promise<void> {
    this.#egress.set(eventId, egress);
  }

  async takeEgress(eventId: string): Promise<string | undefined> {
    const egress = this.#egress.get(eventId);
    this.#egress.delete(eventId);
    return egress;
  }

  async egress(eventId: string): Promise<string | undefined> {
    return this.#egress.get(eventId);
  }
}
