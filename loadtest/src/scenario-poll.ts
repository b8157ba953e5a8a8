// poll-burst (Fanfare only: the peers have no polls): a producer opens a poll through the
// control API, every connected fan votes within a short window, a share of them a second time,
// then the poll is closed and its persisted result read back. Reports votes/s accepted, how the
// second votes were answered, how long a vote takes to show in the fans' tallies (the headline:
// the last vote to every fan's tally with the final total), and checks the persisted result
// against the votes cast: a mismatch is a `failed:` note, so the run exits non-zero.

import { ControlClient } from './control-client.js';
import { nowMs } from './clock.js';
import { Histogram } from './histogram.js';
import { PhaseMeter } from './phase-meter.js';
import { addCounts, addOptionCounts, checkResult, tallyDelays } from './poll-figures.js';
import type { ResultCheck, TallyDelays } from './poll-figures.js';
import { START_LEAD_MS, baseRow } from './scenario-connect.js';
import type { PhaseContext } from './scenario-connect.js';
import { latencyColumns, noteOtherCpu, round, saturationNote } from './scenario-row.js';
import type { ScenarioRow, SecondVotes } from './scenario-row.js';
import type { VoteShares } from './vote-plan.js';
import type { TalliesResult, VoteResult } from './worker-messages.js';

export interface PollBurstPlan {
  /** The poll's options (2-5). */
  options: readonly string[];
  /** Every fan's first vote goes out within this window, ms. */
  spreadMs: number;
  /** Share of fans that send the same vote again, and that send another option second. */
  duplicateShare: number;
  changeShare: number;
  /** How long the poll would stay open by itself (the scenario closes it well before), s. */
  pollDurationS: number;
}

export const POLL_BURST: PollBurstPlan = {
  options: ['red', 'blue', 'green', 'gold'],
  spreadMs: 2000,
  duplicateShare: 0.1,
  changeShare: 0.02,
  pollDurationS: 120,
};

/** Bound on every open fan seeing the new poll (a stage frame), ms. */
const POLL_SEEN_TIMEOUT_MS = 10_000;
/** Bound on every vote being answered after the window, ms. */
const VOTE_ANSWER_TIMEOUT_MS = 15_000;
/** Bound on every open fan receiving the final tally (one is sent every 500 ms), ms. */
const FINAL_TALLY_TIMEOUT_MS = 10_000;
/** Room for a generator's reply on top of its own bound, ms. */
const REPLY_GRACE_MS = 5000;

interface MergedVotes {
  sent: number;
  cast: number[];
  first: Record<string, number>;
  same: Record<string, number>;
  other: Record<string, number>;
  lastAcceptedAtMs: number;
  latency: Histogram;
}

function mergeVotes(results: VoteResult[]): MergedVotes {
  const merged: MergedVotes = {
    sent: 0,
    cast: [],
    first: {},
    same: {},
    other: {},
    lastAcceptedAtMs: 0,
    latency: new Histogram(),
  };
  for (const r of results) {
    merged.sent += r.sent;
    addOptionCounts(merged.cast, r.cast);
    addCounts(merged.first, r.first);
    addCounts(merged.same, r.same);
    addCounts(merged.other, r.other);
    merged.lastAcceptedAtMs = Math.max(merged.lastAcceptedAtMs, r.lastAcceptedAtMs);
    merged.latency.merge(r.latency);
  }
  return merged;
}

const sum = (counts: Readonly<Record<string, number>>): number =>
  Object.values(counts).reduce((s, n) => s + n, 0);

function secondVotes(counts: Readonly<Record<string, number>>, expected: string): SecondVotes {
  return { sent: sum(counts), asExpected: counts[expected] ?? 0 };
}

const describeCounts = (counts: Readonly<Record<string, number>>): string =>
  Object.entries(counts)
    .map(([k, n]) => `${n} ${k}`)
    .join(', ') || 'none';

/** Opens a poll, has every fan vote, closes it and checks the persisted result. */
export async function pollBurst(ctx: PhaseContext, plan: PollBurstPlan): Promise<ScenarioRow> {
  const { session } = ctx;
  const token = session.target.producerToken();
  if (token === undefined) {
    throw new Error(
      'no producer token: the engine printed none at start (with --target-api, pass --producer-token)',
    );
  }
  const eventId = session.options.eventId;
  const control = new ControlClient(session.target.apiUrl || session.options.targetApi!, token);
  // Concurrent: a poll a crashed run left open in the same event must not block this one.
  const poll = await control.openPoll(eventId, {
    question: `poll-burst ${new Date().toISOString()}`,
    options: [...plan.options],
    durationS: plan.pollDurationS,
    allowConcurrent: true,
  });
  try {
    return await burst(ctx, plan, control, poll.id);
  } catch (error) {
    // A run that fails midway cancels its poll, so it does not linger open in the event's stage.
    await control.cancelPoll(eventId, poll.id).catch(() => undefined);
    throw error;
  }
}

