// `pnpm loadtest [scenario] [options]`: one scenario against one or more targets, each with the
// same generator, one after the other. Prints progress while it runs, a table at the end, and
// writes loadtest/results/<scenario>-latest.json. Bounded in time; stops everything it started
// on every way out (success, error, Ctrl-C, the overall time limit).

import { fileURLToPath } from 'node:url';
import { writeResults } from './report.js';
import { USAGE } from './usage.js';
import { machineInfo } from './machine.js';
import {
  CLUSTER_DEFAULTS,
  DEFAULT_OBJECTIVE_MS,
  RAMP_FACTOR,
  RAMP_MAX_STEPS,
  parseBenchOptions,
} from './options.js';
import type { LoadtestOptions } from './options.js';
import type { TargetKind } from './dialect.js';
import { formatRows } from './rows-table.js';
import { ADMISSION_OFF, OPEN_CHAT_LIMITS, Resources, runSession } from './runner.js';
import type { Phase, SessionPlan } from './runner.js';
import { broadcast, recovery } from './scenario-chat.js';
import { POLL_BURST, pollBurst } from './scenario-poll.js';
import { broadcastRamp } from './scenario-ramp.js';
import { reactions, resumeStorm } from './scenario-connect.js';
import { clusterBroadcast } from './scenario-cluster.js';
import { shardKill, spareCapacity } from './scenario-shard-kill.js';
import { mergeRows, parseResults } from './results-merge.js';
import { resultsPage } from './html-report.js';
import { readFile, writeFile } from 'node:fs/promises';
import type { ScenarioRow } from './scenario-row.js';

const RESULTS_DIR = fileURLToPath(new URL('../results/', import.meta.url));
/** Per target: start, connect and stop, plus a share per fan, ms; the phases come on top. */
const SESSION_BASE_MS = 120_000;
const SESSION_PER_FAN_MS = 5;

function log(line: string): void {
  process.stderr.write(`[loadtest] ${line}\n`);
}

function phasesFor(o: LoadtestOptions, target: TargetKind): Phase[] {
  const chat = { ratePerS: o.ratePerS, durationS: o.durationS, senders: o.senders };
  switch (o.scenario) {
    case 'join-storm':
      return [];
    case 'poll-burst':
      if (target !== 'fanfare') return [];
      return [{ name: 'poll-burst', run: (ctx) => pollBurst(ctx, POLL_BURST) }];
    case 'broadcast':
    case 'chat-storm': {
      const name = o.scenario;
      return [{ name, run: (ctx) => broadcast(ctx, { name, ...chat }) }];
    }
    case 'broadcast-max': {
      const plan = {
        startRatePerS: o.ratePerS,
        factor: RAMP_FACTOR,
        stepS: o.stepS,
        maxSteps: RAMP_MAX_STEPS,
        objectiveMs: o.objectiveMs,
        senders: o.senders,
      };
      return [{ name: 'broadcast-max', run: (ctx) => broadcastRamp(ctx, plan) }];
    }
    case 'reactions': {
      const plan = { tapsPerFanPerS: o.tapsPerFanPerS, durationS: o.durationS };
      return [{ name: 'reactions', run: (ctx) => reactions(ctx, plan) }];
    }
    case 'resume-storm':
      if (target !== 'fanfare') return [];
      return [false, true].map((tickets) => ({
        name: tickets ? 'resume-storm' : 'resume-storm-token',
        run: (ctx) => resumeStorm(ctx, { fraction: o.dropFraction, tickets }),
      }));
    case 'cluster': {
      const plan = { ...chat, objectiveMs: o.objectiveMs };
      return [{ name: 'cluster', run: (ctx) => clusterBroadcast(ctx, plan) }];
    }
    case 'recovery':
      if (target !== 'fanfare') return [];
      return [
        {
          name: 'recovery',
          run: (ctx) => recovery(ctx, { ...chat, fraction: o.dropFraction }),
        },
      ];
    case 'shard-kill':
      if (target !== 'fanfare') return [];
      return [{ name: 'shard-kill', run: (ctx) => shardKill(ctx, { ...chat, victim: o.victim }) }];
  }
}

/** Broadcast senders stand in for producers; chat-storm, reactions and joins keep the fan limits. */
function engineEnv(o: LoadtestOptions): Record<string, string> {
  const limits = ['broadcast', 'broadcast-max', 'recovery', 'cluster', 'shard-kill'].includes(
    o.scenario,
  )
    ? OPEN_CHAT_LIMITS
    : {};
  return { ...limits, ...admissionEnv(o.admission) };
}

/** The engine's admission control: its defaults, off (shards and API), or a shard budget. */
export function admissionEnv(admission: string): Record<string, string> {
  if (admission === 'on') return {};
  if (admission === 'off') return ADMISSION_OFF;
  return { GATEWAY_ADMISSION_RATE: admission };
}

