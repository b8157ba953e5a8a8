// The poll-burst scenario in one generator process: every fan votes once, paced evenly over the
// burst window (vote-plan.ts says what each sends, and who sends a second vote when the first
// is answered), and what comes back is recorded per fan: the answers to its votes, when its vote
// was accepted, and each tally it received whose total grew. Poll frames are few (a stage frame
// per poll change, a tally per 500 ms), so they are parsed in full; chat stays on the byte scan.

import { encodeClientMessage } from '@fanfare/protocol';
import type { PollTally, StageView } from '@fanfare/protocol';
import { nowMs } from './clock.js';
import type { Dialect } from './dialect.js';
import type { Fan, FanReceiver, PollFrameListener, PollFrameType } from './fan-receiver.js';
import type { Pacer } from './fan-pacer.js';
import { Histogram } from './histogram.js';
import type { FanTallies } from './poll-figures.js';
import { voteIntent } from './vote-plan.js';
import type { VoteIntent, VoteShares } from './vote-plan.js';
import type { PollSeenResult, TalliesResult, VoteResult } from './worker-messages.js';

/** The `ref` of a fan's first vote and of its second. */
export const FIRST_VOTE_REF = 'v1';
export const SECOND_VOTE_REF = 'v2';

/** How a vote was answered: `accepted`, `duplicate` (a `voted` frame), or the error code. */
type Outcome = string;

interface FanVote {
  intent: VoteIntent;
  sentAtMs: number;
  first: Outcome | undefined;
  second: Outcome | undefined;
  /** When the first vote was answered `voted` without `duplicate`, ms; null otherwise. */
  votedAtMs: number | null;
}

interface FanTallyLog {
  /** [atMs, total] of each tally whose total grew, flattened. */
  pairs: number[];
  maxTotal: number;
}

export interface VoteOrder {
  pollId: string;
  /** Shared-clock start of the burst, ms. */
  startAtMs: number;
  /** Every fan's first vote goes out within this window, evenly spread, ms. */
  spreadMs: number;
  shares: VoteShares;
  /** Bound on waiting for every answer after the window, ms. */
  timeoutMs: number;
}

export class FanVotes implements PollFrameListener {
  readonly #receiver: FanReceiver;
  readonly #dialect: Dialect;
  readonly #pacer: Pacer;
  readonly #fans: () => readonly Fan[];
  /** Fans that saw each poll open in a stage frame, by poll id (frames may precede any command). */
  readonly #sawOpen = new Map<string, Set<Fan>>();
  /** The poll the tallies and answers are recorded for. */
  #pollId: string | undefined;
  readonly #votes = new Map<Fan, FanVote>();
  readonly #tallies = new Map<Fan, FanTallyLog>();
  #lastTally: PollTally | undefined;
  readonly #latency = new Histogram();
  /** Votes sent and not answered yet. */
  #pending = 0;
  #tallyTarget = Number.POSITIVE_INFINITY;
  /** Fans whose tallies reached #tallyTarget. */
  #reached = 0;
  /** Re-checks the condition the current command waits on; set while one waits. */
  #wake: (() => void) | undefined;

  constructor(receiver: FanReceiver, dialect: Dialect, pacer: Pacer, fans: () => readonly Fan[]) {
    this.#receiver = receiver;
    this.#dialect = dialect;
    this.#pacer = pacer;
    this.#fans = fans;
  }