/** Everything after the poll opened, up to its close and the check. */
async function burst(
  ctx: PhaseContext,
  plan: PollBurstPlan,
  control: ControlClient,
  pollId: string,
): Promise<ScenarioRow> {
  const { session } = ctx;
  const eventId = session.options.eventId;
  const seen = await session.all(
    'pollSeen',
    { pollId, timeoutMs: POLL_SEEN_TIMEOUT_MS },
    POLL_SEEN_TIMEOUT_MS + REPLY_GRACE_MS,
  );
  const sawIt = seen.reduce((s, r) => s + r.seen, 0);
  const live = seen.reduce((s, r) => s + r.live, 0);
  const byShard = seen.reduce<Record<string, number>>((s, r) => addCounts(s, r.byShard), {});
  ctx.print(`poll ${pollId} open; ${sawIt}/${live} fans saw it`);

  const meter = new PhaseMeter(session, `poll-burst ${session.options.target}`, ctx.print);
  await meter.start();
  const startAtMs = nowMs() + START_LEAD_MS;
  const shares: VoteShares = {
    optionCount: plan.options.length,
    duplicateShare: plan.duplicateShare,
    changeShare: plan.changeShare,
  };
  const voteResults = await session.all(
    'vote',
    {
      pollId,
      startAtMs,
      spreadMs: plan.spreadMs,
      shares,
      timeoutMs: VOTE_ANSWER_TIMEOUT_MS,
    },
    START_LEAD_MS + plan.spreadMs + VOTE_ANSWER_TIMEOUT_MS + REPLY_GRACE_MS,
  );
  const busy = await meter.cut();
  const votes = mergeVotes(voteResults);
  const accepted = votes.cast.reduce((s, n) => s + n, 0);
  const tallies = await session.all(
    'tallies',
    { pollId, total: accepted, timeoutMs: FINAL_TALLY_TIMEOUT_MS },
    FINAL_TALLY_TIMEOUT_MS + REPLY_GRACE_MS,
  );
  await meter.stop();
  const delays = tallyDelays(tallies.flatMap((t) => t.fans));

  await control.closePoll(eventId, pollId);
  const read = await control.readPoll(eventId, pollId);
  const check = checkResult(votes.cast, read.poll.result);

  const row = baseRow(ctx, 'poll-burst', live);
  const perVote = new Histogram();
  for (const ms of delays.perVoteMs) perVote.record(ms);
  Object.assign(row, latencyColumns(perVote));
  row.votesAccepted = accepted;
  row.votesPerSec = Math.round(
    accepted / Math.max(0.001, (votes.lastAcceptedAtMs - startAtMs) / 1000),
  );
  row.voteAnswerP99Ms = latencyColumns(votes.latency).p99Ms;
  row.duplicateVotes = secondVotes(votes.same, 'duplicate');
  row.changedVotes = secondVotes(votes.other, 'already_voted');
  row.finalTallyMs =
    delays.missingFinal > 0 || delays.finalMs === undefined ? null : round(delays.finalMs, 1);
  row.resultMatches = check.pass;
  const sends = voteResults.map((r) => r.send);
  const cpu = sends.reduce(
    (s, r) => s + ((r.cpu.userMs + r.cpu.systemMs) / Math.max(1, r.cpu.wallMs)) * 100,
    0,
  );
  row.generatorCpu = round(cpu, 1);
  row.serverCpu = busy.serverCpu === undefined ? null : round(busy.serverCpu, 1);
  row.disconnects = busy.disconnects;
  row.notes.push(...saturationNote(cpu));
  noteOtherCpu(row, busy);
  noteProblems(row, { sawIt, live, votes, delays, check });
  const reached = Object.keys(byShard).length;
  if (reached < row.shards) row.notes.push(`fans on ${reached} of the ${row.shards} shards only`);

  const lastTally = tallies
    .map((t) => t.last)
    .reduce((a, b) => (b !== undefined && (a === undefined || b.version > a.version) ? b : a));
  ctx.details?.push(
    pollDetails(ctx, {
      pollId,
      byShard,
      sawIt,
      live,
      votes,
      accepted,
      row,
      delays,
      tallies,
      lastTally,
      persisted: read.poll.result,
      check,
    }),
  );
  return row;
}

