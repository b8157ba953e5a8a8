// The seam the API asks "does this event exist, and who may join it?". Implementations:
// MemoryEventDirectory (embedded mode, seeded at start) and, later, a Postgres one. Kept to one
// read so the join path stays a single lookup.

/** What the join path needs to know about an event. */
export interface EventInfo {
  /** Matches EVENT_ID_PATTERN from @fanfare/protocol. */
  id: string;
  title: string;
  /** Whether anyone may join without an entitlement (a token is issued to any visitor). */
  anonymousJoin: boolean;
}

export interface EventDirectory {
  /**
   * The event with this id, or undefined when there is none. Rejects only when the backing
   * store fails (the API answers 500 `internal`); an unknown id is not an error. The result is
   * the caller's to keep: later changes to the directory do not alter it.
   */
  get(eventId: string): Promise<EventInfo | undefined>;
}
