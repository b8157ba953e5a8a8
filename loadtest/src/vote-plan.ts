// What each fan does in the poll-burst scenario, decided from its global index alone, so every
// generator process agrees without talking: the option it votes for (skewed towards the first
// options, so a result with two options swapped cannot pass the check), and whether it votes a
// second time, with the same option (must come back `voted` with `duplicate`) or another one
// (must be refused `already_voted`).

/** What a fan sends after its first vote is answered. */
export type SecondVote = 'none' | 'same' | 'other';

export interface VoteIntent {
  /** Index into the poll's options. */
  option: number;
  second: SecondVote;
  /** The option of the second vote; equals `option` unless `second` is `other`. */
  secondOption: number;
}

export interface VoteShares {
  /** Options the poll has (2-5). */
  optionCount: number;
  /** Share of fans that send the same vote twice (0-1). */
  duplicateShare: number;
  /** Share of fans that send another option second (0-1, with duplicateShare at most 1). */
  changeShare: number;
}

// Additive recurrences with irrational steps spread consecutive indices evenly over [0, 1), and
// two different steps keep the option and the second-vote choice independent of each other.
const OPTION_STEP = 0.754_877_666_246_692_7;
const SECOND_STEP = 0.618_033_988_749_894_9;

const fraction = (x: number): number => x - Math.floor(x);

/** Fan `index`'s votes. Deterministic: every process computes the same for the same fan. */
export function voteIntent(index: number, shares: VoteShares): VoteIntent {
  const u = fraction((index + 1) * OPTION_STEP);
  // u squared leans towards 0: option 0 gets the most votes, the last the fewest.
  const option = Math.min(shares.optionCount - 1, Math.floor(u * u * shares.optionCount));
  const v = fraction((index + 1) * SECOND_STEP);
  if (v < shares.duplicateShare) return { option, second: 'same', secondOption: option };
  if (v < shares.duplicateShare + shares.changeShare) {
    return { option, second: 'other', secondOption: (option + 1) % shares.optionCount };
  }
  return { option, second: 'none', secondOption: option };
}
