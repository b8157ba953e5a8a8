// Bans and timeouts as the control API applies them: written to the sanction store (the truth,
// Redis in the distributed mode) and announced on the bus so every shard acts at once. Shards
// also re-check the store every second, so a lost notice delays a ban by at most that.

import {
  StateUnavailableError,
  encodeSanctionNotice,
  type Bus,
  type Sanction,
  type SanctionKind,
  type SanctionNotice,
  type SanctionSet,
  type SanctionStore,
  type Subjects,
} from '@fanfare/fanout';
import { ApiError } from './problem.js';

/** Shortest timeout, seconds. */
export const TIMEOUT_MIN_S = 1;
/** Longest timeout or temporary ban, seconds (2 weeks); longer means a ban until lifted. */
export const SANCTION_MAX_S = 14 * 24 * 60 * 60;
/** Seconds a caller should wait when the store is unreachable. */
export const STATE_RETRY_AFTER_S = 1;

export interface SanctionRequest {
  userId: string;
  kind: SanctionKind;
  /** Required for a timeout; for a ban, absent means until lifted. */
  durationS?: number | undefined;
  reason?: string | undefined;
}

export interface ModerationDeps {
  store: SanctionStore;
  bus: Bus;
  subjects: Subjects;
  now?: () => number;
}

export class Moderation {
  #deps: ModerationDeps;
  #now: () => number;

  constructor(deps: ModerationDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? Date.now;
  }

  async impose(
    eventId: string,
    by: string,
    request: SanctionRequest,
  ): Promise<{ sanction: Sanction; version: number }> {
    const at = this.#now();
    const sanction: Sanction = {
      userId: request.userId,
      kind: request.kind,
      until: request.durationS === undefined ? null : at + request.durationS * 1000,
      by,
      at,
    };
    if (request.reason !== undefined) sanction.reason = request.reason;
    const version = await this.#stored(() => this.#deps.store.impose(eventId, sanction));
    this.#announce(eventId, { version, userId: sanction.userId, sanction });
    return { sanction, version };
  }

  async lift(
    eventId: string,
    userId: string,
  ): Promise<{ lifted: Sanction | undefined; version: number }> {
    const result = await this.#stored(() => this.#deps.store.lift(eventId, userId));
    this.#announce(eventId, { version: result.version, userId, sanction: null });
    return result;
  }

  list(eventId: string): Promise<SanctionSet> {
    return this.#stored(() => this.#deps.store.active(eventId, this.#now()));
  }

  /** The sanction in force for a user, or undefined; also undefined when the store is down. */
  async current(eventId: string, userId: string): Promise<Sanction | undefined> {
    try {
      return await this.#deps.store.of(eventId, userId, this.#now());
    } catch (err) {
      if (err instanceof StateUnavailableError) return undefined; // shards still enforce
      throw err;
    }
  }

  #announce(eventId: string, notice: SanctionNotice): void {
    this.#deps.bus.publish(this.#deps.subjects.sanctions(eventId), encodeSanctionNotice(notice));
  }

  async #stored<T>(write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (err) {
      if (!(err instanceof StateUnavailableError)) throw err;
      throw new ApiError(
        'state_unavailable',
        'shared state is unreachable; nothing was changed, retry shortly',
        { cause: err, retryAfterS: STATE_RETRY_AFTER_S },
      );
    }
  }
}
