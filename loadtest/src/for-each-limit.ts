// Runs an async task over many items with a bound on how many are in flight, so that thousands
// of joins and upgrades queue here instead of as thousands of sockets opening at once.

/**
 * Calls `task` for each index 0..count-1, at most `limit` at a time, and resolves when all have
 * settled. `task` must handle its own errors; a rejection is not caught and fails the whole run.
 */
export async function forEachLimit(
  count: number,
  limit: number,
  task: (index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const runner = async (): Promise<void> => {
    while (next < count) {
      const index = next++;
      await task(index);
    }
  };
  const runners = Array.from({ length: Math.max(1, Math.min(limit, count)) }, runner);
  await Promise.all(runners);
}
