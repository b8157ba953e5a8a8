// A server under test as a child process (`node --import tsx <script>`, pinned to a core with
// taskset when asked), so its pid is the server's and /proc gives its memory and CPU. Ready when
// it prints its ready line (the peers' `listening <port>`) and its health URLs answer; stopped:
// SIGTERM, then SIGKILL if it lingers, and a synchronous SIGKILL if the load tester exits first.

import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { cpuProfileArgs } from './fan-worker-handle.js';

/** How long a server may take to become ready, ms. */
export const SERVER_READY_TIMEOUT_MS = 90_000;
/**
 * How long a server may take to exit after SIGTERM before it is killed, ms. Above the gateway's
 * own drain bound (DRAIN_TIMEOUT_MS, 10 s by default), so an orderly shutdown is not cut short.
 */
export const SERVER_STOP_TIMEOUT_MS = 20_000;
const HEALTH_POLL_INTERVAL_MS = 100;
const HEALTH_REQUEST_TIMEOUT_MS = 1000;
/** Output kept for the error message when a server fails, lines. */
const OUTPUT_TAIL_LINES = 40;

export interface ServerStartOptions {
  /** A short name for messages (`fanfare`, `socketio-2`). */
  name: string;
  /** The repository root: scripts are relative to it and tsx resolves from it. */
  cwd: string;
  script: string;
  env: Record<string, string>;
  /** Core to pin the process (and its children) to; undefined: no pinning. */
  cpu: number | undefined;
  /** Ready when every URL answers 200 (404 is taken as "no such check here"). */
  healthUrls?: string[];
  /** Ready once a line of output matches; a first capture group is the port it listens on. */
  readyLine?: RegExp;
  /** The first capture group of the first output line this matches is kept (`captured`). */
  captureLine?: RegExp;
  /** How long it may take to become ready, ms (default SERVER_READY_TIMEOUT_MS). */
  readyTimeoutMs?: number;
}

/** The peers' ready line. */
export const LISTENING_LINE = /^listening (\d+)$/;

/**
 * NODE_OPTIONS for a server and the processes it starts: where the inspector listens if SIGUSR1
 * opens it (inspector-gc.ts, the join storm's memory reading), an ephemeral port, so that no two
 * servers, and no other program's 9229, collide. It opens nothing by itself.
 */
export function serverNodeOptions(inherited: string | undefined): string {
  return [inherited, '--inspect-port=127.0.0.1:0']
    .filter((o) => o !== undefined && o !== '')
    .join(' ');
}

let tasksetChecked: boolean | undefined;

/** Whether `taskset` exists here (util-linux); pinning is skipped without it. */
export function tasksetAvailable(): boolean {
  if (tasksetChecked === undefined) {
    try {
      readFileSync('/usr/bin/taskset');
      tasksetChecked = true;
    } catch {
      tasksetChecked = false; // Not installed: processes run unpinned and the report says so.
    }
  }
  return tasksetChecked;
}

