// shard-kill: the resume storm a crash makes. One event's fans over a local cluster (the API and
// N shard processes on NATS and Redis), chat flowing; half-way one shard is killed with SIGKILL
// and each of its fans comes back as the SDK does (shard-loss.ts): its resume ticket on the
// fallback shard its newest grant named, from its last seq, or failing that a join through the
// API and the shard it names. The chat and its audit are the recovery scenario's
// (chatThroughLoss); the resume times run from the kill to each fan's new welcome, and the row
// counts the fans back by each path.
//
// The API packs an event's fans onto as few shards as capacity allows, so survivors have room
// for a dead shard's fans only when capacity is planned for it: here SHARD_CAPACITY lets N - 1
// shards hold every fan, so the fans fill N - 1 shards and the last stays free, the warm spare.
// The victim is the fullest shard that holds no sender, so chat keeps flowing through the kill.

import { readFile } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { nowMs } from './clock.js';
import { Histogram, type HistogramSnapshot } from './histogram.js';
import type { MeterSource } from './phase-meter.js';
import { readCpuSeconds } from './proc-stats.js';
import type { RunSession } from './run-session.js';
import { chatThroughLoss } from './scenario-chat.js';
import type { PhaseContext } from './scenario-connect.js';
import { round, serverClosesNote } from './scenario-row.js';
import type { ScenarioRow } from './scenario-row.js';
import type { Placement, ShardLossResult } from './worker-messages.js';

/** The share of its capacity a shard keeps free (fanout's ASSIGNMENT_HEADROOM). */
const ASSIGNMENT_HEADROOM = 0.05;
/** Room on top, so the API's running count of a storm's joins never overfills N - 1 shards. */
const CAPACITY_MARGIN = 1.03;
/** The generators are told of the kill this long before it, ms. */
const KILL_LEAD_MS = 1000;
/** No rejoin starts later than this after the kill, ms (each is then bounded on its own). */
const REJOIN_TIMEOUT_MS = 30_000;
/** The generators' answer may take the rejoin bound, one fan's bound (20 s) and slack, ms. */
const SHARD_LOSS_ANSWER_MS = REJOIN_TIMEOUT_MS + 40_000;
/** A kill later than this after its planned time is said in a note, ms. */
const KILL_SLIP_NOTE_MS = 50;

export interface ShardKillPlan {
  ratePerS: number;
  durationS: number;
  senders: number;
  /** The shard to kill by its id (`g2`); undefined: the fullest that holds no sender. */
  victim: string | undefined;
}

/** SHARD_CAPACITY with which `shards - 1` shards hold `fans` (the last stays free for a loss). */
export function spareCapacity(fans: number, shards: number): number {
  const perShard = fans / Math.max(1, shards - 1);
  return Math.ceil((perShard / (1 - ASSIGNMENT_HEADROOM)) * CAPACITY_MARGIN) + 10;
}

export interface ShardProcess {
  id: string;
  port: number;
  pid: number;
}

/** The cluster's shard processes, by the SHARD_ID and GATEWAY_PORT the launcher gave each. */
async function shardProcesses(session: RunSession): Promise<ShardProcess[]> {
  const found: ShardProcess[] = [];
  for (const pid of await session.target.connectionPids()) {
    const env = new Map(
      (await readFile(`/proc/${pid}/environ`, 'utf8'))
        .split('\0')
        .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)] as const),
    );
    const port = Number(env.get('GATEWAY_PORT'));
    const id = env.get('SHARD_ID');
    if (id !== undefined && Number.isInteger(port)) found.push({ id, port, pid });
  }
  return found.sort((a, b) => a.port - b.port);
}

export interface Victim {
  shard: ShardProcess;
  fans: number;
  senders: number;
}

/** Each shard with its fans and senders over every generator's placement. */
export function shardLoads(
  shards: readonly ShardProcess[],
  placements: readonly Placement[],
): Victim[] {
  const count = (port: number, pick: (p: Placement) => Record<string, number>): number =>
    placements.reduce((s, p) => s + (pick(p)[String(port)] ?? 0), 0);
  return shards.map((shard) => ({
    shard,
    fans: count(shard.port, (p) => p.fans),
    senders: count(shard.port, (p) => p.senders),
  }));
}

