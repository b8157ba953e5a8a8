// The shard's rooms by event id, ref-counted: the first fan (counted from its upgrade, before
// the socket opens) opens the room and its subscriptions; the last one to leave closes them.
// So a shard holds subscriptions only for events it serves.

import { EventRoom, type RoomDeps } from './event-room.js';

interface Held {
  room: EventRoom;
  refs: number;
  ready: Promise<EventRoom>;
}

export class RoomRegistry {
  #deps: RoomDeps;
  #rooms = new Map<string, Held>();

  constructor(deps: RoomDeps) {
    this.#deps = deps;
  }

  /** A ready room for `eventId`, holding one reference. Rejects if the room cannot start. */
  async acquire(eventId: string): Promise<EventRoom> {
    let held = this.#rooms.get(eventId);
    if (!held) {
      const room = new EventRoom(eventId, this.#deps);
      this.#deps.metrics.roomOpens.inc();
      const ready = room.start().then(
        () => room,
        (err: unknown) => {
          if (this.#rooms.get(eventId)?.room === room) this.#rooms.delete(eventId);
          throw err;
        },
      );
      held = { room, refs: 0, ready };
      this.#rooms.set(eventId, held);
    }
    held.refs++;
    return held.ready;
  }

  /** Drops one reference; the last one closes the room. */
  release(room: EventRoom): void {
    const held = this.#rooms.get(room.eventId);
    if (!held || held.room !== room) return;
    if (--held.refs > 0) return;
    this.#rooms.delete(room.eventId);
    room.close();
  }

  rooms(): EventRoom[] {
    return [...this.#rooms.values()].map((h) => h.room);
  }

  get size(): number {
    return this.#rooms.size;
  }

  /** Closes every room (shutdown, after the sockets are gone). */
  closeAll(): void {
    for (const held of this.#rooms.values()) held.room.close();
    this.#rooms.clear();
  }
}
