// The issue's targets, checked against a run's rows: reported met or missed, never asserted by a
// test (the figures depend on the machine). Also the comparison ratios. Pure, so the rules are
// tested on hand-made rows. Rules of their own: objectives-resume.ts, objectives-floor.ts.

import type { TargetKind } from './dialect.js';
import { busyNote, check, find, largest, limitOf, sameFans } from './objective.js';
import type { Objective } from './objective.js';
import { oneCoreObjective } from './objectives-floor.js';
import { resumeObjective } from './objectives-resume.js';
import type { ScenarioRow } from './scenario-row.js';

export type { Objective } from './objective.js';
export { limitOf } from './objective.js';

/** One comparison: Fanfare's deliveries/s over a peer's, same scenario, fans and shards. */
export interface Ratio {
  scenario: string;
  fans: number;
  shards: number;
  peer: Exclude<TargetKind, 'fanfare'>;
  fanfare: number;
  peerValue: number;
  /** fanfare / peerValue; null when the peer delivered nothing. */
  ratio: number | null;
  /** Whether each side's figure held the latency objective (broadcast-max only). */
  fanfareHeld?: boolean;
  peerHeld?: boolean;
}

/**
 * Scenarios whose deliveries/s compare capacity: the ramp. Paced scenarios offer every target the
 * same load, so equal deliveries/s say only that both kept up (latency tells them apart), and in
 * reactions fewer frames is the point.
 */
const COMPARED = ['broadcast-max'];

export function ratios(rows: readonly ScenarioRow[]): Ratio[] {
  const out: Ratio[] = [];
  for (const ours of rows) {
    if (ours.target !== 'fanfare' || !COMPARED.includes(ours.name)) continue;
    for (const peer of rows) {
      if (peer.target === 'fanfare' || peer.name !== ours.name || peer.shards !== ours.shards)
        continue;
      if (!sameFans(ours.fans, peer.fans)) continue;
      const ratio: Ratio = {
        scenario: ours.name,
        fans: ours.fans,
        shards: ours.shards,
        peer: peer.target,
        fanfare: ours.deliveriesPerSec,
        peerValue: peer.deliveriesPerSec,
        ratio:
          peer.deliveriesPerSec > 0
            ? Number((ours.deliveriesPerSec / peer.deliveriesPerSec).toFixed(2))
            : null,
      };
      if (ours.heldObjective !== undefined) ratio.fanfareHeld = ours.heldObjective;
      if (peer.heldObjective !== undefined) ratio.peerHeld = peer.heldObjective;
      out.push(ratio);
    }
  }
  return out;
}

/** The issue's bound on a join's cost to the shard (verify, upgrade, welcome), CPU-µs. */
export const JOIN_CPU_US_GOAL = 150;

