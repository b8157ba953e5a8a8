// Retention of one event's log, shared by every EventLog implementation so the embedded mode and
// JetStream keep (and forget) the same things.

/** Entries kept per event. */
export const LOG_MAX_ENTRIES = 10_000;
/** Age past which entries are dropped, ms (2 hours). */
export const LOG_MAX_AGE_MS = 2 * 60 * 60 * 1000;
/** How long a msgId is remembered for dedupe, ms (2 minutes, JetStream's default). */
export const LOG_DEDUPE_WINDOW_MS = 2 * 60 * 1000;