function noteProblems(
  row: ScenarioRow,
  f: {
    sawIt: number;
    live: number;
    votes: MergedVotes;
    delays: TallyDelays;
    check: ResultCheck;
  },
): void {
  if (f.sawIt < f.live) row.notes.push(`${f.live - f.sawIt} fans had not seen the poll open`);
  const refused = f.votes.sent - (f.votes.first.accepted ?? 0);
  if (refused > 0) row.notes.push(`first votes not accepted: ${describeCounts(f.votes.first)}`);
  const dup = row.duplicateVotes!;
  if (dup.asExpected < dup.sent) {
    row.notes.push(`same vote again, not answered duplicate: ${describeCounts(f.votes.same)}`);
  }
  const changed = row.changedVotes!;
  if (changed.asExpected < changed.sent) {
    row.notes.push(`another option, not refused already_voted: ${describeCounts(f.votes.other)}`);
  }
  if (f.delays.missingFinal > 0) {
    row.notes.push(`${f.delays.missingFinal} fans never received a tally with the final total`);
  }
  if (f.delays.unseenVotes > 0) {
    row.notes.push(`${f.delays.unseenVotes} votes never showed in their fan's tallies`);
  }
  if (!f.check.pass) {
    row.notes.push(
      `failed: persisted result differs from the votes cast (${f.check.problems.join('; ')})`,
    );
  }
}

function pollDetails(
  ctx: PhaseContext,
  f: {
    pollId: string;
    byShard: Record<string, number>;
    sawIt: number;
    live: number;
    votes: MergedVotes;
    accepted: number;
    row: ScenarioRow;
    delays: TallyDelays;
    tallies: TalliesResult[];
    lastTally: TalliesResult['last'];
    persisted: { counts: readonly number[]; total: number } | undefined;
    check: ResultCheck;
  },
): string {
  const o = ctx.session.options;
  const ms = (n: number | null | undefined): string => (n == null ? '-' : `${round(n, 1)} ms`);
  const r = f.row;
  const late = f.tallies.some((t) => !t.complete) ? ' (some fans still waiting at the limit)' : '';
  return [
    `poll-burst, ${o.target}${r.shards > 1 ? ` x${r.shards}` : ''}, ${f.live} fans, poll ${f.pollId}:`,
    `  fans per shard           ${Object.entries(f.byShard)
      .map(([shard, n]) => `${shard} ${n}`)
      .join(', ')}`,
    `  poll seen open by        ${f.sawIt}/${f.live} fans`,
    `  first votes              ${f.votes.sent} sent: ${describeCounts(f.votes.first)}`,
    `  votes/s accepted         ${r.votesPerSec} (${f.accepted} from the burst's start to the last accepted)`,
    `  vote -> answer           p50 ${ms(f.votes.latency.percentile(50))}, p99 ${ms(r.voteAnswerP99Ms)}, max ${ms(f.votes.latency.max)}`,
    `  same vote again          ${r.duplicateVotes!.sent} sent: ${describeCounts(f.votes.same)}`,
    `  another option second    ${r.changedVotes!.sent} sent: ${describeCounts(f.votes.other)}`,
    `  vote -> tally with it    p50 ${ms(r.p50Ms)}, p99 ${ms(r.p99Ms)}, max ${ms(r.maxMs)} (${f.delays.unseenVotes} never shown)`,
    `  last vote -> every fan's tally of ${f.accepted}: ${ms(f.delays.finalMs)} (${f.delays.missingFinal} fans never got it)${late}`,
    `  votes cast per option    [${f.votes.cast.join(', ')}]`,
    `  last tally seen          ${f.lastTally === undefined ? 'none' : `[${f.lastTally.counts.join(', ')}] total ${f.lastTally.total} (version ${f.lastTally.version})`}`,
    `  persisted at close       ${f.persisted === undefined ? 'no result' : `[${f.persisted.counts.join(', ')}] total ${f.persisted.total}`}`,
    `  result = votes cast      ${f.check.pass ? 'PASS' : `FAIL: ${f.check.problems.join('; ')}`}`,
  ].join('\n');
}
