// The seam for WebRTC viewer seats: each event's sub-second tier has a budget of seats (an SFU
// viewer costs three to five times an LL-HLS one), and every API replica hands them out from the
// same count. A seat is a lease held by a viewer's identity: taken at the join, lengthened when
// LiveKit reports the viewer connected, given back when LiveKit reports them gone, and lost on
// its own when its lease runs out (a viewer who never connected, a lost webhook). The store also
// keeps whether the event's ingest is live, as LiveKit's webhooks report it. Implementations:
// MemorySeatStore (embedded) and RedisSeatStore (one Lua script per claim). Both run
// seat-store.contract.ts.

/** The answer to a claim. */
export interface SeatClaim {
  /** True when the holder has a seat now (a new one, or the one it held, lease lengthened). */
  granted: boolean;
  /** Seats held in the event after the claim (leases in force). */
  held: number;
}

/** Whether the producer's ingest is publishing, and since when (ms since the epoch). */
export interface IngestStatus {
  live: boolean;
  at: number;
}

/**
 * Times are ms since the Unix epoch and passed in (no clock inside), so leases are tested with a
 * fake clock. A lease in force at `now` is one whose end is after `now`. Every method rejects
 * with StateUnavailableError when the store cannot be reached.
 */
export interface SeatStore {
  /**
   * Takes a seat for `holder` until `until` if fewer than `limit` leases are in force at `now`,
   * atomically across every replica. A holder that already has a seat keeps it (its lease is
   * lengthened to `until` when that is later) whatever the limit: rejoining never costs a seat.
   */
  claim(
    eventId: string,
    holder: string,
    limit: number,
    now: number,
    until: number,
  ): Promise<SeatClaim>;
  /**
   * Records that `holder` is connected: its lease ends no earlier than `until`. A holder without
   * a lease gets one regardless of any limit (it is in the room already).
   */
  confirm(eventId: string, holder: string, until: number): Promise<void>;
  /** Gives the holder's seat back. Resolves false when it held none. */
  release(eventId: string, holder: string): Promise<boolean>;
  /** Gives every seat of the event back (its room finished). */
  releaseAll(eventId: string): Promise<void>;
  /** Leases in force at `now`. */
  held(eventId: string, now: number): Promise<number>;
  /** Records the ingest's status; an older report (`at` earlier than the stored one) is ignored. */
  setIngest(eventId: string, status: IngestStatus): Promise<void>;
  /** The last ingest status recorded, or undefined. */
  ingest(eventId: string): Promise<IngestStatus | undefined>;
  /**
   * Takes webhook delivery `id` until `until`, atomically across every replica: true for the
   * first taker, false while it is taken (a redelivery, or a concurrent one elsewhere). After
   * `until` the id is forgotten and may be taken again.
   */
  takeDelivery(id: string, now: number, until: number): Promise<boolean>;
  /** Forgets a taken delivery whose effect failed, so LiveKit's retry applies it. */
  forgetDelivery(id: string): Promise<void>;
  /**
   * Records `egress` as the event's room egress only when none is recorded (atomic): true when
   * recorded. A replica reserves the slot with a marker before starting the egress, then
   * `replaceEgress`s it with the egress id.
   */
  reserveEgress(eventId: string, egress: string): Promise<boolean>;
  /** Records `egress` as the event's room egress, whatever was there. */
  replaceEgress(eventId: string, egress: string): Promise<void>;
  /** Removes and returns the event's recorded egress (atomic: one caller gets it). */
  takeEgress(eventId: string): Promise<string | undefined>;
  /** The event's recorded egress, or undefined. */
  egress(eventId: string): Promise<string | undefined>;
}
