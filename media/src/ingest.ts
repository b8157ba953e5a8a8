// Runs one event's ingest: an ffmpeg process (never the Node event loop) that reads the encoder
// or the demo pattern and writes every rendition as fMP4 to its own pipe; each pipe feeds a
// CmafReader and the rendition's window. When ffmpeg exits (the encoder hung up, or it crashed)
// it is started again after a pause: the new init segment marks a discontinuity in every
// rendition. ffmpeg's stderr is kept (last lines) for diagnostics with every secret redacted.
//
// States: idle (not started) -> running (ffmpeg up) -> waiting (exited, restart pending) ->
// running ...; close() moves any state to closed, which ends the playlists.

import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';
import { CmafReader } from './cmaf-reader.js';
import {
  FIRST_OUTPUT_FD,
  ingestArgs,
  type IngestSource,
  type LadderOptions,
} from './ffmpeg-args.js';
import type { LiveStream } from './live-stream.js';
import type { SetTimer } from './origin.js';

/** Pause before ffmpeg is started again after it exited. */
export const RESTART_DELAY_MS = 500;
/** Lines of ffmpeg's stderr kept for diagnostics. */
export const STDERR_LINES_KEPT = 50;

export type IngestState = 'idle' | 'running' | 'waiting' | 'closed';

const TRANSITIONS: Record<IngestState, readonly IngestState[]> = {
  idle: ['running', 'closed'],
  running: ['waiting', 'closed'],
  waiting: ['running', 'closed'],
  closed: [],
};

export interface IngestOptions {
  readonly stream: LiveStream;
  readonly source: IngestSource;
  readonly ladder: LadderOptions;
  readonly ffmpegPath: string;
  /** Strings never to show in logs (the stream key, the SRT passphrase). */
  readonly secrets: readonly string[];
  readonly setTimer: SetTimer;
  /** One line per notable event (start, exit, bad output), secrets already redacted. */
  readonly log: (line: string) => void;
  /** Called for each part (CMAF fragment) handed to a rendition (metrics). */
  readonly onPart?: (rendition: string) => void;
  /** Called each time ffmpeg is started again after it exited (metrics). */
  readonly onRestart?: () => void;
}

export class Ingest {
  readonly #options: IngestOptions;
  #state: IngestState = 'idle';
  #child: ChildProcess | undefined;
  #cancelRestart: (() => void) | undefined;
  #stderr: string[] = [];
  #starts = 0;
  #exitWaiters: (() => void)[] = [];

  constructor(options: IngestOptions) {
    this.#options = options;
  }

  get state(): IngestState {
    return this.#state;
  }

  /** How many times ffmpeg was started. */
  get starts(): number {
    return this.#starts;
  }

  /** The last lines ffmpeg wrote to stderr, secrets redacted. */
  get stderr(): readonly string[] {
    return this.#stderr;
  }

  /** The running ffmpeg's pid (tests kill it to play an encoder restart). */
  get pid(): number | undefined {
    return this.#child?.pid;
  }

  start(): void {
    this.#spawn();
  }

  /** Stops ffmpeg for good and ends the playlists. Idempotent. */
  async close(): Promise<void> {
    if (this.#state === 'closed') return;
    const child = this.#child;
    this.#move('closed');
    this.#cancelRestart?.();
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => this.#exitWaiters.push(resolve));
      child.kill('SIGTERM');
      await exited;
    }
    for (const r of this.#options.stream.renditions) r.end();
  }

  #move(to: IngestState): void {
    if (!TRANSITIONS[this.#state].includes(to)) {
      throw new Error(`ingest cannot move from ${this.#state} to ${to}`);
    }
    this.#state = to;
  }

  #redact(text: string): string {
    // ffmpeg's RTMP listener names any stream it did not expect: never log a guessed key either.
    let out = text.replace(/Unexpected stream \S+/g, 'Unexpected stream [redacted]');
    for (const secret of this.#options.secrets) {
      if (secret) out = out.split(secret).join('[redacted]');
    }
    return out;
  }

  #spawn(): void {
    this.#move('running');
    this.#starts++;
    const { ladder, stream } = this.#options;
    const outputs = ladder.renditions.length;
    const child = spawn(this.#options.ffmpegPath, ingestArgs(this.#options.source, ladder), {
      stdio: [
        'ignore',
        'ignore',
        'pipe',
        ...Array.from({ length: outputs }, () => 'pipe' as const),
      ],
    });
    this.#child = child;
    ladder.renditions.forEach((spec, i) => {
      const rendition = stream.rendition(spec.name);
      const pipe = child.stdio[FIRST_OUTPUT_FD + i] as Readable | null;
      if (!rendition || !pipe) return;
      const reader = new CmafReader();
      pipe.on('data', (chunk: Buffer) => {
        try {
          for (const event of reader.push(chunk)) {
            if (event.kind === 'init') rendition.addInit(event.bytes, event.init);
            else {
              rendition.addFragment(event.bytes, event.fragment);
              this.#options.onPart?.(spec.name);
            }
          }
        } catch (err) {
          // The pipe cannot be resynchronised after a malformed box: restart ffmpeg.
          this.#options.log(`rendition ${spec.name}: ${(err as Error).message}; restarting ffmpeg`);
          child.kill('SIGKILL');
        }
      });
      // The pipe closes with the process; 'error' only on a broken fd, also ended by exit.
      pipe.on('error', () => undefined);
    });
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (text: string) => {
      for (const line of this.#redact(text).split('\n')) {
        if (line.trim() === '') continue;
        this.#stderr.push(line);
        if (this.#stderr.length > STDERR_LINES_KEPT) this.#stderr.shift();
      }
    });
    child.on('error', (err) => this.#options.log(`ffmpeg could not start: ${err.message}`));
    child.on('close', (code, signal) => {
      this.#child = undefined;
      for (const w of this.#exitWaiters.splice(0)) w();
      if (this.#state === 'closed') return;
      this.#options.log(
        `ffmpeg for ${stream.eventId} exited (${signal ?? `code ${code}`}); restarting in ${RESTART_DELAY_MS} ms` +
          (this.#stderr.length ? `: ${this.#stderr.at(-1)}` : ''),
      );
      this.#move('waiting');
      this.#cancelRestart = this.#options.setTimer(() => {
        this.#cancelRestart = undefined;
        if (this.#state !== 'waiting') return;
        this.#options.onRestart?.();
        this.#spawn();
      }, RESTART_DELAY_MS);
    });
  }
}