export function objectives(rows: readonly ScenarioRow[]): Objective[] {
  const join = find(rows, 'join-storm', 'fanfare');
  const resumeStorm = find(rows, 'resume-storm', 'fanfare');
  const joinCpu = join?.cpuUsPerJoin ?? null;
  const resumeCpu = resumeStorm?.cpuUsPerResume ?? null;
  // The best ramp that held, whatever its fan count; else the best that did not.
  const ramps = rows.filter(
    (r) => r.name === 'broadcast-max' && r.target === 'fanfare' && r.shards === 1,
  );
  const pool = ramps.some((r) => r.heldObjective === true)
    ? ramps.filter((r) => r.heldObjective === true)
    : ramps;
  const max = pool.reduce<ScenarioRow | undefined>(
    (a, b) => (a === undefined || b.deliveriesPerSec > a.deliveriesPerSec ? b : a),
    undefined,
  );
  const maxRatios = ratios(rows).filter(
    (r) =>
      r.scenario === 'broadcast-max' && r.shards === 1 && max !== undefined && r.fans === max.fans,
  );
  const versus = (peer: Ratio['peer']): number | null =>
    maxRatios.find((r) => r.peer === peer)?.ratio ?? null;
  const held = max?.heldObjective === true;
  const deliveries = max === undefined ? null : max.deliveriesPerSec;
  return [
    {
      id: 'rss-per-conn',
      description: `server RSS per connection with ${join?.fans ?? 19_000} fans of one event on one shard, ${join?.memory?.method === 'full-gc' ? 'between full collections' : 'without collections'}, KiB (<= 2)`,
      value: join?.kibPerConn ?? null,
      threshold: 2,
      met: check(join?.kibPerConn ?? null, (v) => v <= 2),
      limit:
        join?.kibPerConn === null || join === undefined
          ? 'not measured'
          : 'server memory per socket',
    },
    {
      id: 'deliveries',
      description: `chat deliveries/s on one shard with p99 <= 100 ms, ${max?.fans ?? '-'} fans (>= 1,000,000)`,
      value: deliveries,
      threshold: 1_000_000,
      met: check(deliveries, (v) => held && v >= 1_000_000),
      limit: limitOf(max),
    },
    {
      id: 'vs-socketio',
      description: `Fanfare's deliveries/s over Socket.IO's, broadcast-max, ${max?.fans ?? '-'} fans (>= 10x)`,
      value: versus('socketio'),
      threshold: 10,
      met: check(versus('socketio'), (v) => v >= 10),
      limit: limitOf(max),
    },
    {
      id: 'vs-uws-raw',
      description: `Fanfare's deliveries/s over raw unbatched uWS publish, broadcast-max, ${max?.fans ?? '-'} fans (>= 5x)`,
      value: versus('uws-raw'),
      threshold: 5,
      met: check(versus('uws-raw'), (v) => v >= 5),
      limit: limitOf(max),
    },
    {
      id: 'joins',
      description: 'authenticated joins/s per shard (>= 5,000)',
      value: join?.connectPerSec ?? null,
      threshold: 5000,
      met: check(join?.connectPerSec ?? null, (v) => v >= 5000),
      limit: limitOf(join),
    },
    {
      id: 'join-cpu',
      description: `shard CPU per join (verify, upgrade, welcome), CPU-µs (<= ${JOIN_CPU_US_GOAL}: >= ${Math.floor(1e6 / JOIN_CPU_US_GOAL).toLocaleString('en-US')} joins/s per core)`,
      value: joinCpu,
      threshold: JOIN_CPU_US_GOAL,
      met: check(joinCpu, (v) => v <= JOIN_CPU_US_GOAL),
      limit:
        joinCpu === null
          ? 'not measured'
          : `the shard's own CPU (see the profile in docs/benchmarks.md)${busyNote(join)}`,
    },
    apiJoinObjective(rows),
    clusterObjective(rows),
    resumeObjective(rows, 'recovery'),
    resumeObjective(rows, 'shard-kill'),
    embeddedIdleObjective(rows),
    oneCoreObjective(rows),
    {
      id: 'resume-cpu',
      description: `shard CPU per resume with a resume ticket, CPU-µs (below a first join's${joinCpu === null ? '' : `, ${joinCpu}`})`,
      value: resumeCpu,
      threshold: joinCpu ?? 0,
      met: joinCpu === null ? null : check(resumeCpu, (v) => v < joinCpu),
      limit:
        resumeCpu === null
          ? 'not measured'
          : `the shard's own CPU (see docs/benchmarks.md)${busyNote(resumeStorm)}`,
    },
  ];
}

/** The issue's bound on the API's join: joins answered per second per API core. */
export const API_JOINS_PER_CORE_GOAL = 3000;

/**
 * The API's joins per core: 1e6 over its CPU-µs per join, from a join storm run as a cluster with
 * tokens fetched first (the API then runs in processes of its own, and the fetch is its work alone).
 */
function apiJoinObjective(rows: readonly ScenarioRow[]): Objective {
  const row = largest(
    rows,
    (r) =>
      r.name === 'join-storm' && r.target === 'fanfare' && typeof r.apiCpuUsPerJoin === 'number',
  );
  const us = row?.apiCpuUsPerJoin ?? null;
  const perCore = us === null || us <= 0 ? null : Math.round(1e6 / us);
  return {
    id: 'api-joins',
    description: `API joins/s per core (event lookup, gateway choice, signing): 1e6 / its CPU-µs per join${us === null ? '' : ` (${us})`} over ${row?.fans.toLocaleString('en-US') ?? '-'} joins (>= ${API_JOINS_PER_CORE_GOAL.toLocaleString('en-US')})`,
    value: perCore,
    threshold: API_JOINS_PER_CORE_GOAL,
    met: check(perCore, (v) => v >= API_JOINS_PER_CORE_GOAL),
    limit:
      row === undefined
        ? 'not measured (join-storm --cluster --prefetch-tokens)'
        : `the API process's own CPU: ${us} CPU-µs per join over the token fetch, ${row.joinsPerSec?.toLocaleString('en-US') ?? '-'} joins/s answered${busyNote(row)}`,
  };
}