/**
 * The shard to kill among `all` (shardLoads): `wanted` by id, or the one with the most fans
 * among those holding no sender, or (every loaded shard holds senders) the one with the most fans.
 */
export function chooseVictim(all: readonly Victim[], wanted: string | undefined): Victim {
  if (wanted !== undefined) {
    const named = all.find((v) => v.shard.id === wanted);
    if (named === undefined) {
      throw new Error(
        `no shard ${wanted}; the cluster has ${all.map((v) => v.shard.id).join(', ')}`,
      );
    }
    return named;
  }
  const byFans = (a: Victim, b: Victim): number => b.fans - a.fans;
  const best = all.filter((v) => v.senders === 0 && v.fans > 0).sort(byFans)[0];
  const victim = best ?? [...all].sort(byFans)[0];
  if (victim === undefined || victim.fans === 0) throw new Error('no shard holds any fan');
  return victim;
}

/**
 * The session's CPU readings with the killed shard's CPU kept at what it had used when it died
 * (a phase's CPU is the difference of two readings; without this the dead process's whole CPU
 * time would drop out of the second and the phase would seem to have used less than nothing).
 */
class KilledShardMeter implements MeterSource {
  readonly #session: RunSession;
  readonly #pid: number;
  #final: number | undefined;

  constructor(session: RunSession, pid: number) {
    this.#session = session;
    this.#pid = pid;
  }

  async poll(): ReturnType<RunSession['poll']> {
    return await this.#session.poll();
  }

  /** Reads the victim's CPU one last time, just before it is killed. */
  async freeze(): Promise<void> {
    this.#final = await readCpuSeconds(this.#pid).catch(() => undefined);
  }

  async serverCpuSeconds(): Promise<number | undefined> {
    return await this.#sum(await this.#session.target.serverPids());
  }

  async shardCpuSeconds(): Promise<number | undefined> {
    return await this.#sum(await this.#session.target.connectionPids());
  }

