// Stream keys outlive a restart of the media process: it holds them in memory only, so the API
// keeps each event's key hash (db.streamKeys, written by the stream route) and hands the media
// process every one it lacks. The restorer runs once at start and then every
// STREAM_KEY_RESTORE_INTERVAL_MS: a media process that restarted has its keys back within that
// time, with no call from it to the API. Asking costs one status call per event that has a key
// and has not ended. Handing an identical hash again never rotates (the media process ignores
// it), so two API replicas restoring together do no harm.

import type { Clock, TimerHandle } from '@fanfare/fanout';
import type { StreamKeyRepo } from '@fanfare/db';
import type { StreamControl } from './stream-control.js';

/** How often the API checks that the media process holds every stored key, ms. */
export const STREAM_KEY_RESTORE_INTERVAL_MS = 5000;

/** Hands the media process every stored key hash it lacks; answers the events restored. */
export async function restoreStreamKeys(
  keys: StreamKeyRepo,
  streams: StreamControl,
): Promise<string[]> {
  const restored: string[] = [];
  for (const { eventId, sha256 } of await keys.listLive()) {
    if (await streams.info(eventId)) continue;
    await streams.setKey(eventId, sha256);
    restored.push(eventId);
  }
  return restored;
}

/** The loop around restoreStreamKeys; one log line per restore and per failure streak. */
export class StreamKeyRestorer {
  readonly #keys: StreamKeyRepo;
  readonly #streams: StreamControl;
  readonly #clock: Clock;
  readonly #log: (line: string) => void;
  #timer: TimerHandle | undefined;
  #failing = false;
  #running: Promise<void> | undefined;

  constructor(deps: {
    keys: StreamKeyRepo;
    streams: StreamControl;
    clock: Clock;
    log: (line: string) => void;
  }) {
    this.#keys = deps.keys;
    this.#streams = deps.streams;
    this.#clock = deps.clock;
    this.#log = deps.log;
  }

  start(): void {
    this.#timer ??= this.#clock.setInterval(() => void this.pass(), STREAM_KEY_RESTORE_INTERVAL_MS);
    void this.pass();
  }

  /** One pass (the loop's; tests call it). Never rejects. */
  pass(): Promise<void> {
    this.#running ??= (async () => {
      try {
        const restored = await restoreStreamKeys(this.#keys, this.#streams);
        if (restored.length > 0) {
          this.#log(`stream keys restored to the media process: ${restored.join(', ')}`);
        }
        this.#failing = false;
      } catch (err) {
        if (!this.#failing) {
          this.#log(`stream keys not restored yet: ${(err as Error).message}`);
        }
        this.#failing = true;
      } finally {
        this.#running = undefined;
      }
    })();
    return this.#running;
  }

  async close(): Promise<void> {
    if (this.#timer !== undefined) this.#clock.clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }
}
