// The load tester's side of one generator process: fork it through tsx (pinned to the generator
// core), send it commands and await their replies with a bound, and make sure it is gone at the
// end. A worker that dies fails every command still waiting on it instead of hanging the run.

import { execFileSync, fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type {
  BenchCommand,
  BenchCommandKind,
  ReplyByCommand,
  WorkerMessage,
} from './worker-messages.js';

/** How long a worker may take to start (tsx compiles it first), ms. */
export const WORKER_READY_TIMEOUT_MS = 20_000;
/** How long a worker may take to exit once told to, before it is killed, ms. */
const WORKER_EXIT_TIMEOUT_MS = 5000;

const WORKER_MODULE = fileURLToPath(new URL('./fan-worker.ts', import.meta.url));

/**
 * `node --cpu-prof` flags when LOADTEST_CPU_PROF names a directory: every generator and server
 * the run starts then writes a .cpuprofile there when it exits (open it in Chrome DevTools).
 */
export function cpuProfileArgs(): string[] {
  const dir = process.env.LOADTEST_CPU_PROF;
  return dir === undefined || dir === '' ? [] : ['--cpu-prof', '--cpu-prof-dir', dir];
}

/** Pins every thread of `pid` to `cpu` with taskset; false when that is not possible here. */
export function pinProcess(pid: number, cpu: number): boolean {
  try {
    execFileSync('taskset', ['-a', '-p', '-c', String(cpu), String(pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false; // No taskset, or a single-core machine: run unpinned; the report shows CPU use.
  }
}

/** A command's fields beside its kind and id. */
export type CommandBody<K extends BenchCommandKind> = Omit<
  Extract<BenchCommand, { kind: K }>,
  'id' | 'kind'
>;

interface Pending {
  resolve(result: ReplyByCommand[BenchCommandKind]): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

export class FanWorkerHandle {
  readonly index: number;
  readonly #child: ChildProcess;
  readonly #pending = new Map<number, Pending>();
  readonly #exited: Promise<void>;
  #nextId = 1;
  #exitDescription: string | undefined;
  readonly #killOnExit = (): void => {
    this.#child.kill('SIGKILL');
  };

  private constructor(index: number, child: ChildProcess) {
    this.index = index;
    this.#child = child;
    this.#exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.#exitDescription = signal === null ? `exit code ${code}` : `signal ${signal}`;
        process.off('exit', this.#killOnExit);
        this.#failAll(new Error(`worker ${index} exited (${this.#exitDescription})`));
        resolve();
      });
    });
    child.on('message', (message: WorkerMessage) => this.#onMessage(message));
    // A failed send or kill shows up as an exit or a command timeout; nothing more to do here.
    child.on('error', () => undefined);
    process.once('exit', this.#killOnExit);
  }

  /**
   * Forks worker `index` from `cwd` (where tsx resolves) and waits until it is ready. With `cpu`,
   * the worker and all its threads are pinned to that core (when taskset exists).
   */
  static async start(index: number, cwd: string, cpu?: number): Promise<FanWorkerHandle> {
    const child = fork(WORKER_MODULE, [], {
      cwd,
      execArgv: ['--import', 'tsx', ...cpuProfileArgs()],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      serialization: 'json',
    });
    if (cpu !== undefined && child.pid !== undefined) pinProcess(child.pid, cpu);
    const handle = new FanWorkerHandle(index, child);
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`worker ${index} not ready within ${WORKER_READY_TIMEOUT_MS} ms`)),
          WORKER_READY_TIMEOUT_MS,
        );
        child.once('message', () => {
          clearTimeout(timer);
          resolve();
        });
        child.once('exit', () => {
          clearTimeout(timer);
          reject(new Error(`worker ${index} exited during startup`));
        });
      });
    } catch (error) {
      await handle.close();
      throw error;
    }
    return handle;
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  /** Sends one command and resolves with its reply; rejects on failure, exit or timeout. */
  request<K extends BenchCommandKind>(
    kind: K,
    body: CommandBody<K>,
    timeoutMs: number,
  ): Promise<ReplyByCommand[K]> {
    const id = this.#nextId++;
    return new Promise<ReplyByCommand[K]>((resolve, reject) => {
      if (this.#exitDescription !== undefined) {
        reject(new Error(`worker ${this.index} has exited (${this.#exitDescription})`));
        return;
      }
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new Error(`worker ${this.index} did not answer \`${kind}\` within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#pending.set(id, {
        // The worker answers command `id` with the reply type of its kind (worker-messages.ts).
        resolve: (result) => resolve(result as ReplyByCommand[K]),
        reject,
        timer,
      });
      this.#child.send({ ...body, kind, id } as BenchCommand);
    });
  }

  /** Ends the worker: IPC disconnect (it exits on that), SIGKILL if it lingers. Idempotent. */
  async close(): Promise<void> {
    if (this.#exitDescription !== undefined) return;
    if (this.#child.connected) this.#child.disconnect();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), WORKER_EXIT_TIMEOUT_MS);
    });
    const exited = await Promise.race([this.#exited.then(() => true), timedOut]);
    clearTimeout(timer);
    if (!exited) {
      this.#child.kill('SIGKILL');
      await this.#exited;
    }
  }

  #onMessage(message: WorkerMessage): void {
    if (message.kind === 'ready') return;
    const pending = this.#pending.get(message.id);
    if (pending === undefined) return; // Answer to a command that already timed out.
    this.#pending.delete(message.id);
    clearTimeout(pending.timer);
    if (message.kind === 'reply') pending.resolve(message.result);
    else pending.reject(new Error(`worker ${this.index}: ${message.message}`));
  }

  #failAll(error: Error): void {
    for (const pending of this.#pending.values()) {
      clearTimeout(pending.timer);
      pending.reject(error);
    }
    this.#pending.clear();
  }
}
