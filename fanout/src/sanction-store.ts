// The seam for moderation sanctions: bans and timeouts per event, shared by every shard and the
// API. The store is the truth; shards keep a copy per event they serve, told of changes on the
// bus and re-checking the store's version every second, so a sanction is enforced everywhere
// within a second even when a notice is lost. Implementations: MemorySanctionStore (embedded)
// and RedisSanctionStore. Both run sanction-store.contract.ts.

/** A ban ends the fan's sessions and refuses new ones; a timeout only refuses their chat. */
export type SanctionKind = 'ban' | 'timeout';

export interface Sanction {
  userId: string;
  kind: SanctionKind;
  /** When it ends, ms since the Unix epoch; null for a ban until lifted. */
  until: number | null;
  /** The staff user who imposed it. */
  by: string;
  reason?: string;
  /** When it was imposed, ms since the Unix epoch. */
  at: number;
}

/** The sanctions in force in one event, and the version of the store they reflect. */
export interface SanctionSet {
  /** Grows by one with every change to the event's sanctions; 0 when none was ever set. */
  version: number;
  sanctions: Sanction[];
}

/** Whether `sanction` is in force at `now`. */
export function inForce(sanction: Sanction, now: number): boolean {
  return sanction.until === null || sanction.until > now;
}

/** Every method rejects with StateUnavailableError when the store cannot be reached. */
export interface SanctionStore {
  /** Sets the user's sanction in the event, replacing any earlier one. Resolves the new version. */
  impose(eventId: string, sanction: Sanction): Promise<number>;
  /** Removes the user's sanction, if any. Resolves the new version and what was lifted. */
  lift(eventId: string, userId: string): Promise<{ version: number; lifted: Sanction | undefined }>;
  /** The event's current version: a cheap check before re-reading the whole set. */
  version(eventId: string): Promise<number>;
  /** The user's sanction in force at `now`, if any: one key read, for per-join checks. */
  of(eventId: string, userId: string, now: number): Promise<Sanction | undefined>;
  /** Every sanction in force at `now`, with the version read in the same step. */
  active(eventId: string, now: number): Promise<SanctionSet>;
}
