// The cap on one user's concurrent sockets on a shard: one token must not hold open as many
// sockets as it likes (each costs memory and counts as a viewer). Past the cap the newest socket
// stays and the oldest goes, closed with 4502 `session_limit`: a fan who reconnects from a new
// network before the old socket timed out is never locked out by its own ghost.

/**
 * Sockets per user, oldest first. Pure bookkeeping: the caller closes what `add` returns.
 * Memory is per connection, and almost every user holds one socket: that one is kept as the
 * map's value itself, and only a second makes a list (a Set per user cost ~150 bytes each).
 * `S` must not itself be an array.
 */
export class UserSockets<S> {
  #max: number;
  #byUser = new Map<string, S | S[]>();

  /** `max`: the most sockets one user may hold at once (>= 1). */
  constructor(max: number) {
    this.#max = max;
  }

  /** Records `socket` for `userId`; returns the user's oldest sockets beyond the cap, to close. */
  add(userId: string, socket: S): S[] {
    const held = this.#byUser.get(userId);
    if (held === undefined) {
      this.#byUser.set(userId, socket);
      return [];
    }
    const list = Array.isArray(held) ? held : [held];
    if (list.includes(socket)) return [];
    list.push(socket);
    const excess = list.splice(0, Math.max(0, list.length - this.#max));
    this.#byUser.set(userId, list.length === 1 ? list[0]! : list);
    return excess;
  }

  /** Forgets a closed socket (nothing when it was already let go by `add`). */
  remove(userId: string, socket: S): void {
    const held = this.#byUser.get(userId);
    if (held === undefined) return;
    if (!Array.isArray(held)) {
      if (held === socket) this.#byUser.delete(userId);
      return;
    }
    const at = held.indexOf(socket);
    if (at < 0) return;
    held.splice(at, 1);
    if (held.length === 1) this.#byUser.set(userId, held[0]!);
  }

  /** How many sockets `userId` holds now. */
  count(userId: string): number {
    const held = this.#byUser.get(userId);
    return held === undefined ? 0 : Array.isArray(held) ? held.length : 1;
  }
}
