// The cap on one user's concurrent sockets on a shard: one token must not hold open as many
// sockets as it likes (each costs memory and counts as a viewer). Past the cap the newest socket
// stays and the oldest goes, closed with 4502 `session_limit`: a fan who reconnects from a new
// network before the old socket timed out is never locked out by its own ghost.

/** Sockets per user, oldest first. Pure bookkeeping: the caller closes what `add` returns. */
export class UserSockets<S> {
  #max: number;
  #byUser = new Map<string, Set<S>>();

  /** `max`: the most sockets one user may hold at once (>= 1). */
  constructor(max: number) {
    this.#max = max;
  }

  /** Records `socket` for `userId`; returns the user's oldest sockets beyond the cap, to close. */
  add(userId: string, socket: S): S[] {
    let sockets = this.#byUser.get(userId);
    if (!sockets) this.#byUser.set(userId, (sockets = new Set()));
    sockets.add(socket);
    const excess: S[] = [];
    for (const old of sockets) {
      if (sockets.size - excess.length <= this.#max) break;
      excess.push(old);
    }
    for (const old of excess) sockets.delete(old);
    return excess;
  }

  /** Forgets a closed socket (nothing when it was already let go by `add`). */
  remove(userId: string, socket: S): void {
    const sockets = this.#byUser.get(userId);
    if (!sockets?.delete(socket)) return;
    if (sockets.size === 0) this.#byUser.delete(userId);
  }

  /** How many sockets `userId` holds now. */
  count(userId: string): number {
    return this.#byUser.get(userId)?.size ?? 0;
  }
}
