// A full garbage collection in a server process the bench started, and its V8 heap figures,
// through Node's inspector: SIGUSR1 opens it (on an ephemeral port: the bench starts its servers
// with `--inspect-port=0`, server-process.ts), the port is found among the process's own
// listening sockets in /proc, and one DevTools session asks for `HeapProfiler.collectGarbage`
// (V8's "all available garbage", the memory reducer's collection; COLLECTIONS of them), then
// `Runtime.getHeapUsage`, then closes the inspector again. Nothing in the server changes for it;
// the price is Linux only and a process the bench may signal (never an attached one).
// Why at all: a shard's RSS read right after a join storm holds the storm's garbage (old space
// grew 18 -> 67 MB for 19,000 fans with no major collection for 45 s, 2026-12-04), so a memory
// figure without a collection at both ends measures when V8 last collected, not the fans.

import { readlinkSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import WebSocket from 'ws';
import { listeningSocketsFrom, socketInodeOf, tcpTables } from './proc-pids.js';

/**
 * Full collections in a row. On a shard just started (2026-12-04) one took RssAnon from 61.2 to
 * 48.0 MB and more changed it by < 0.2 MB; the second is for what finalizers and weak callbacks
 * free after a collection. Each costs 0.2-0.4 s there.
 */
export const COLLECTIONS = 2;
/** How long the inspector may take to listen after SIGUSR1, ms. */
export const INSPECTOR_OPEN_TIMEOUT_MS = 5000;
const INSPECTOR_POLL_MS = 100;
/** Bound on one DevTools command: a full collection of a ~80 MB heap on a loaded core, ms. */
export const DEVTOOLS_COMMAND_TIMEOUT_MS = 15_000;
/** Bound on one /json/list probe of a listening port, ms. */
const PROBE_TIMEOUT_MS = 1000;
/** How long the inspector may take to end the session once asked to close, ms. */
const CLOSE_WAIT_MS = 1000;

/** The V8 heap after the collection, bytes (`Runtime.getHeapUsage`). */
export interface HeapUsage {
  usedBytes: number;
  totalBytes: number;
}

/**
 * Ports of the listening sockets in /proc/net/tcp or tcp6 texts whose inode is in `inodes` (the
 * process's own sockets), ascending.
 */
export function listeningPortsFrom(
  tables: readonly string[],
  inodes: ReadonlySet<string>,
): number[] {
  const ports = listeningSocketsFrom(tables)
    .filter((s) => inodes.has(s.inode))
    .map((s) => s.port);
  return [...new Set(ports)].sort((a, b) => a - b);
}

/** The socket inodes among a process's descriptors' link targets (`socket:[123]`). */
export function socketInodesFrom(links: readonly string[]): Set<string> {
  const inodes = new Set<string>();
  for (const link of links) {
    const inode = socketInodeOf(link);
    if (inode !== undefined) inodes.add(inode);
  }
  return inodes;
}

/** The DevTools WebSocket URL in an inspector's /json/list answer; undefined if it is not one. */
export function debuggerUrlFrom(body: string): string | undefined {
  try {
    const list: unknown = JSON.parse(body);
    if (!Array.isArray(list)) return undefined;
    const url = (list[0] as { webSocketDebuggerUrl?: unknown } | undefined)?.webSocketDebuggerUrl;
    return typeof url === 'string' && url.startsWith('ws://') ? url : undefined;
  } catch {
    return undefined; // Another server on that port (the shard's own HTTP answers 404 text).
  }
}

/** The ports `pid` itself listens on (its descriptors matched to /proc/net/tcp and tcp6). */
export async function listeningPorts(pid: number): Promise<number[]> {
  const fds = await readdir(`/proc/${pid}/fd`);
  // A shard with its fans holds ~20k descriptors: synchronous reads (~20 ms for all), not a
  // Promise each. The bench reads this between phases, never inside a measured window.
  const links: string[] = [];
  for (const fd of fds) {
    try {
      links.push(readlinkSync(`/proc/${pid}/fd/${fd}`));
    } catch {
      // The descriptor closed between the listing and the read: not a listening socket.
    }
  }
  return listeningPortsFrom(await tcpTables(`/proc/${pid}/net`), socketInodesFrom(links));
}

async function inspectorUrl(pid: number): Promise<string> {
  const deadline = Date.now() + INSPECTOR_OPEN_TIMEOUT_MS;
  while (Date.now() < deadline) {
    for (const port of await listeningPorts(pid)) {
      try {
        const res = await fetch(`http://127.0.0.1:${port}/json/list`, {
          signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
        });
        const url = debuggerUrlFrom(await res.text());
        if (url !== undefined) return url;
      } catch {
        // Not HTTP on 127.0.0.1, or busy: the next port.
      }
    }
    await delay(INSPECTOR_POLL_MS);
  }
  throw new Error(
    `process ${pid}: no inspector listening ${INSPECTOR_OPEN_TIMEOUT_MS} ms after SIGUSR1`,
  );
}

type Send = (method: string, params?: object) => Promise<unknown>;

/**
 * One DevTools session: numbered commands, each answered or rejected within the bound; `closed`
 * resolves when the inspector ends the session (or CLOSE_WAIT_MS after it is asked to).
 */
async function devtools<T>(
  url: string,
  run: (send: Send, closed: () => Promise<void>) => Promise<T>,
): Promise<T> {
  const ws = new WebSocket(url);
  const gone = new Promise<void>((resolve) => ws.once('close', () => resolve()));
  const closed = (): Promise<void> => Promise.race([gone, delay(CLOSE_WAIT_MS)]);
  const pending = new Map<number, (reply: { result?: unknown; error?: unknown }) => void>();
  ws.on('message', (data: Buffer) => {
    const reply = JSON.parse(data.toString()) as { id?: number; result?: unknown; error?: unknown };
    if (reply.id !== undefined) pending.get(reply.id)?.(reply);
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  let next = 1;
  const send = (method: string, params?: object): Promise<unknown> => {
    const id = next++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error(`${method}: no answer in ${DEVTOOLS_COMMAND_TIMEOUT_MS} ms`));
      }, DEVTOOLS_COMMAND_TIMEOUT_MS);
      timer.unref();
      pending.set(id, (reply) => {
        clearTimeout(timer);
        pending.delete(id);
        if (reply.error !== undefined)
          reject(new Error(`${method}: ${JSON.stringify(reply.error)}`));
        else resolve(reply.result);
      });
      ws.send(JSON.stringify({ id, method, ...(params ? { params } : {}) }));
    });
  };
  try {
    return await run(send, closed);
  } finally {
    ws.terminate();
  }
}