  async #sum(pids: number[]): Promise<number | undefined> {
    try {
      const others = await Promise.all(pids.filter((p) => p !== this.#pid).map(readCpuSeconds));
      const victim = this.#final ?? (await readCpuSeconds(this.#pid));
      return others.reduce((a, b) => a + b, victim);
    } catch {
      return undefined; // A process went away mid-read; this sample is simply not taken.
    }
  }
}

/** Chat flows; half-way one shard is killed and its fans come back on the others. */
export async function shardKill(ctx: PhaseContext, plan: ShardKillPlan): Promise<ScenarioRow> {
  const { session } = ctx;
  const shards = await shardProcesses(session);
  if (shards.length < 2)
    throw new Error(`shard-kill needs 2 or more shards, found ${shards.length}`);
  const placements = await session.all('placement', {});
  const loads = shardLoads(shards, placements);
  const victim = chooseVictim(loads, plan.victim);
  const meter = new KilledShardMeter(session, victim.shard.pid);
  ctx.print(
    `shard-kill: fans by shard ${loads.map((v) => `${v.shard.id} ${v.fans}`).join(', ')}; killing ${victim.shard.id}`,
  );
  let slipMs = 0;
  const { row, losses } = await chatThroughLoss(ctx, 'shard-kill', plan, meter, async () => {
    const killAtMs = nowMs() + KILL_LEAD_MS;
    const order = { port: victim.shard.port, killAtMs, timeoutMs: REJOIN_TIMEOUT_MS };
    const rejoined = session.all('shardLoss', order, SHARD_LOSS_ANSWER_MS);
    await delay(Math.max(0, killAtMs - nowMs()));
    await meter.freeze();
    process.kill(victim.shard.pid, 'SIGKILL');
    slipMs = nowMs() - killAtMs;
    return await rejoined;
  });
  shardKillNotes(row, shards, victim, losses, slipMs);
  return row;
}

function shardKillNotes(
  row: ScenarioRow,
  shards: readonly ShardProcess[],
  victim: Victim,
  losses: ShardLossResult[],
  slipMs: number,
): void {
  const sum = (pick: (l: ShardLossResult) => number): number =>
    losses.reduce((s, l) => s + pick(l), 0);
  row.refused = sum((l) => l.refused);
  row.retries = sum((l) => l.retries);
  row.failedAttempts = sum((l) => l.failedAttempts);
  const total = row.fans + (row.dropped ?? 0) - (row.resumed ?? 0);
  const share = total > 0 ? ` (${round(((row.dropped ?? 0) / total) * 100, 1)} % of the fans)` : '';
  const senders = sum((l) => l.senders);
  row.notes.push(
    `killed shard ${victim.shard.id} (SIGKILL) holding ${row.dropped} fans${share}` +
      (senders > 0 ? `, ${senders} senders among them: their sends skipped while away` : ''),
  );
  // The kill's closes are the point of the phase, not a server misbehaving.
  const closed = serverClosesNote(row.disconnects ?? 0);
  row.notes = row.notes.map((n) =>
    n === closed ? `${row.disconnects} sockets closed by the kill` : n,
  );
  const dead = sum((l) => l.deadShardJoins);
  const again = sum((l) => l.deadShardJoinsAfterFailure);
  const lastDead = Math.max(...losses.map((l) => l.lastDeadShardJoinMs ?? 0));
  row.notes.push(
    dead === 0
      ? 'no join named the dead shard'
      : `${dead} joins named the dead shard, the last ${Math.round(lastDead)} ms after the kill; ` +
          `${again} of them to a fan that had already failed to reach it`,
  );
  const merged = (pick: (l: ShardLossResult) => HistogramSnapshot): Histogram => {
    const h = new Histogram();
    for (const l of losses) h.merge(pick(l));
    return h;
  };
  const p50p99 = (h: Histogram): string =>
    `p50 ${Math.round(h.percentile(50))} ms, p99 ${Math.round(h.percentile(99))} ms`;
  const paths = {
    fallback: merged((l) => l.paths.fallback),
    join: merged((l) => l.paths.join),
    own: merged((l) => l.paths.own),
  };
  row.resumedVia = Object.fromEntries(Object.entries(paths).map(([k, h]) => [k, h.count]));
  row.fallbacksHeld = sum((l) => l.held.fallbacks);
  row.notes.push(
    `${sum((l) => l.held.tickets)} of the killed shard's fans held a resume ticket, ` +
      `${row.fallbacksHeld} with a fallback shard named`,
  );
  const via = Object.entries(paths)
    .filter(([, h]) => h.count > 0)
    .map(([k, h]) => `${h.count} by ${k === 'join' ? 'a join' : `the ${k}`} (${p50p99(h)})`);
  if (via.length > 0) row.notes.push(`back: ${via.join(', ')}`);
  const landed = new Map<string, Histogram>();
  for (const l of losses) {
    for (const [port, snapshot] of Object.entries(l.landed)) {
      const id = shards.find((s) => String(s.port) === port)?.id ?? port;
      if (!landed.has(id)) landed.set(id, new Histogram());
      landed.get(id)!.merge(snapshot);
    }
  }
  const where = [...landed].map(([id, h]) => `${h.count} on ${id} (${p50p99(h)})`);
  if (where.length > 0) row.notes.push(`back on: ${where.join(', ')}`);
  const stage = (name: keyof ShardLossResult['stages']): string => {
    const h = merged((l) => l.stages[name]);
    return h.count === 0 ? 'none' : `${p50p99(h)} (${h.count})`;
  };
  if (landed.size > 0) {
    row.notes.push(
      `per fan back: kill to its first attempt ${stage('wait')}; its ticket on the killed shard ` +
        `to its failure ${stage('own')}; join (API, fans back by a join) ${stage('join')}; ` +
        `last connection to welcome ${stage('upgrade')}`,
    );
  }
  const failures: Record<string, number> = {};
  for (const l of losses) {
    for (const [k, n] of Object.entries(l.attemptFailures)) failures[k] = (failures[k] ?? 0) + n;
  }
  const reasons = Object.entries(failures).sort((a, b) => b[1] - a[1]);
  if (reasons.length > 0) {
    row.notes.push(`rejoin attempts failed: ${reasons.map(([k, n]) => `${n} x ${k}`).join('; ')}`);
  }
  if (slipMs > KILL_SLIP_NOTE_MS) {
    row.notes.push(`the kill came ${Math.round(slipMs)} ms late: resume times include it`);
  }
}
