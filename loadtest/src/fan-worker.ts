// Entry of one generator process, forked by the bench with `--import tsx`. It owns a FanFleet and
// answers the bench's commands over IPC, one reply per command. It exits when the bench goes
// away, so a crashed or killed bench never leaves fans connected.

import { FanFleet } from './fan-fleet.js';
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
    case 'connect':
      if (fleet !== undefined) throw new Error('already connected');
      fleet = new FanFleet(command.plan);
      return await fleet.connect();
    case 'send':
      return await requireFleet().send(command.startAtMs, command.durationMs);
    case 'progress':
      return requireFleet().progress();
    case 'finish': {
      const current = requireFleet();
      const report = current.report();
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
  console.error('fan-worker.ts is started by bench.ts (it needs an IPC channel)');
  process.exit(2);
}

process.on('message', (command: BenchCommand) => {
  void handle(command);
});
process.on('disconnect', () => {
  fleet?.terminate();
  process.exit(0);
});
post({ kind: 'ready' });
