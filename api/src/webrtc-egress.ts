// One WHIP ingest feeds both tiers: the LiveKit room's egress pushed over RTMP into the media
// process's ingest, under a fresh stream key only the egress knows (made like the stream route's,
// only its SHA-256 handed to the media process). Started when LiveKit reports the ingest
// publishing (or by the producer's route), stopped when the ingest ends, the room finishes or the
// event ends. The egress id lives in the SeatStore, reserved atomically first, so two replicas
// handling two reports of one ingest start one egress. Trade-off: a replica that dies between
// the reservation and the start leaves the slot reserved until the ingest ends or the room
// finishes (both clear it), so no egress is started twice, at the price of none for that while.
// The egress's key hash is also kept where the stream route keeps the producer's (db.streamKeys),
// so a media process that restarts gets the key the running egress pushes with, not the one it
// replaced (stream-key-restore.ts).

import { randomBytes, randomUUID } from 'node:crypto';
import type { StreamKeyRepo } from '@fanfare/db';
import type { Logger, SeatStore } from '@fanfare/fanout';
import type { LiveTier } from '@fanfare/livekit';
import { hashStreamKey } from '@fanfare/media';
import { STREAM_KEY_PREFIX } from './routes/stream.js';
import { StreamControlError, type StreamControl } from './stream-control.js';

/** Random bytes in an egress's stream key. */
const EGRESS_KEY_BYTES = 24;
/** What a reserved slot holds until the egress id replaces it. */
const RESERVED_PREFIX = 'starting:';

/** `running`: one was recorded already; `starting`: another replica is starting it now. */
export type EgressStart =
  | { kind: 'started'; egressId: string }
  | { kind: 'running'; egressId: string }
  | { kind: 'starting' };

export interface EgressFeedDeps {
  tier: LiveTier;
  seats: SeatStore;
  streams: StreamControl;
  /** Where the event's current key hash is kept for a media process that restarts. */
  keys: StreamKeyRepo;
  logger: Logger;
}

export class EgressFeed {
  readonly #deps: EgressFeedDeps;

  constructor(deps: EgressFeedDeps) {
    this.#deps = deps;
  }

  /**
   * Starts the event's room egress into the media process unless one is recorded. Rejects with
   * StreamControlError (the media process) or LiveTierError (LiveKit), leaving no reservation.
   */
  async start(eventId: string): Promise<EgressStart> {
    const { seats, streams, tier } = this.#deps;
    const reservation = RESERVED_PREFIX + randomUUID();
    if (!(await seats.reserveEgress(eventId, reservation))) {
      const recorded = await seats.egress(eventId);
      if (recorded === undefined) return this.start(eventId); // taken in between: try again
      return recorded.startsWith(RESERVED_PREFIX)
        ? { kind: 'starting' }
        : { kind: 'running', egressId: recorded };
    }
    try {
      // A fresh key that only the egress knows: the RTMP ingest now belongs to the room.
      const key = STREAM_KEY_PREFIX + randomBytes(EGRESS_KEY_BYTES).toString('base64url');
      const sha256 = hashStreamKey(key).toString('hex');
      const { rtmp } = (await streams.setKey(eventId, sha256)).ingest;
      if (!rtmp)
        throw new StreamControlError('unavailable', 'the media process has no RTMP ingest');
      await this.#deps.keys.set(eventId, sha256);
      const { egressId } = await tier.startEgress(eventId, `${rtmp}/${key}`);
      await seats.replaceEgress(eventId, egressId);
      return { kind: 'started', egressId };
    } catch (err) {
      await this.#release(eventId, reservation);
      throw err;
    }
  }

  /**
   * Stops the event's recorded egress, if any (LiveKit ends a room's egress with the room, so
   * one already gone is fine). False when none was recorded or it had ended.
   */
  async stop(eventId: string): Promise<boolean> {
    const recorded = await this.#deps.seats.takeEgress(eventId);
    if (recorded === undefined || recorded.startsWith(RESERVED_PREFIX)) return false;
    return this.#deps.tier.stopEgress(recorded);
  }

  /** Gives the slot back after a failed start, unless someone else holds it by now. */
  async #release(eventId: string, reservation: string): Promise<void> {
    try {
      const taken = await this.#deps.seats.takeEgress(eventId);
      if (taken !== undefined && taken !== reservation) {
        await this.#deps.seats.replaceEgress(eventId, taken);
      }
    } catch (err) {
      // The start's own error is what the caller must see; the slot clears at the ingest's end.
      this.#deps.logger.warn('egress reservation not released', { eventId, err });
    }
  }
}
