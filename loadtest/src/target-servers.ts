// Starts the servers one run measures, pinned to the server core: Fanfare embedded (API and one
// shard in one process), a Fanfare cluster (`cluster/src/start-cluster.ts`: the API and N shard
// processes on the local NATS and Redis, under a prefix of its own), the raw uWS peer, or N
// Socket.IO peers (joined by the Redis adapter when N > 1). Or attaches to a Fanfare engine
// already running (`--target-api`). Says which pids are the server, for /proc figures.

import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { freePort } from '@fanfare/testkit';
import type { TargetKind } from './dialect.js';
import { childPids, commandLine, pidsListeningOn } from './proc-pids.js';
import { LISTENING_LINE, ServerProcess } from './server-process.js';

export const PEER_SCRIPTS = {
  'uws-raw': 'loadtest/src/peers/uws-raw-server.ts',
  socketio: 'loadtest/src/peers/socketio-server.ts',
} as const;
const CLUSTER_READY_LINE = /^Fanfare cluster:/;
/** The producer token both launchers print (`Producer token <jwt>`, cluster: `Producer <jwt>`). */
const PRODUCER_TOKEN_LINE = /^\s*Producer(?: token)?\s+(\S+)\s*$/;
const REDIS_PORT = 6379;
const NATS_PORT = 4222;
const REDIS_URL = `redis://127.0.0.1:${REDIS_PORT}`;
/**
 * The cluster launcher starts the API, then each shard in turn, each waiting for the one before:
 * time allowed, ms, as a base plus a share per shard (a loaded machine took ~6 s per shard).
 */
const CLUSTER_READY_BASE_MS = 30_000;
const CLUSTER_READY_PER_SHARD_MS = 10_000;

/**
 * The shared services a multi-process target leans on (NATS, Redis): their CPU is part of the
 * server side's. They are shared with anything else on the machine, so that CPU may include
 * others' work.
 */
async function infraPids(ports: number[]): Promise<number[]> {
  const found = await Promise.all(ports.map((port) => pidsListeningOn(port)));
  return [...new Set(found.flat())];
}

export interface TargetSpec {
  kind: TargetKind;
  /** Server processes: Fanfare shards or Socket.IO processes; uws-raw is always 1. */
  shards: number;
  /** Extra environment (Fanfare's limits). */
  env: Record<string, string>;
  /** Core for the servers; undefined: unpinned. */
  cpu: number | undefined;
  /** Fanfare cluster: fans per shard before the API spreads to the next. */
  shardCapacity?: number;
  /** Fanfare: run the API and the shard(s) as separate processes even for one shard. */
  cluster?: boolean;
}

export interface RunningTarget {
  readonly kind: TargetKind;
  readonly shards: number;
  /** Fanfare's API base URL; '' for the peers. */
  readonly apiUrl: string;
  /** The peers' WebSocket URLs; empty for Fanfare. */
  readonly serverUrls: string[];
  /** Processes whose RSS counts per connection (shards; the whole engine when embedded). */
  connectionPids(): Promise<number[]>;
  /** Processes whose CPU is the server's (shards and API; NATS and Redis when used). */
  serverPids(): Promise<number[]>;
  /** Fanfare in a cluster: the API processes (their CPU per join); empty otherwise. */
  apiPids(): Promise<number[]>;
  /**
   * Fanfare: a staff token with the producer role for the control API (the one the engine
   * printed at start, or the one given with an engine already running); undefined otherwise.
   */
  producerToken(): string | undefined;
  /** A crashed server, described; undefined while all run. */
  failure(): string | undefined;
  close(): Promise<void>;
}

/** Where the kernel's ephemeral ports begin (ip_local_port_range), or Linux's default. */
function ephemeralPortsStart(): number {
  try {
    const first = Number(
      readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').split(/\s+/)[0],
    );
    return Number.isInteger(first) && first > 2048 ? first : 32_768;
  } catch {
    return 32_768; // Not Linux: the default range's start.
  }
}

/**
 * `count` consecutive free ports (the cluster launcher numbers its shards from a base), below the
 * ephemeral range: the shards start one after the other, and on a busy machine a port picked from
 * that range was taken as some connection's source port before the fourth shard listened.
 */
