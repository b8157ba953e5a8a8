// Entry of one generator process, forked by the load tester with `--import tsx`. It owns a
// FanFleet and answers the parent's commands over IPC, one reply per command. It exits when the
// parent goes away, so a crashed or killed run never leaves fans connected.

import { FanFleet } from './fan-fleet.js';
import { LOOP_PERIOD_MS, paceEventLoop } from './loop-pacing.js';
import type {
  BenchCommand,
  BenchCommandKind,
  ReplyByCommand,
  WorkerMessage,
} from './worker-messages.js';

let fleet: FanFleet | undefined;

function post(message: WorkerMessage): void {
  if (!process.connected) return;
  // A failed send means the bench is gone; the 'disconnect' handler below ends this process.
  process.send?.(message, undefined, {}, () => undefined);
}

function requireFleet(): FanFleet {
  if (fleet === undefined) throw new Error('no fans yet: `connect` must come first');
  return fleet;
}

async function run(command: BenchCommand): Promise<ReplyByCommand[BenchCommandKind]> {
  switch (command.kind) {
    case 'tokens':
      if (fleet !== undefined) throw new Error('tokens come before `connect`, once');
      fleet = new FanFleet(command.plan);
      return await fleet.tokens();
    case 'connect':
      fleet ??= new FanFleet(command.plan);
      return await fleet.connect(command.arrival);
    case 'send':
      return await requireFleet().send(
        command.startAtMs,
        command.durationMs,
        command.ratePerSender,
        command.activeSenders,
      );
    case 'react':
      return await requireFleet().react(
        command.startAtMs,
        command.durationMs,
        command.tapsPerFanPerS,
      );
    case 'stop':
      requireFleet().stop();
      return {};
    case 'poll':
      return requireFleet().poll();
    case 'progress':
      return requireFleet().progress();
    case 'audit':
      return requireFleet().audit(command.lastSeq);
    case 'drop':
      return await requireFleet().drop(
        command.fraction,
        command.timeoutMs,
        command.tickets,
        command.resumeAtMs,
      );
    case 'placement':
      return requireFleet().placement();
    case 'shardLoss':
      return await requireFleet().shardLoss(command);
    case 'pollSeen':
      return await requireFleet().pollSeen(command.pollId, command.timeoutMs);
    case 'vote':
      return await requireFleet().vote(command);
    case 'tallies':
      return await requireFleet().tallies(command.pollId, command.total, command.timeoutMs);
    case 'finish': {
      const current = requireFleet();
      const report = current.report(command.lastSeq);
      await current.close();
      return report;
    }
  }
}

async function handle(command: BenchCommand): Promise<void> {
  try {
    post({ kind: 'reply', id: command.id, result: await run(command) });
  } catch (error) {
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    post({ kind: 'failed', id: command.id, message });
  }
}

if (process.send === undefined) {
  console.error('fan-worker.ts is started by the load tester (it needs an IPC channel)');
  process.exit(2);
}

// LOADTEST_LOOP_PERIOD_MS sets the pacing period (loop-pacing.ts); 0 turns pacing off.
const periodMs = Number(process.env.LOADTEST_LOOP_PERIOD_MS ?? LOOP_PERIOD_MS);
const stopPacing = periodMs > 0 ? paceEventLoop(periodMs) : (): void => undefined;

process.on('message', (command: BenchCommand) => {
  void handle(command);
});
process.on('disconnect', () => {
  stopPacing();
  fleet?.terminate();
  process.exit(0);
});
post({ kind: 'ready' });
