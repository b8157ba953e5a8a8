// The seam for an event's stage: what producers and moderators control (lifecycle state, pin,
// chat rules, polls) as one versioned document per event. The API is the only writer: it projects
// the document from Postgres after every change and puts it here; shards mirror it per event they
// serve, told of changes on the bus (`subjects.stage`) and re-checking the version every second,
// so a change holds on every shard within a second even when a notice is lost.
// Implementations: MemoryStageStore (embedded) and RedisStageStore. Both run
// stage-store.contract.ts.

import type { EventAccess, StageView } from '@fanfare/protocol';

/** The chat rules a shard enforces that fans do not see in full (blocked terms, the cap). */
export interface ChatRules {
  /** Who may join: `ticketed` events admit only tokens holding the `ticketed` entitlement. */
  access: EventAccess;
  /** Seconds between one fan's messages; null: off. Staff are exempt. */
  slowModeS: number | null;
  /** Only ticket holders and staff may chat. */
  entitledOnlyChat: boolean;
  /**
   * Terms refused in chat, case-insensitive, matched against whole words: `word` exactly,
   * `word*` as a prefix, `*word` as a suffix, `*word*` anywhere inside a word.
   */
  blockedTerms: string[];
  /** Accepted chat messages per second across the event; null: the shard's default. */
  chatCapPerSec: number | null;
}

/** One event's stage as stored: the fan-facing view and the rules shards enforce. */
export interface Stage {
  /** Same as `view.version`: the API's source version (the event row's version). */
  version: number;
  view: StageView;
  rules: ChatRules;
}

/** Every method rejects with StateUnavailableError when the store cannot be reached. */
export interface StageStore {
  /**
   * Stores `stage` when its version is higher than the stored one's (so a slow writer cannot put
   * an older projection over a newer one). Resolves whether it was stored.
   */
  put(eventId: string, stage: Stage): Promise<boolean>;
  /** The stored stage, or undefined when the event has none. */
  get(eventId: string): Promise<Stage | undefined>;
  /** The stored version (0 when none): a cheap check before re-reading the whole stage. */
  version(eventId: string): Promise<number>;
  /** Forgets the event's stage (an archived event). */
  remove(eventId: string): Promise<void>;
}