export function cliPlans(o: LoadtestOptions): SessionPlan[] {
  return o.targets.map((target) => ({
    options: {
      target,
      shards: target === 'uws-raw' ? 1 : o.shards,
      fans: o.fans,
      workers: o.workers,
      senders: o.senders,
      ratePerS: o.ratePerS,
      eventId: o.eventId,
      targetApi: o.targetApi,
      engineEnv: engineEnv(o),
      pin: o.pin,
      connectConcurrency: o.connectConcurrency,
      prefetchTokens: o.prefetchTokens,
      joinToken: o.joinToken,
      cluster: o.cluster,
      producerToken: o.producerToken,
      withinS: o.withinS,
      admission: o.admission,
      sourceAddresses: o.scenario === 'cluster',
      ...(o.scenario === 'cluster' ? { connectLimitS: CLUSTER_DEFAULTS.connectLimitS } : {}),
      ...(o.scenario === 'shard-kill' ? { shardCapacity: spareCapacity(o.fans, o.shards) } : {}),
    },
    reportJoinStorm: true,
    phases: phasesFor(o, target),
  }));
}

/** cluster: start, the connect limit and its last fans' bound, the phase, then stopping, ms. */
const CLUSTER_OVERHEAD_MS = 150_000;

function budgetMs(o: LoadtestOptions): number {
  if (o.scenario === 'cluster') {
    return CLUSTER_OVERHEAD_MS + CLUSTER_DEFAULTS.connectLimitS * 1000 + o.durationS * 2000;
  }
  const phaseS = o.scenario === 'broadcast-max' ? RAMP_MAX_STEPS * o.stepS : o.durationS;
  return o.targets.length * (SESSION_BASE_MS + o.fans * SESSION_PER_FAN_MS + phaseS * 2000);
}

async function main(): Promise<number> {
  const parsed = parseBenchOptions(process.argv.slice(2));
  if (parsed.kind === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (parsed.kind === 'invalid') {
    process.stderr.write(
      `${parsed.problems.map((p) => `loadtest: ${p}`).join('\n')}\n\n${USAGE}\n`,
    );
    return 2;
  }
  const options = parsed.options;
  if (
    ['recovery', 'resume-storm', 'shard-kill'].includes(options.scenario) &&
    options.targets.some((t) => t !== 'fanfare')
  ) {
    log(`${options.scenario} runs against Fanfare only: the peers have no resume by sequence`);
  }
  if (options.scenario === 'poll-burst' && options.targets.some((t) => t !== 'fanfare')) {
    log('poll-burst runs against Fanfare only: the peers have no polls (they get the join storm)');
  }
  const resources = new Resources();
  const stopAndExit = (code: number): void => {
    void resources.closeAll().finally(() => process.exit(code));
  };
  const budget = budgetMs(options);
  const watchdog = setTimeout(() => {
    log(`overall time limit (${Math.round(budget / 1000)} s) reached; stopping`);
    stopAndExit(1);
  }, budget);
  process.once('SIGINT', () => {
    log('interrupted; stopping');
    stopAndExit(130);
  });

  const startedAt = new Date().toISOString();
  const machine = machineInfo(options.pin);
  const rows: ScenarioRow[] = [];
  const details: string[] = [];
  try {
    for (const plan of cliPlans(options)) {
      const result = await runSession(plan, resources, log);
      rows.push(...result.rows);
      details.push(...result.details);
    }
  } finally {
    await resources.closeAll();
    clearTimeout(watchdog);
  }
  for (const detail of details) process.stdout.write(`\n${detail}\n`);
  process.stdout.write(`\n${formatRows(rows)}\n`);
  const file = `${RESULTS_DIR}${options.scenario}-latest.json`;
  await writeResults(file, { startedAt, machine, options, scenarios: rows });
  process.stdout.write(`\n  written to ${file}\n`);
  if (options.scenario === 'cluster') {
    const run = { startedAt, finishedAt: new Date().toISOString(), machine };
    await publishToSuite(
      rows.filter((r) => r.name === 'cluster'),
      run,
    );
  }
  return rows.some((r) => r.notes.some((n) => n.startsWith('failed:'))) ? 1 : 0;
}

/** Puts rows run apart from the suite into latest.json and latest.html (results-merge.ts). */
async function publishToSuite(
  rows: ScenarioRow[],
  run: Parameters<typeof mergeRows>[2],
): Promise<void> {
  if (rows.length === 0) return;
  const json = `${RESULTS_DIR}latest.json`;
  const existing = parseResults(await readFile(json, 'utf8').catch(() => undefined));
  const doc = mergeRows(existing, rows, run);
  await writeResults(json, doc);
  // The page's charts are drawn against the suite's objective; the cluster row has its own.
  await writeFile(`${RESULTS_DIR}latest.html`, resultsPage(doc, DEFAULT_OBJECTIVE_MS));
  process.stdout.write(`  and its row into ${json} and latest.html\n`);
}

// Exit explicitly: idle keep-alive sockets must not hold a finished run open.
main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    log(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);