export class ServerProcess {
  readonly name: string;
  readonly #child: ChildProcess;
  readonly #pid: number;
  readonly #tail: string[] = [];
  readonly #exited: Promise<void>;
  #port: number | undefined;
  #readyLine: RegExp | undefined;
  #captureLine: RegExp | undefined;
  #captured: string | undefined;
  #onReadyLine: (() => void) | undefined;
  #sawReadyLine = false;
  #exitDescription: string | undefined;
  #stopRequestedAt: number | undefined;
  readonly #killOnExit = (): void => {
    this.#child.kill('SIGKILL');
  };

  private constructor(
    name: string,
    child: ChildProcess,
    pid: number,
    lines: Pick<ServerStartOptions, 'readyLine' | 'captureLine'>,
  ) {
    this.name = name;
    this.#readyLine = lines.readyLine;
    this.#captureLine = lines.captureLine;
    this.#child = child;
    this.#pid = pid;
    this.#exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        const how = signal === null ? `exit code ${code}` : `signal ${signal}`;
        this.#exitDescription =
          this.#stopRequestedAt === undefined
            ? how
            : `${how} ${Math.round(performance.now() - this.#stopRequestedAt)} ms after SIGTERM`;
        process.off('exit', this.#killOnExit);
        resolve();
      });
    });
    // Errors after the spawn (a failed kill) change nothing here; the exit is what counts.
    child.on('error', (error) => this.#keep(`process error: ${error.message}`));
    for (const stream of [child.stdout, child.stderr]) {
      stream?.setEncoding('utf8');
      // Always read the pipes: a full pipe would block the server mid-run.
      stream?.on('data', (chunk: string) => this.#keep(chunk));
    }
    process.once('exit', this.#killOnExit);
  }

  /** Spawns the server and resolves once it is ready; kills it and rejects otherwise. */
  static async start(options: ServerStartOptions): Promise<ServerProcess> {
    const node = [process.execPath, '--import', 'tsx', ...cpuProfileArgs(), options.script];
    const pin = options.cpu !== undefined && tasksetAvailable();
    const argv = pin ? ['taskset', '-c', String(options.cpu), ...node] : node;
    const child = spawn(argv[0]!, argv.slice(1), {
      cwd: options.cwd,
      env: {
        ...process.env,
        ...options.env,
        NODE_OPTIONS: serverNodeOptions(options.env.NODE_OPTIONS ?? process.env.NODE_OPTIONS),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    if (child.pid === undefined) throw new Error(`${options.name}: the process has no pid`);
    // taskset execs the command, so the pid is the server's own.
    const server = new ServerProcess(options.name, child, child.pid, options);
    try {
      const deadline = Date.now() + (options.readyTimeoutMs ?? SERVER_READY_TIMEOUT_MS);
      if (options.readyLine !== undefined) await server.#waitReadyLine(deadline);
      for (const url of options.healthUrls ?? []) await server.#poll(url, deadline);
    } catch (error) {
      await server.close();
      throw new Error(
        `${options.name}: ${(error as Error).message}\n--- its output ---\n${server.output()}`,
        { cause: error },
      );
    }
    return server;
  }

  get pid(): number {
    return this.#pid;
  }

  /** The port from the ready line's capture group; undefined when it has none. */
  get port(): number | undefined {
    return this.#port;
  }

  /** What `captureLine` captured; undefined until a line matched (the tail may have moved on). */
  get captured(): string | undefined {
    return this.#captured;
  }

  get running(): boolean {
    return this.#exitDescription === undefined;
  }

  /** How the process ended (`exit code 0`, `signal SIGKILL`); undefined while it runs. */
  get exitDescription(): string | undefined {
    return this.#exitDescription;
  }

  /** The last lines the server printed. */
  output(): string {
    return this.#tail.join('\n');
  }

  /** Stops the server: SIGTERM, SIGKILL after SERVER_STOP_TIMEOUT_MS. Idempotent. */
  async close(): Promise<void> {
    if (!this.running) return;
    this.#stopRequestedAt ??= performance.now();
    this.#child.kill('SIGTERM');
    if (await this.#exitsWithin(SERVER_STOP_TIMEOUT_MS)) return;
    this.#child.kill('SIGKILL');
    await this.#exitsWithin(SERVER_STOP_TIMEOUT_MS);
  }

  async #exitsWithin(ms: number): Promise<boolean> {
    const timeout = new AbortController();
    const timedOut = delay(ms, false, { signal: timeout.signal });
    const result = await Promise.race([this.#exited.then(() => true), timedOut]);
    timeout.abort();
    timedOut.catch(() => undefined); // The abort above rejects it; nobody waits for it any more.
    return result;
  }

  async #waitReadyLine(deadline: number): Promise<void> {
    if (this.#sawReadyLine) return;
    const port = new Promise<boolean>((resolve) => (this.#onReadyLine = () => resolve(true)));
    const timeout = new AbortController();
    const timedOut = delay(Math.max(0, deadline - Date.now()), undefined, {
      signal: timeout.signal,
    });
    const exited = this.#exited.then(() => undefined);
    const result = await Promise.race([port, timedOut, exited]);
    timeout.abort();
    timedOut.catch(() => undefined); // Aborted above once the race is decided.
    if (result === undefined) {
      throw new Error(
        this.running
          ? `no ready line (${String(this.#readyLine)}) in time`
          : `exited during startup (${this.#exitDescription})`,
      );
    }
  }

  async #poll(url: string, deadline: number): Promise<void> {
    let last = 'no answer yet';
    while (Date.now() < deadline) {
      if (!this.running) throw new Error(`exited during startup (${this.#exitDescription})`);
      try {
        const response = await fetch(url, {
          signal: AbortSignal.timeout(HEALTH_REQUEST_TIMEOUT_MS),
        });
        await response.body?.cancel();
        if (response.status === 200 || response.status === 404) return;
        last = `status ${response.status}`;
      } catch (error) {
        // Expected while the server is still starting: the port is not open yet.
        last = String(error);
      }
      await delay(HEALTH_POLL_INTERVAL_MS);
    }
    throw new Error(`${url} did not answer within ${SERVER_READY_TIMEOUT_MS} ms (${last})`);
  }

  #keep(chunk: string): void {
    for (const line of chunk.split('\n')) {
      if (line.length === 0) continue;
      if (this.#captured === undefined && this.#captureLine !== undefined) {
        this.#captured = this.#captureLine.exec(line)?.[1];
      }
      const ready = this.#sawReadyLine ? null : (this.#readyLine?.exec(line) ?? null);
      if (ready !== null) {
        this.#sawReadyLine = true;
        if (ready[1] !== undefined) this.#port = Number(ready[1]);
        this.#onReadyLine?.();
      }
      this.#tail.push(line);
      if (this.#tail.length > OUTPUT_TAIL_LINES) this.#tail.shift();
    }
  }
}