/** The issue's bound on the embedded engine's idle RSS (media child apart), MB. */
export const EMBEDDED_IDLE_RSS_GOAL_MB = 300;

function embeddedIdleObjective(rows: readonly ScenarioRow[]): Objective {
  const row = rows.find((r) => r.name === 'embedded-idle' && r.target === 'fanfare');
  const mb = row?.idleRssMB ?? null;
  return {
    id: 'embedded-idle-rss',
    description: `the embedded engine idle (pnpm start's process: API, shard, PGlite; new data directory, media child apart), RSS MB (<= ${EMBEDDED_IDLE_RSS_GOAL_MB})`,
    value: mb,
    threshold: EMBEDDED_IDLE_RSS_GOAL_MB,
    met: check(mb, (v) => v <= EMBEDDED_IDLE_RSS_GOAL_MB),
    limit:
      row === undefined
        ? 'not measured (pnpm bench:idle)'
        : mb === null
          ? 'the run failed'
          : `the engine process's own memory with nobody connected (readings ${row.idleRssReadingsMB?.join(', ') ?? '-'} MB${row.idleRssSettled === false ? ', still moving' : ''}); PGlite is ~115-127 MB of it (docs/benchmarks.md)`,
  };
}

/** The cluster target the issue sets: these many fans over these many shards at this rate. */
export const CLUSTER_GOAL = { fans: 90_000, shards: 5, ratePerS: 5, p99Ms: 250 } as const;

/**
 * The cluster target (issue 17): CLUSTER_GOAL's fans over its shards at its chat rate within
 * its p99, nothing lost, duplicated or reordered. Its value is the p99 of the largest cluster
 * row; a smaller run (a rehearsal) is reported but cannot meet it.
 */
function clusterObjective(rows: readonly ScenarioRow[]): Objective {
  const row = largest(rows, (r) => r.name === 'cluster' && r.target === 'fanfare');
  const g = CLUSTER_GOAL;
  const shape =
    row !== undefined &&
    row.fans >= g.fans &&
    row.shards >= g.shards &&
    (row.messagesPerSec ?? 0) >= g.ratePerS * 0.95;
  const clean = row !== undefined && row.lost + row.duplicated + row.reordered === 0;
  const p99 = row?.p99Ms ?? null;
  return {
    id: 'cluster',
    description: `cluster: ${row?.fans.toLocaleString('en-US') ?? '-'} fans of one event over ${row?.shards ?? '-'} shards and NATS, chat ${row?.messagesPerSec ?? '-'} msg/s, p99 ms (<= ${g.p99Ms} with >= ${g.fans.toLocaleString('en-US')} fans, >= ${g.shards} shards, >= ${g.ratePerS} msg/s, none lost/dup/reordered)`,
    value: p99,
    threshold: g.p99Ms,
    met: p99 === null ? null : shape && clean && p99 <= g.p99Ms,
    limit:
      row === undefined
        ? 'not measured (pnpm loadtest cluster)'
        : !shape
          ? 'a smaller run than the goal (a rehearsal)'
          : (row.notes.find((n) => n.startsWith('the machine was the limit')) ?? limitOf(row)),
  };
}

/** A limit without its leading "not measured" (the verdict says it) and the brackets after it. */
function howToMeasure(limit: string): string {
  const rest = limit.replace(/^not measured:?\s*/, '');
  return rest.startsWith('(') && rest.endsWith(')') ? rest.slice(1, -1) : rest;
}

/** Lines for the terminal: one per objective. */
export function formatObjectives(list: readonly Objective[]): string {
  return list
    .map((o) => {
      const verdict = o.met === null ? 'NOT MEASURED' : o.met ? 'met   ' : 'MISSED';
      const value = o.value === null ? '-' : o.value.toLocaleString('en-US');
      const why =
        o.met === false
          ? ` (limit: ${o.limit})`
          : o.met === null && howToMeasure(o.limit) !== ''
            ? ` (${howToMeasure(o.limit)})`
            : '';
      return `  ${verdict}  ${o.description}: ${value}${why}`;
    })
    .join('\n');
}
