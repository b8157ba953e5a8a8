// The poll-burst figures from what the fans recorded, as pure arithmetic so the rules are tested
// without servers: how long a vote takes to show in a tally, how long the last vote takes to
// reach every fan's tally, and whether the persisted result equals the votes cast.
// A tally carries counts, not voter ids, so "the tally includes this vote" is read as "its total
// reached the number of votes accepted by then": exact for the final total, a close proxy before.

/** What one fan saw: its accepted vote (if any) and the tallies it received. */
export interface FanTallies {
  /** Shared-clock time its first vote was answered `voted` (accepted), ms; null if it was not. */
  votedAtMs: number | null;
  /** Tallies in arrival order as [atMs, total] pairs, flattened. */
  tallies: readonly number[];
}

export interface TallyDelays {
  /** Votes accepted over all fans: the total the final tally must reach. */
  accepted: number;
  /** When the last accepted vote was answered, ms (shared clock); undefined without votes. */
  lastVoteAtMs: number | undefined;
  /**
   * Per accepted vote: from its `voted` to its fan's first tally whose total reached the votes
   * accepted by then, ms (0 when that tally came first). Votes never shown are left out.
   */
  perVoteMs: number[];
  /** Accepted votes whose fan never received a tally that reached them. */
  unseenVotes: number;
  /**
   * The headline: from the last accepted vote to the moment the last fan received a tally with
   * the final total, ms. Fans that never received one are counted in `missingFinal` instead.
   */
  finalMs: number | undefined;
  missingFinal: number;
}

/** When `tallies` first reached `total`, ms; undefined if it never did. */
function firstReaching(tallies: readonly number[], total: number): number | undefined {
  for (let i = 0; i + 1 < tallies.length; i += 2) if (tallies[i + 1]! >= total) return tallies[i];
  return undefined;
}

/** Count of sorted values <= x. */
function countUpTo(sorted: readonly number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function tallyDelays(fans: readonly FanTallies[]): TallyDelays {
  const times = fans
    .map((f) => f.votedAtMs)
    .filter((t): t is number => t !== null)
    .sort((a, b) => a - b);
  const accepted = times.length;
  const lastVoteAtMs = times.at(-1);
  const perVoteMs: number[] = [];
  let unseenVotes = 0;
  let finalAtMs: number | undefined;
  let missingFinal = 0;
  for (const fan of fans) {
    if (fan.votedAtMs !== null) {
      const at = firstReaching(fan.tallies, countUpTo(times, fan.votedAtMs));
      if (at === undefined) unseenVotes++;
      else perVoteMs.push(Math.max(0, at - fan.votedAtMs));
    }
    if (accepted === 0) continue;
    const final = firstReaching(fan.tallies, accepted);
    if (final === undefined) missingFinal++;
    else finalAtMs = Math.max(finalAtMs ?? final, final);
  }
  const finalMs =
    finalAtMs === undefined || lastVoteAtMs === undefined
      ? undefined
      : Math.max(0, finalAtMs - lastVoteAtMs);
  return { accepted, lastVoteAtMs, perVoteMs, unseenVotes, finalMs, missingFinal };
}

export interface PollResultJson {
  counts: readonly number[];
  total: number;
}

export interface ResultCheck {
  pass: boolean;
  /** What differs, one line each; empty when it passes. */
  problems: string[];
}

/** Whether the persisted result equals the votes cast, option by option and in total. */
export function checkResult(
  cast: readonly number[],
  persisted: PollResultJson | undefined,
): ResultCheck {
  if (persisted === undefined) return { pass: false, problems: ['the closed poll has no result'] };
  const problems: string[] = [];
  if (persisted.counts.length !== cast.length) {
    problems.push(`${persisted.counts.length} options persisted, ${cast.length} voted on`);
  }
  for (let i = 0; i < Math.max(cast.length, persisted.counts.length); i++) {
    const want = cast[i] ?? 0;
    const got = persisted.counts[i] ?? 0;
    if (want !== got) problems.push(`option ${i}: ${want} cast, ${got} persisted`);
  }
  const castTotal = cast.reduce((s, n) => s + n, 0);
  if (persisted.total !== castTotal) {
    problems.push(`total: ${castTotal} cast, ${persisted.total} persisted`);
  }
  return { pass: problems.length === 0, problems };
}

/** Adds `more` into `into`, key by key (outcome counts from several generators). */
export function addCounts(
  into: Record<string, number>,
  more: Readonly<Record<string, number>>,
): Record<string, number> {
  for (const [key, n] of Object.entries(more)) into[key] = (into[key] ?? 0) + n;
  return into;
}

/** Adds per-option counts index by index. */
export function addOptionCounts(into: number[], more: readonly number[]): number[] {
  more.forEach((n, i) => (into[i] = (into[i] ?? 0) + n));
  return into;
}
