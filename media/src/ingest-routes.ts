// Where each stream key leads: the one RTMP gate and the one SRT gate of the media process share
// their well-known ports among every event, and route each publisher by the key it presents
// (`rtmp://host:<rtmp port>/live/<key>`, `srt://host:<srt port>?streamid=<key>`). An event's
// route names its ffmpeg listeners on loopback and its PublisherSlot (one publisher per event
// across both protocols). The table holds only the keys' SHA-256: a presented key is hashed and
// the hash looked up, so lookup time depends on the hash, never on how much of a key was right.
// Setting an event's key again replaces its route (the old key then leads nowhere); an event's
// end removes it.

import { createHash } from 'node:crypto';
import type { PublisherSlot } from './publisher-slot.js';

/** An event's registered ingest. */
export interface IngestRoute {
  readonly eventId: string;
  /** Where the event's ffmpeg RTMP listener is (loopback TCP). */
  readonly rtmpUpstreamPort: number;
  /** Where the event's ffmpeg SRT listener is (loopback UDP). */
  readonly srtUpstreamPort: number;
  /** One publisher per event across RTMP and SRT. */
  readonly slot: PublisherSlot;
}

/** The SHA-256 of a stream key: all the gates (and the API) ever keep of it. */
export function hashStreamKey(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}

export class IngestRoutes {
  readonly #byHash = new Map<string, IngestRoute>();
  readonly #hashOf = new Map<string, string>();

  /** Makes `keySha256` lead to `route`, replacing the event's previous key. */
  set(keySha256: Buffer, route: IngestRoute): void {
    if (keySha256.length !== 32) throw new RangeError('keySha256 must be 32 bytes');
    const hex = keySha256.toString('hex');
    const other = this.#byHash.get(hex);
    if (other && other.eventId !== route.eventId) {
      throw new Error(`the key of ${other.eventId} cannot also be the key of ${route.eventId}`);
    }
    this.remove(route.eventId);
    this.#byHash.set(hex, route);
    this.#hashOf.set(route.eventId, hex);
  }

  /** Forgets an event's route (its end): its key leads nowhere from now on. */
  remove(eventId: string): void {
    const hex = this.#hashOf.get(eventId);
    if (hex === undefined) return;
    this.#byHash.delete(hex);
    this.#hashOf.delete(eventId);
  }

  /** The route a presented key leads to, or undefined for a key no event holds. */
  find(key: string): IngestRoute | undefined {
    return this.#byHash.get(hashStreamKey(key).toString('hex'));
  }

  /** The SHA-256 of an event's key in force, if it has one. */
  keySha256(eventId: string): Buffer | undefined {
    const hex = this.#hashOf.get(eventId);
    return hex === undefined ? undefined : Buffer.from(hex, 'hex');
  }

  route(eventId: string): IngestRoute | undefined {
    const hex = this.#hashOf.get(eventId);
    return hex === undefined ? undefined : this.#byHash.get(hex);
  }
}
