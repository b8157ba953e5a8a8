// The engine under test as a child process (`node --import tsx embedded/src/main.ts`), so its pid
// is the server's pid and /proc gives its memory and CPU. Started on free ports, ready when the
// API's /healthz and /readyz answer 200, and always stopped: SIGTERM, then SIGKILL if it lingers, and a
// synchronous SIGKILL if the bench itself exits first.

import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { setTimeout as delay } from 'node:timers/promises';

/** How long the engine may take to answer /healthz, ms. */
export const ENGINE_READY_TIMEOUT_MS = 30_000;
/**
 * How long the engine may take to exit after SIGTERM before it is killed, ms. Above the gateway's
 * own drain bound (DRAIN_TIMEOUT_MS, 10 s by default), so a slow but orderly shutdown is not
 * mistaken for a hang.
 */
export const ENGINE_STOP_TIMEOUT_MS = 20_000;
const HEALTH_POLL_INTERVAL_MS = 100;
const HEALTH_REQUEST_TIMEOUT_MS = 1000;
/** Engine output kept for the error message when it fails, lines. */
const OUTPUT_TAIL_LINES = 40;

export interface EngineStartOptions {
  /** The repository root, where `embedded/src/main.ts` lives. */
  cwd: string;
  apiPort: number;
  gatewayPort: number;
  /** Extra environment for the engine, beside the ports. */
  env: Record<string, string>;
}

export class EngineProcess {
  readonly #child: ChildProcess;
  readonly #pid: number;
  readonly #apiUrl: string;
  readonly #tail: string[] = [];
  readonly #exited: Promise<void>;
  #exitDescription: string | undefined;
  #stopRequestedAt: number | undefined;
  readonly #killOnExit = (): void => {
    this.#child.kill('SIGKILL');
  };

  private constructor(child: ChildProcess, pid: number, apiUrl: string) {
    this.#child = child;
    this.#pid = pid;
    this.#apiUrl = apiUrl;
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
    child.on('error', (error) => this.#keep(`[bench] engine process error: ${error.message}`));
    for (const stream of [child.stdout, child.stderr]) {
      stream?.setEncoding('utf8');
      // Always read the pipes: a full pipe would block the engine mid-run.
      stream?.on('data', (chunk: string) => this.#keep(chunk));
    }
    process.once('exit', this.#killOnExit);
  }

  /** Spawns the engine and resolves once it is healthy; kills it and rejects otherwise. */
  static async start(options: EngineStartOptions): Promise<EngineProcess> {
    const child = spawn(process.execPath, ['--import', 'tsx', 'embedded/src/main.ts'], {
      cwd: options.cwd,
      env: {
        ...process.env,
        ...options.env,
        API_PORT: String(options.apiPort),
        GATEWAY_PORT: String(options.gatewayPort),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    if (child.pid === undefined) throw new Error('the engine process has no pid');
    const engine = new EngineProcess(child, child.pid, `http://127.0.0.1:${options.apiPort}`);
    try {
      await engine.#waitHealthy();
    } catch (error) {
      await engine.close();
      throw new Error(`${(error as Error).message}\n--- engine output ---\n${engine.output()}`, {
        cause: error,
      });
    }
    return engine;
  }

  get pid(): number {
    return this.#pid;
  }

  get apiUrl(): string {
    return this.#apiUrl;
  }

  /** Whether the process is still running. */
  get running(): boolean {
    return this.#exitDescription === undefined;
  }

  /** How the process ended (`exit code 0`, `signal SIGKILL`); undefined while it runs. */
  get exitDescription(): string | undefined {
    return this.#exitDescription;
  }

  /** The last lines the engine printed. */
  output(): string {
    return this.#tail.join('\n');
  }

  /** Stops the engine: SIGTERM, SIGKILL after ENGINE_STOP_TIMEOUT_MS. Idempotent. */
  async close(): Promise<void> {
    if (!this.running) return;
    this.#stopRequestedAt ??= performance.now();
    this.#child.kill('SIGTERM');
    if (await this.#exitsWithin(ENGINE_STOP_TIMEOUT_MS)) return;
    this.#child.kill('SIGKILL');
    await this.#exitsWithin(ENGINE_STOP_TIMEOUT_MS);
  }

  async #exitsWithin(ms: number): Promise<boolean> {
    const timeout = new AbortController();
    const timedOut = delay(ms, false, { signal: timeout.signal });
    const result = await Promise.race([this.#exited.then(() => true), timedOut]);
    timeout.abort();
    timedOut.catch(() => undefined); // The abort above rejects it; nobody waits for it any more.
    return result;
  }

  /**
   * Waits for /healthz, then /readyz: the API answers health before the gateway listens, and
   * readiness covers the gateway. An engine without /readyz (404) is taken as ready when healthy.
   */
  async #waitHealthy(): Promise<void> {
    const deadline = Date.now() + ENGINE_READY_TIMEOUT_MS;
    await this.#poll('/healthz', deadline, [200]);
    await this.#poll('/readyz', deadline, [200, 404]);
  }

  async #poll(path: string, deadline: number, accept: number[]): Promise<void> {
    let last = 'no answer yet';
    while (Date.now() < deadline) {
      if (!this.running)
        throw new Error(`the engine exited during startup (${this.#exitDescription})`);
      try {
        const response = await fetch(`${this.#apiUrl}${path}`, {
          signal: AbortSignal.timeout(HEALTH_REQUEST_TIMEOUT_MS),
        });
        await response.body?.cancel();
        if (accept.includes(response.status)) return;
        last = `status ${response.status}`;
      } catch (error) {
        // Expected while the engine is still starting: the port is not open yet.
        last = String(error);
      }
      await delay(HEALTH_POLL_INTERVAL_MS);
    }
    throw new Error(
      `the engine's ${path} did not answer within ${ENGINE_READY_TIMEOUT_MS} ms (${last})`,
    );
  }

  #keep(chunk: string): void {
    for (const line of chunk.split('\n')) {
      if (line.length === 0) continue;
      this.#tail.push(line);
      if (this.#tail.length > OUTPUT_TAIL_LINES) this.#tail.shift();
    }
  }
}
