// The API's one seam to the media process for live video: set an event's stream key and read its
// stream's status. The API does no media work and keeps no stream state: the media process owns
// the ingest and its status, and this asks it over HTTP (`/control/...` on the media origin,
// media/src/control-routes.ts). Only the key's SHA-256 crosses: the key itself lives in the
// route's answer to the producer and nowhere else.

import { controlToken, type StreamInfo } from '@fanfare/media';

export type { StreamInfo };

/** How long the API waits for the media process before answering `media_unavailable`, ms. */
export const MEDIA_CONTROL_TIMEOUT_MS = 3000;

/** Why the media process did not do what was asked. */
export class StreamControlError extends Error {
  override readonly name = 'StreamControlError';
  constructor(
    /** unavailable: unreachable, timed out or failed; conflict: the demo pattern feeds the event. */
    readonly code: 'unavailable' | 'conflict',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The seam. Both calls throw StreamControlError; neither is ever given the key itself. */
export interface StreamControl {
  /**
   * Makes `keySha256` (64 hex digits) the event's stream key: the first opens the event's ingest,
   * a later one rotates it (the media process cuts publishers with the old key and refuses it).
   */
  setKey(eventId: string, keySha256: string): Promise<StreamInfo>;
  /** The event's stream, or undefined when it has none (no key was ever set, no demo). */
  info(eventId: string): Promise<StreamInfo | undefined>;
  /**
   * The event ended: its key leads nowhere on the shared ingest ports, its publisher is cut and
   * its ingest stopped. An event without a stream is no error.
   */
  end(eventId: string): Promise<void>;
}

/** The media process's control routes over HTTP, authenticated by the shared secret. */
export class HttpStreamControl implements StreamControl {
  readonly #base: string;
  readonly #auth: string;

  constructor(options: { url: string; secret: Buffer }) {
    this.#base = `${options.url.replace(/\/+$/, '')}/control/events`;
    this.#auth = `Bearer ${controlToken(options.secret)}`;
  }

  async setKey(eventId: string, keySha256: string): Promise<StreamInfo> {
    const res = await this.#call(`${encodeURIComponent(eventId)}/stream-key`, {
      method: 'PUT',
      body: JSON.stringify({ sha256: keySha256 }),
    });
    if (res.status === 409) {
      throw new StreamControlError('conflict', `the demo pattern feeds event ${eventId}`);
    }
    return this.#json(res);
  }

  async info(eventId: string): Promise<StreamInfo | undefined> {
    const res = await this.#call(`${encodeURIComponent(eventId)}/stream`, { method: 'GET' });
    if (res.status === 404) return undefined;
    return this.#json(res);
  }

  async end(eventId: string): Promise<void> {
    const res = await this.#call(`${encodeURIComponent(eventId)}/stream`, { method: 'DELETE' });
    if (res.status !== 204 && res.status !== 404) {
      throw new StreamControlError('unavailable', `the media process answered ${res.status}`);
    }
  }

  async #call(path: string, init: { method: string; body?: string }): Promise<Response> {
    try {
      return await fetch(`${this.#base}/${path}`, {
        ...init,
        headers: { authorization: this.#auth, 'content-type': 'application/json' },
        signal: AbortSignal.timeout(MEDIA_CONTROL_TIMEOUT_MS),
      });
    } catch (err) {
      throw new StreamControlError('unavailable', 'the media process is unreachable', {
        cause: err,
      });
    }
  }

  async #json(res: Response): Promise<StreamInfo> {
    if (res.status !== 200) {
      throw new StreamControlError('unavailable', `the media process answered ${res.status}`);
    }
    return (await res.json()) as StreamInfo;
  }
}