async function freePortRange(count: number): Promise<number> {
  const free = (port: number): Promise<boolean> =>
    new Promise((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
  const top = ephemeralPortsStart() - count;
  for (let attempt = 0; attempt < 20; attempt++) {
    const base =
      top > 10_000 ? 10_000 + Math.floor(Math.random() * (top - 10_000)) : await freePort();
    if (!(await free(base))) continue;
    let ok = base + count < 65_536;
    for (let i = 1; ok && i < count; i++) ok = await free(base + i);
    if (ok) return base;
  }
  throw new Error(`no ${count} consecutive free ports`);
}

function running(
  servers: ServerProcess[],
  pids: () => Promise<number[]>,
  spec: {
    kind: TargetKind;
    shards: number;
    apiUrl: string;
    serverUrls: string[];
    connectionPids?: () => Promise<number[]>;
    apiPids?: () => Promise<number[]>;
    producerToken?: () => string | undefined;
  },
): RunningTarget {
  return {
    ...spec,
    serverPids: pids,
    connectionPids: spec.connectionPids ?? pids,
    apiPids: spec.apiPids ?? (() => Promise.resolve([])),
    producerToken: spec.producerToken ?? (() => undefined),
    failure: () => {
      const dead = servers.find((s) => !s.running);
      return dead === undefined
        ? undefined
        : `${dead.name} exited (${dead.exitDescription}):\n${dead.output()}`;
    },
    close: async () => {
      await Promise.allSettled(servers.map((s) => s.close()));
    },
  };
}

async function startFanfare(spec: TargetSpec, cwd: string): Promise<RunningTarget> {
  const apiPort = await freePort();
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  if (spec.shards === 1 && spec.cluster !== true) {
    const gatewayPort = await freePort();
    const engine = await ServerProcess.start({
      name: 'fanfare',
      cwd,
      script: 'embedded/src/main.ts',
      env: {
        ...spec.env,
        API_PORT: String(apiPort),
        GATEWAY_PORT: String(gatewayPort),
        PGLITE_DATA_DIR: 'memory',
        // The demo video's media child and its ffmpeg would run beside the engine, pinned to the
        // server's core with it (children inherit the pinning): 18-22 % of a core taken from the
        // shard under test in a run of 2026-12-04. The bench measures the chat engine.
        EMBEDDED_MEDIA: 'off',
      },
      cpu: spec.cpu,
      healthUrls: [`${apiUrl}/healthz`, `${apiUrl}/readyz`],
      captureLine: PRODUCER_TOKEN_LINE,
    });
    return running([engine], () => Promise.resolve([engine.pid]), {
      kind: 'fanfare',
      shards: 1,
      apiUrl,
      serverUrls: [],
      producerToken: () => engine.captured,
    });
  }
  const launcher = await ServerProcess.start({
    name: 'fanfare-cluster',
    cwd,
    script: 'cluster/src/start-cluster.ts',
    env: {
      ...spec.env,
      SHARDS: String(spec.shards),
      API_PORT: String(apiPort),
      GATEWAY_BASE_PORT: String(await freePortRange(spec.shards)),
      // A prefix of its own: streams, subjects and registry keys never meet another run's.
      FANFARE_PREFIX: `lt${randomBytes(4).toString('hex')}`,
      ...(spec.shardCapacity === undefined ? {} : { SHARD_CAPACITY: String(spec.shardCapacity) }),
    },
    cpu: spec.cpu,
    readyTimeoutMs: CLUSTER_READY_BASE_MS + spec.shards * CLUSTER_READY_PER_SHARD_MS,
    readyLine: CLUSTER_READY_LINE,
    captureLine: PRODUCER_TOKEN_LINE,
  });
  const infra = await infraPids([NATS_PORT, REDIS_PORT]);
  const children = async (): Promise<number[]> => [...(await childPids(launcher.pid)), ...infra];
  const pidsRunning = async (script: string): Promise<number[]> => {
    const pids = await childPids(launcher.pid);
    const lines = await Promise.all(pids.map(commandLine));
    return pids.filter((_, i) => lines[i]!.includes(script));
  };
  const shardPids = (): Promise<number[]> => pidsRunning('gateway/src/main.ts');
  return running([launcher], children, {
    kind: 'fanfare',
    shards: spec.shards,
    apiUrl,
    serverUrls: [],
    connectionPids: shardPids,
    apiPids: () => pidsRunning('api/src/main.ts'),
    producerToken: () => launcher.captured,
  });
}

async function startPeers(spec: TargetSpec, cwd: string): Promise<RunningTarget> {
  const kind = spec.kind as keyof typeof PEER_SCRIPTS;
  const count = kind === 'uws-raw' ? 1 : spec.shards;
  const key = `lt-sio-${randomBytes(4).toString('hex')}`;
  const servers: ServerProcess[] = [];
  try {
    for (let i = 0; i < count; i++) {
      servers.push(
        await ServerProcess.start({
          name: count === 1 ? kind : `${kind}-${i + 1}`,
          cwd,
          script: PEER_SCRIPTS[kind],
          env: { PORT: '0', ...(count > 1 ? { REDIS_URL, REDIS_KEY: key } : {}) },
          cpu: spec.cpu,
          readyLine: LISTENING_LINE,
        }),
      );
    }
  } catch (error) {
    await Promise.allSettled(servers.map((s) => s.close()));
    throw error;
  }
  const path = kind === 'uws-raw' ? '/ws' : '/socket.io/?EIO=4&transport=websocket';
  const infra = count > 1 ? await infraPids([REDIS_PORT]) : [];
  return running(servers, () => Promise.resolve([...servers.map((s) => s.pid), ...infra]), {
    kind,
    shards: count,
    apiUrl: '',
    serverUrls: servers.map((s) => `ws://127.0.0.1:${s.port}${path}`),
    connectionPids: () => Promise.resolve(servers.map((s) => s.pid)),
  });
}

/** Starts the target's servers and resolves once they are ready. */
export async function startTarget(spec: TargetSpec, cwd: string): Promise<RunningTarget> {
  return spec.kind === 'fanfare' ? await startFanfare(spec, cwd) : await startPeers(spec, cwd);
}

/**
 * A Fanfare engine already running at `apiUrl`. Its server processes are found from the gateway
 * port a probe join names (only that shard's, in a cluster); none when they cannot be read.
 */
export async function attachFanfare(
  apiUrl: string,
  gatewayUrl: string,
  shards: number,
  producerToken: string | undefined,
): Promise<RunningTarget> {
  const pids = await pidsListeningOn(Number(new URL(gatewayUrl).port));
  return running([], () => Promise.resolve(pids), {
    kind: 'fanfare',
    shards,
    apiUrl,
    serverUrls: [],
    producerToken: () => producerToken,
  });
}
