// Pre-warmed rooms: on the API's pre-warm signal this shard opens the event's room (its log
// follower, stage, sanctions, polls and the bus subscriptions) before any fan arrives, exactly
// as the first fan's upgrade would, and holds it for ROOM_WARM_LEASE_MS with zero fans. The
// lease holds one reference in the RoomRegistry, so fans joining and leaving never close a warm
// room, and a room with fans outlives its lease. A second signal renews the lease; it never
// takes a second reference.

import {
  decodePrewarmSignal,
  type Bus,
  type Clock,
  type Logger,
  type ShardState,
  type Subscription,
  type TimerHandle,
} from '@fanfare/fanout';
import type { EventRoom } from './event-room.js';
import type { RoomRegistry } from './room-registry.js';
import type { TokenVerifier } from './token-verifier.js';

/**
 * How long a shard keeps a pre-warmed room open without fans, ms: two hours, the runbook's
 * pre-warm at T-1 h with an hour to spare. A later pre-warm of the same event renews it.
 */
export const ROOM_WARM_LEASE_MS = 2 * 60 * 60_000;

interface Lease {
  /** Resolves with the room once open; undefined when it could not open. */
  room: Promise<EventRoom | undefined>;
  /** The room once open (released at once on expiry; one still opening releases itself). */
  opened?: EventRoom;
  timer: TimerHandle;
}

export interface RoomWarmerDeps {
  rooms: RoomRegistry;
  bus: Bus;
  /** `subjects.prewarm()`. */
  subject: string;
  clock: Clock;
  logger: Logger;
  /** Loads its keys on every signal (failures are logged) and reports what it holds. */
  verifier: Pick<TokenVerifier, 'keys' | 'loadKeys'>;
}

export class RoomWarmer {
  #deps: RoomWarmerDeps;
  #leases = new Map<string, Lease>();
  #subscription: Subscription | undefined;

  constructor(deps: RoomWarmerDeps) {
    this.#deps = deps;
  }

  start(): void {
    this.#subscription ??= this.#deps.bus.subscribe(this.#deps.subject, (data) => {
      const signal = decodePrewarmSignal(data);
      if (!signal) return;
      void this.warm(signal.eventId);
      void this.#deps.verifier
        .loadKeys?.()
        .catch((err: unknown) =>
          this.#deps.logger.warn('pre-warm could not load the token keys', { err }),
        );
    });
  }

  /** Opens (or keeps) the event's room for a fresh lease; resolves once the room is open. */
  async warm(eventId: string): Promise<boolean> {
    const { clock, rooms, logger } = this.#deps;
    const leaseMs = ROOM_WARM_LEASE_MS;
    const held = this.#leases.get(eventId);
    if (held) {
      clock.clearTimeout(held.timer);
      held.timer = clock.setTimeout(() => this.#expire(eventId), leaseMs);
      return (await held.room) !== undefined;
    }
    const room = rooms.acquire(eventId).then(
      (opened) => {
        const lease = this.#leases.get(eventId);
        if (lease?.room !== room) {
          rooms.release(opened); // expired or closed while opening
          return undefined;
        }
        lease.opened = opened;
        return opened;
      },
      (err: unknown) => {
        logger.warn('pre-warm could not open the room', { eventId, err });
        if (this.#leases.get(eventId)?.room === room) this.#drop(eventId);
        return undefined;
      },
    );
    this.#leases.set(eventId, {
      room,
      timer: clock.setTimeout(() => this.#expire(eventId), leaseMs),
    });
    return (await room) !== undefined;
  }

  /** The events whose room is open under a lease now, in id order. */
  warmEvents(): string[] {
    return [...this.#leases].flatMap(([id, lease]) => (lease.opened ? [id] : [])).sort();
  }

  /** The registry entry's `warm` and `jwks`. */
  report(): Pick<ShardState, 'warm' | 'jwks'> {
    const keys = this.#deps.verifier.keys?.();
    return { warm: this.warmEvents(), ...(keys ? { jwks: keys } : {}) };
  }

  #drop(eventId: string): Lease | undefined {
    const lease = this.#leases.get(eventId);
    if (!lease) return undefined;
    this.#deps.clock.clearTimeout(lease.timer);
    this.#leases.delete(eventId);
    return lease;
  }

  #expire(eventId: string): void {
    const opened = this.#drop(eventId)?.opened;
    if (opened) this.#deps.rooms.release(opened);
  }

  /** Stops listening and releases every lease (shutdown; the registry closes the rooms). */
  close(): void {
    this.#subscription?.unsubscribe();
    this.#subscription = undefined;
    for (const eventId of [...this.#leases.keys()]) this.#expire(eventId);
  }
}
