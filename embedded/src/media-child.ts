// The media process (LL-HLS packager and origin, and through it the ffmpeg ingests) as a child of
// the embedded engine: media work never shares the engine's event loop. The child is
// `media/src/main.ts` run by this same Node (with tsx, or its build from a build), with an IPC
// channel so it exits when the engine goes, even killed; close() stops it with SIGTERM (its
// graceful path: ffmpeg stopped first) and SIGKILLs it past a bound.

import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SCRIPT = 'media/src/main.ts';
/** How long the media process may take to listen, ms (tsx compiles it first). */
export const MEDIA_START_LIMIT_MS = 30_000;
/** How long it may take to stop after SIGTERM before it is killed, ms. */
export const MEDIA_STOP_LIMIT_MS = 5_000;

/** Run from the build (embedded/dist), the child runs media's build too, without tsx. */
const FROM_BUILD = import.meta.url.endsWith('.js');

function nodeArgs(): string[] {
  if (!FROM_BUILD) return ['--import', 'tsx', SCRIPT];
  return ['--conditions=@fanfare/dist', SCRIPT.replace('/src/', '/dist/').replace(/\.ts$/, '.js')];
}

export interface MediaChildOptions {
  /** The child's whole environment (MEDIA_* variables, PATH for ffmpeg). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Every line the child writes (its log: the demo stream, ffmpeg missing, refusals). */
  readonly log: (line: string) => void;
}

export class MediaChild {
  readonly #child: ChildProcess;
  readonly #exited: Promise<void>;
  #closing: Promise<void> | undefined;

  private constructor(child: ChildProcess) {
    this.#child = child;
    this.#exited = new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve();
      else child.once('exit', () => resolve());
    });
  }

  /** The child's pid (tests check it and its ffmpeg children are gone after close). */
  get pid(): number | undefined {
    return this.#child.pid;
  }

  /** Starts the child and resolves with its origin URL once it listens. */
  static async start(options: MediaChildOptions): Promise<{ child: MediaChild; url: string }> {
    const proc = spawn(process.execPath, nodeArgs(), {
      cwd: ROOT,
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    const child = new MediaChild(proc);
    let resolveUrl: (url: string) => void = () => undefined;
    const listening = new Promise<string>((resolve) => (resolveUrl = resolve));
    for (const stream of [proc.stdout, proc.stderr]) {
      let partial = '';
      stream?.on('data', (chunk: Buffer) => {
        const lines = (partial + chunk.toString()).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) {
          // main.ts prints this once the origin listens (and the demo stream has started).
          const m = /^media: origin on (https?:\/\/\S+)/.exec(line);
          if (m) resolveUrl(m[1]!);
          options.log(line);
        }
      });
    }
    let timer: NodeJS.Timeout | undefined;
    const failed = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(new Error(`the media process did not listen within ${MEDIA_START_LIMIT_MS} ms`)),
        MEDIA_START_LIMIT_MS,
      );
      void child.#exited.then(() =>
        reject(new Error(`the media process exited while starting (${proc.exitCode})`)),
      );
    });
    failed.catch(() => undefined); // only the race below reads it; later rejections are moot
    try {
      const url = await Promise.race([listening, failed]);
      return { child, url };
    } catch (err) {
      await child.close();
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  /** SIGTERM, then SIGKILL past MEDIA_STOP_LIMIT_MS; resolves once the child exited. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      const proc = this.#child;
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), MEDIA_STOP_LIMIT_MS);
      await this.#exited;
      clearTimeout(timer);
    })();
    return this.#closing;
  }
}