/**
 * Collects all of `pid`'s garbage (COLLECTIONS full collections) and returns its V8 heap after
 * it. The process must be a Node process this bench started (it is sent SIGUSR1). Rejects when
 * the inspector does not open or a command is not answered in time; the inspector is closed
 * again either way it can be. One parameter on purpose: it had an optional count, and
 * `pids.map(collectGarbage)` passed each pid's index as that count, so the first process (the
 * shard alone: every 19,000-fan row) was read with no collection at all (2026-12-04 19:31-20:10).
 */
export async function collectGarbage(pid: number): Promise<HeapUsage> {
  process.kill(pid, 'SIGUSR1');
  const url = await inspectorUrl(pid);
  return await devtools(url, async (send, closed) => {
    try {
      for (let i = 0; i < COLLECTIONS; i++) await send('HeapProfiler.collectGarbage');
      const heap = (await send('Runtime.getHeapUsage')) as { usedSize: number; totalSize: number };
      return { usedBytes: heap.usedSize, totalBytes: heap.totalSize };
    } finally {
      // Node's own switch for what SIGUSR1 opened (undocumented, Node 20): it ends this session,
      // so no answer comes; if it fails, the inspector stays open on 127.0.0.1 until the
      // server stops with the session.
      void send('Runtime.evaluate', { expression: 'process._debugEnd()' }).catch(() => undefined);
      await closed();
    }
  });
}
