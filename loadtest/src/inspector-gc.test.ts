import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import {
  collectGarbage,
  debuggerUrlFrom,
  listeningPorts,
  listeningPortsFrom,
  socketInodesFrom,
} from './inspector-gc.js';
import { serverNodeOptions } from './server-process.js';
import { collectedMemory } from './storm-memory.js';

const TCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:8BFB 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 776491 1 000000008c191b3e 100 0 0 10 0
   1: 0100007F:0CEA 00000000:0000 0A 00000000:00000000 00:00000000 00000000   107        0 9708 1 00000000761fe1b6 100 0 0 10 0
   2: 0100007F:8BFC 0100007F:C350 01 00000000:00000000 00:00000000 00000000     0        0 776500 1 0000000001d8d563 20 4 30 10 -1
`;
const TCP6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000001000000:18EB 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4676 1 000000008ee5f938 100 0 0 10 0
`;

describe('finding the inspector among a process sockets', () => {
  it('keeps the listening sockets that are the process own, with their ports in decimal', () => {
    // 776491 is ours and listening (0x8BFB), 9708 is another process's, 776500 ours but an
    // established connection, 4676 ours on IPv6 (0x18EB).
    const ours = new Set(['776491', '776500', '4676']);
    expect(listeningPortsFrom([TCP, TCP6], ours)).toEqual([6379, 35835]);
    expect(listeningPortsFrom([TCP], new Set())).toEqual([]);
  });

  it('reads socket inodes from descriptor links and ignores files and pipes', () => {
    const links = [
      'socket:[776491]',
      '/dev/null',
      'pipe:[12]',
      'socket:[4676]',
      'anon_inode:[eventfd]',
    ];
    expect([...socketInodesFrom(links)]).toEqual(['776491', '4676']);
  });

  it("takes the DevTools URL from an inspector's list and nothing from another server", () => {
    const list = JSON.stringify([
      { type: 'node', webSocketDebuggerUrl: 'ws://127.0.0.1:40123/6c649d88' },
    ]);
    expect(debuggerUrlFrom(list)).toBe('ws://127.0.0.1:40123/6c649d88');
    expect(debuggerUrlFrom('Not Found')).toBeUndefined();
    expect(debuggerUrlFrom('[]')).toBeUndefined();
    expect(debuggerUrlFrom('{"webSocketDebuggerUrl":"ws://x"}')).toBeUndefined();
  });

  it('starts servers with an ephemeral inspector port, keeping options they inherit', () => {
    expect(serverNodeOptions(undefined)).toBe('--inspect-port=127.0.0.1:0');
    expect(serverNodeOptions('--max-old-space-size=512')).toBe(
      '--max-old-space-size=512 --inspect-port=127.0.0.1:0',
    );
  });
});

// A child holding ~16 MB of garbage: a full collection must leave less than that in use.
const CHILD = `
let junk = [];
for (let i = 0; i < 200; i++) junk.push(new Array(10000).fill(i));
junk = null;
process.stdout.write(String(process.memoryUsage().heapUsed) + '\\n');
setInterval(() => {}, 1000);
`;

/** Runs `check` against a CHILD started as the bench starts servers, given its heap in use. */
async function withGarbageChild(
  check: (pid: number, heapBefore: number) => Promise<void>,
): Promise<void> {
  const child = spawn(process.execPath, ['-e', CHILD], {
    env: { ...process.env, NODE_OPTIONS: serverNodeOptions(undefined) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    const [line] = (await once(child.stdout, 'data')) as [Buffer];
    await check(child.pid!, Number(line.toString().trim()));
    expect(child.exitCode).toBeNull();
  } finally {
    child.kill();
  }
}

describe.runIf(process.platform === 'linux')('a full collection in another process', () => {
  it('collects its garbage, reports its heap and closes the inspector again', async () => {
    await withGarbageChild(async (pid, heapBefore) => {
      expect(heapBefore).toBeGreaterThan(16 * 1024 * 1024);
      const heap = await collectGarbage(pid);
      expect(heap.usedBytes).toBeLessThan(heapBefore - 8 * 1024 * 1024);
      expect(heap.totalBytes).toBeGreaterThanOrEqual(heap.usedBytes);
      // The inspector SIGUSR1 opened is closed: the child listens on nothing.
      expect(await listeningPorts(pid)).toEqual([]);
    });
  });

  it("collects every process the storm's reading reads, the first one too", async () => {
    // The reading once passed each pid's index as a collection count: the first process, the
    // shard alone in every 19,000-fan row, was read with its garbage (0 collections).
    await withGarbageChild(async (pid, heapBefore) => {
      const reading = await collectedMemory([pid]);
      expect(reading.heap!.usedKiB * 1024).toBeLessThan(heapBefore - 8 * 1024 * 1024);
    });
  });
});
