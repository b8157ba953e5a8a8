// The default suite's session sizes, in a module of their own: the suite plans its sessions with
// them and the objectives judge its rows by them, and an objective importing suite.ts would close
// an import cycle through the runner.

/** One shard's planned load (SHARD_CAPACITY is 19,000 fans). */
export const SUITE_SHARD_FANS = 19_000;
/** The small sessions: paced loads and their ramp, and reactions. */
export const SUITE_SMALL_FANS = 2000;
/** The two-process sessions (Fanfare's cluster, Socket.IO with the Redis adapter). */
export const SUITE_MULTI_FANS = 4000;
