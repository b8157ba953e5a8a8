// Real NATS for tests: the machine's server (NATS_URL or 127.0.0.1:4222) with a subject prefix
// per run, or a private nats-server on a port of its own choosing that a test may kill and
// restart. A missing server or binary fails the test under CI=true and skips it elsewhere.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NatsConnection, Status } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';

/**
 * How long a private server may take to say it is ready, ms: a limit for a hang, as for the
 * suite's other spawned servers (docs/testing.md: 60-90 s); the 10 s it was made a JetStream
 * start beside another file's servers on a loaded machine a speed check.
 */
const SERVER_READY_TIMEOUT_MS = 60_000;

export function natsUrl(): string {
  return process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
}

function unavailable(what: string, cause?: unknown): false {
  if (process.env.CI === 'true') throw new Error(`${what} is required under CI`, { cause });
  console.warn(`${what} is unavailable: skipping its tests (under CI=true they would fail)`);
  return false;
}

/**
 * How long the probe waits for the shared server's handshake, ms: a refused connection fails at
 * once, so this only bounds a slow answer, which under CI=true would fail the whole file as a
 * missing server: 2 s was a speed check a loaded machine could fail. 10 s, as ioredis gives Redis.
 */
const PROBE_TIMEOUT_MS = 10_000;

/** True when the shared server answers; false (skip) when it does not, outside CI. */
export async function requireNats(): Promise<boolean> {
  try {
    const nc = await connect({ servers: natsUrl(), timeout: PROBE_TIMEOUT_MS, reconnect: false });
    await nc.close();
    return true;
  } catch (err) {
    return unavailable(`NATS at ${natsUrl()}`, err);
  }
}

export function natsServerBinary(): string {
  return process.env.NATS_SERVER_BIN ?? 'nats-server';
}

/** True when a nats-server binary can be run; false (skip) when not, outside CI. */
export function requireNatsServerBinary(): boolean {
  const probe = spawnSync(natsServerBinary(), ['--version'], { timeout: 5_000 });
  return probe.status === 0 || unavailable(`the ${natsServerBinary()} binary`, probe.error);
}

/** A subject prefix (and so a stream-name prefix) no other run uses. */
export function natsTestPrefix(): string {
  return `t${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
}

/** `promise`, or a rejection naming `what` once `ms` have passed. */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Counts a connection's status events from now on, so a test can wait for the n-th one. */
export interface StatusWatch {
  count(type: Status['type']): number;
  /** Resolves once `n` events of `type` have been seen since the watch started. */
  until(type: Status['type'], n?: number): Promise<void>;
  stop(): void;
}

export function watchStatus(nc: NatsConnection): StatusWatch {
  const counts = new Map<Status['type'], number>();
  const waiters = new Set<() => void>();
  const iterator = nc.status()[Symbol.asyncIterator]();
  const count = (type: Status['type']) => counts.get(type) ?? 0;
  void (async () => {
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      counts.set(next.value.type, count(next.value.type) + 1);
      for (const wake of [...waiters]) wake();
    }
  })();
  return {
    count,
    until(type, n = 1) {
      return new Promise<void>((resolve) => {
        const check = () => {
          if (count(type) < n) return;
          waiters.delete(check);
          resolve();
        };
        waiters.add(check);
        check();
      });
    },
    stop() {
      void iterator.return?.();
    },
  };
}

/** A nats-server process of the test's own, with JetStream in a temporary directory. */
export interface TestNatsServer {
  readonly url: string;
  readonly port: number;
  /** Kills the process with SIGKILL (a crash) and resolves once it has exited. */
  kill(): Promise<void>;
  /** Starts it again on the same port and store; resolves once it accepts clients. */
  restart(): Promise<void>;
  /** Kills it and removes its store. Idempotent. */
  dispose(): Promise<void>;
}

/** Starts a private server on a port it picks (`-p -1`); resolves once it is ready. */
export async function startNatsServer(): Promise<TestNatsServer> {
  const dir = await mkdtemp(join(tmpdir(), 'fanfare-nats-'));
  let child: ChildProcess | undefined;
  let port: number;
  try {
    ({ child, port } = await launch(dir, -1));
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  const kill = async () => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
    running.kill('SIGKILL');
    await exited;
  };
  let disposed: Promise<void> | undefined;
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    kill,
    async restart() {
      await kill();
      ({ child } = await launch(dir, port));
    },
    dispose() {
      disposed ??= kill().then(() => rm(dir, { recursive: true, force: true }));
      return disposed;
    },
  };
}

/** Spawns the server and waits for "Server is ready" on its log (stderr), reading the port. */
function launch(dir: string, port: number): Promise<{ child: ChildProcess; port: number }> {
  const args = ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', dir];
  const child = spawn(natsServerBinary(), args, { stdio: ['ignore', 'ignore', 'pipe'] });
  return within(
    new Promise<{ child: ChildProcess; port: number }>((resolve, reject) => {
      let log = '';
      let ready = false;
      let listening = port;
      child.once('error', reject);
      child.once('exit', (code) =>
        reject(new Error(`nats-server exited (${code}) before it was ready:\n${log}`)),
      );
      // Keep reading for the process's whole life: a full pipe would block the server.
      child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
        if (ready) return;
        log += chunk;
        const bound = /Listening for client connections on [^:\s]+:(\d+)/.exec(log);
        if (bound) listening = Number(bound[1]);
        if (log.includes('Server is ready')) {
          ready = true;
          resolve({ child, port: listening });
        }
      });
    }),
    SERVER_READY_TIMEOUT_MS,
    'nats-server ready',
  ).catch((err: unknown) => {
    child.kill('SIGKILL');
    throw err;
  });
}