  /** Waits until every open fan has seen poll `pollId` open (or `timeoutMs`). */
  async pollSeen(pollId: string, timeoutMs: number): Promise<PollSeenResult> {
    this.#pollId = pollId;
    const started = nowMs();
    const seen = (): number => this.#sawOpen.get(pollId)?.size ?? 0;
    await this.#until(() => seen() >= this.#receiver.live, timeoutMs);
    const byShard: Record<string, number> = {};
    for (const fan of this.#fans()) {
      const shard = `${fan.host}:${fan.port}`;
      if (fan.live) byShard[shard] = (byShard[shard] ?? 0) + 1;
    }
    return { seen: seen(), live: this.#receiver.live, byShard, elapsedMs: nowMs() - started };
  }

  /** Every open fan votes once over the window; resolves when all are answered (or timed out). */
  async vote(order: VoteOrder): Promise<VoteResult> {
    this.#pollId = order.pollId;
    const fans = this.#fans().filter((fan) => fan.live);
    let next = 0;
    const emit = (): boolean => {
      const fan = fans[next++];
      if (fan?.ws === undefined || !fan.live) return false;
      const intent = voteIntent(fan.index, order.shares);
      this.#votes.set(fan, {
        intent,
        sentAtMs: nowMs(),
        first: undefined,
        second: undefined,
        votedAtMs: null,
      });
      this.#send(fan, intent.option, FIRST_VOTE_REF);
      return true;
    };
    const ratePerS = (fans.length * 1000) / order.spreadMs;
    const send = await this.#pacer.stream(order.startAtMs, order.spreadMs, ratePerS, 0, emit);
    // The schedule's rounding may leave a fan or two: they go now.
    while (next < fans.length) if (emit()) send.sent++;
    await this.#until(() => this.#pending === 0, order.timeoutMs);
    return this.#voteResult(order.shares.optionCount, send);
  }

  /**
   * Waits until every open fan has received a tally of `total` votes or more (or `timeoutMs`),
   * then reports what each fan of this process saw.
   */
  async tallies(pollId: string, total: number, timeoutMs: number): Promise<TalliesResult> {
    this.#pollId = pollId;
    const started = nowMs();
    this.#tallyTarget = total;
    this.#reached = 0;
    for (const log of this.#tallies.values()) if (log.maxTotal >= total) this.#reached++;
    const complete = await this.#until(() => this.#reached >= this.#receiver.live, timeoutMs);
    const fans: FanTallies[] = this.#fans().map((fan) => ({
      votedAtMs: this.#votes.get(fan)?.votedAtMs ?? null,
      tallies: this.#tallies.get(fan)?.pairs ?? [],
    }));
    return { fans, last: this.#lastTally, complete, elapsedMs: nowMs() - started };
  }

  frame(fan: Fan, type: PollFrameType, json: string): void {
    try {
      this.#frame(fan, type, json, nowMs());
    } catch {
      // A body that does not parse is recorded nowhere; the receiver has counted its type, and
      // what it would have answered shows as an unanswered vote or a missing tally.
    }
    this.#wake?.();
  }

  #frame(fan: Fan, type: PollFrameType, json: string, at: number): void {
    switch (type) {
      case 'stage':
        this.#stage(fan, (JSON.parse(json) as { stage: StageView }).stage);
        break;
      case 'tally':
        this.#tally(fan, JSON.parse(json) as PollTally, at);
        break;
      case 'voted': {
        const voted = JSON.parse(json) as { ref?: string; pollId: string; duplicate?: boolean };
        if (voted.pollId !== this.#pollId || voted.ref === undefined) return;
        this.#answer(fan, voted.ref, voted.duplicate === true ? 'duplicate' : 'accepted', at);
        break;
      }
    }
  }

  refused(fan: Fan, ref: string, code: string): boolean {
    if (ref !== FIRST_VOTE_REF && ref !== SECOND_VOTE_REF) return false;
    this.#answer(fan, ref, code, nowMs());
    this.#wake?.();
    return true;
  }

  #send(fan: Fan, option: number, ref: string): void {
    const json = encodeClientMessage({ type: 'vote', pollId: this.#pollId!, option, ref });
    fan.ws!.send(this.#dialect.wrap('vote', json));
    this.#pending++;
  }

  #answer(fan: Fan, ref: string, outcome: Outcome, at: number): void {
    const vote = this.#votes.get(fan);
    if (vote === undefined) return;
    if (ref === FIRST_VOTE_REF && vote.first === undefined) {
      this.#pending--;
      vote.first = outcome;
      this.#latency.record(at - vote.sentAtMs);
      if (outcome !== 'accepted') return;
      vote.votedAtMs = at;
      // The second vote goes once the first is answered, so which one counts is never a race.
      if (vote.intent.second !== 'none' && fan.ws !== undefined && fan.live) {
        this.#send(fan, vote.intent.secondOption, SECOND_VOTE_REF);
      }
    } else if (ref === SECOND_VOTE_REF && vote.second === undefined) {
      this.#pending--;
      vote.second = outcome;
    }
  }

  #stage(fan: Fan, stage: StageView): void {
    for (const poll of stage.polls) {
      if (poll.state !== 'open') continue;
      let fans = this.#sawOpen.get(poll.id);
      if (fans === undefined) this.#sawOpen.set(poll.id, (fans = new Set()));
      fans.add(fan);
    }
  }

  #tally(fan: Fan, tally: PollTally, at: number): void {
    if (tally.pollId !== this.#pollId) return;
    if (this.#lastTally === undefined || tally.version > this.#lastTally.version) {
      this.#lastTally = {
        pollId: tally.pollId,
        version: tally.version,
        counts: tally.counts,
        total: tally.total,
      };
    }
    let log = this.#tallies.get(fan);
    if (log === undefined) this.#tallies.set(fan, (log = { pairs: [], maxTotal: -1 }));
    if (tally.total <= log.maxTotal) return;
    if (log.maxTotal < this.#tallyTarget && tally.total >= this.#tallyTarget) this.#reached++;
    log.maxTotal = tally.total;
    log.pairs.push(at, tally.total);
  }

  #voteResult(optionCount: number, send: VoteResult['send']): VoteResult {
    const cast = Array.from({ length: optionCount }, () => 0);
    const first: Record<string, number> = {};
    const same: Record<string, number> = {};
    const other: Record<string, number> = {};
    const bump = (into: Record<string, number>, key: string): void => {
      into[key] = (into[key] ?? 0) + 1;
    };
    let lastAcceptedAtMs = 0;
    for (const vote of this.#votes.values()) {
      bump(first, vote.first ?? 'unanswered');
      if (vote.votedAtMs === null) continue;
      cast[vote.intent.option]!++;
      lastAcceptedAtMs = Math.max(lastAcceptedAtMs, vote.votedAtMs);
      if (vote.intent.second === 'same') bump(same, vote.second ?? 'unanswered');
      if (vote.intent.second === 'other') bump(other, vote.second ?? 'unanswered');
    }
    return {
      sent: this.#votes.size,
      cast,
      first,
      same,
      other,
      lastAcceptedAtMs,
      latency: this.#latency.snapshot(),
      send,
    };
  }

  /** Resolves true once `done()` holds (checked after every poll frame), false at the timeout. */
  async #until(done: () => boolean, timeoutMs: number): Promise<boolean> {
    if (done()) return true;
    return await new Promise<boolean>((resolve) => {
      const finish = (result: boolean): void => {
        clearTimeout(timer);
        this.#wake = undefined;
        resolve(result);
      };
      const timer = setTimeout(() => finish(false), timeoutMs);
      this.#wake = () => {
        if (done()) finish(true);
      };
    });
  }
}
