// Runs sessions for the CLI and the suite: for each, start the target and the generators,
// connect the fans (the join-storm row), run the phases in order, finish and stop everything.
// A failing phase becomes a row note and ends its session, not the whole run. Everything
// started is tracked so that every way out (error, Ctrl-C, the overall time limit) stops it.

import { fileURLToPath } from 'node:url';
import type { TargetKind } from './dialect.js';
import { RunSession } from './run-session.js';
import type { SessionOptions } from './run-session.js';
import { joinStorm } from './scenario-connect.js';
import type { PhaseContext } from './scenario-connect.js';
import { formatTable, summarize } from './report.js';
import { emptyRow } from './scenario-row.js';
import type { ScenarioRow } from './scenario-row.js';
import type { WorkerReport } from './worker-messages.js';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Fanfare limits for broadcast senders: they stand in for producers and may send at any rate. */
/** Fanfare's admission control off, on the shards and the API (`--admission off`). */
export const ADMISSION_OFF: Record<string, string> = {
  GATEWAY_ADMISSION_RATE: 'off',
  JOIN_BUDGET: 'off',
};
export const OPEN_CHAT_LIMITS: Record<string, string> = {
  CHAT_RATE_PER_SECOND: '1000000',
  CHAT_BURST: '1000000',
  FRAME_RATE_PER_SECOND: '1000000',
  FRAME_BURST: '1000000',
  // Bench texts are unique; a long window would only hold memory.
  CHAT_DUPLICATE_WINDOW_MS: '1000',
};

export interface Phase {
  name: string;
  run(ctx: PhaseContext): Promise<ScenarioRow>;
}

export interface SessionPlan {
  options: SessionOptions;
  /** Whether the connect itself is reported as a join-storm row. */
  reportJoinStorm: boolean;
  phases: Phase[];
}

interface Closeable {
  close(): Promise<void>;
}

/** What a run started; closed on every way out, newest first. */
export class Resources {
  #open: Closeable[] = [];

  track(closeable: Closeable): void {
    this.#open.push(closeable);
  }

  async closeAll(): Promise<void> {
    const open = this.#open.reverse();
    this.#open = [];
    // Generators first (they hold the fans), then servers; one failure must not keep the rest open.
    await Promise.allSettled(open.map((c) => c.close()));
  }
}

function failedRow(target: TargetKind, shards: number, name: string, error: unknown): ScenarioRow {
  const message = error instanceof Error ? error.message : String(error);
  const row = emptyRow(name, target, shards, 0);
  row.notes.push(`failed: ${message.split('\n')[0]}`);
  return row;
}

/**
 * The old bench's detailed summary of the session's last chat phase: frames by type, errors
 * with their first message, disconnect codes, the drain. Counts span the whole session.
 */
function chatDetails(
  plan: SessionPlan,
  session: RunSession,
  ctx: PhaseContext,
  reports: WorkerReport[],
): string {
  const chat = ctx.chat!;
  const o = plan.options;
  const figures = summarize({
    options: { ...o, durationS: Math.max(...chat.sends.map((s) => s.cpu.wallMs)) / 1000 },
    connects: ctx.connects!,
    sends: chat.sends,
    reports,
    sendStartMs: chat.startAtMs,
    drain: chat.drain,
    server:
      ctx.rss === undefined
        ? undefined
        : {
            pid: 0,
            rssBeforeKiB: ctx.rss.beforeKiB,
            rssAfterKiB: ctx.rss.afterKiB,
            rssSettled: ctx.rss.settled,
            cpuPercent: chat.serverCpu,
            exit: session.target.failure() === undefined ? 'running' : 'exited',
            env: o.engineEnv,
          },
    hostCpuPercent: chat.hostCpu,
  });
  const label = `${o.target}${o.shards > 1 ? ` x${o.shards}` : ''}, ${o.fans} fans`;
  return `${label} (counts over the whole session):\n${formatTable(figures)}`;
}

export interface SessionResult {
  rows: ScenarioRow[];
  /** Detailed summaries, one per session that ran a chat phase. */
  details: string[];
}

/** Runs one session; returns its rows (a failed phase is a row with a `failed:` note). */
export async function runSession(
  plan: SessionPlan,
  resources: Resources,
  print: (line: string) => void,
): Promise<SessionResult> {
  const rows: ScenarioRow[] = [];
  const details: string[] = [];
  const { target, shards } = plan.options;
  const mine = new Resources();
  print(
    `--- ${target}${shards > 1 ? ` x${shards}` : ''}: ${plan.options.fans} fans, ${plan.phases.map((p) => p.name).join(', ') || 'join-storm'}`,
  );
  try {
    const session = await RunSession.open(plan.options, REPO_ROOT, (c) => {
      mine.track(c);
      resources.track(c);
    });
    const ctx: PhaseContext = { session, print, details, measureMemory: plan.reportJoinStorm };
    const joined = await joinStorm(ctx);
    if (plan.reportJoinStorm) rows.push(joined);
    for (const phase of plan.phases) {
      try {
        rows.push(await phase.run(ctx));
      } catch (error) {
        rows.push(failedRow(target, shards, phase.name, error));
        break;
      }
      const crashed = session.target.failure();
      if (crashed !== undefined) {
        rows.at(-1)!.notes.push(`server crashed: ${crashed.split('\n')[0]}`);
        break;
      }
    }
    const polls = await session.poll().catch(() => []);
    const lastSeq = Math.max(0, ...polls.map((p) => p.maxSeq));
    const reports = await session.finish(lastSeq).catch((error: unknown) => {
      print(`finish failed: ${String(error)}`);
      return undefined;
    });
    if (reports !== undefined && ctx.chat !== undefined && ctx.connects !== undefined) {
      details.push(chatDetails(plan, session, ctx, reports));
    }
  } catch (error) {
    rows.push(
      failedRow(
        target,
        shards,
        plan.reportJoinStorm ? 'join-storm' : (plan.phases[0]?.name ?? 'join-storm'),
        error,
      ),
    );
    print(`session failed: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    await mine.closeAll();
  }
  return { rows, details };
}
