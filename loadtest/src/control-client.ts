// The producer's side of the control API, as much of it as the poll-burst scenario needs: open a
// poll, close it (the API persists the exact recount) or cancel it, and read it back. A staff bearer token
// with the producer role authorises every call. Failures name the call, the status and the
// problem's code, so a run that cannot start its poll says why.

import type { PollView } from '@fanfare/protocol';
import type { PollResultJson } from './poll-figures.js';

/** Bound on one control call, ms. */
const CONTROL_TIMEOUT_MS = 10_000;

export interface NewPoll {
  question: string;
  options: string[];
  /** Seconds until it closes by itself (15-1800). */
  durationS: number;
  /** Open even while other polls of the event are open. */
  allowConcurrent?: boolean;
}

export interface PollRead {
  poll: PollView & { result?: PollResultJson };
  /** The running count while the poll is open. */
  tally?: { version: number; counts: number[]; total: number };
}

export class ControlError extends Error {
  override name = 'ControlError';
  /** HTTP status, 0 when there was no answer. */
  readonly status: number;

  constructor(message: string, status: number, options?: { cause?: unknown }) {
    super(message, options);
    this.status = status;
  }
}

export class ControlClient {
  readonly #apiUrl: string;
  readonly #token: string;

  constructor(apiUrl: string, producerToken: string) {
    this.#apiUrl = apiUrl;
    this.#token = producerToken;
  }

  async openPoll(eventId: string, poll: NewPoll): Promise<PollView> {
    const body = await this.#call('POST', `/v1/events/${enc(eventId)}/polls`, poll);
    return (body as { poll: PollView }).poll;
  }

  async closePoll(eventId: string, pollId: string): Promise<PollView> {
    const body = await this.#call('POST', `/v1/events/${enc(eventId)}/polls/${enc(pollId)}/close`);
    return (body as { poll: PollView }).poll;
  }

  /** Cancels a poll: no result is kept. */
  async cancelPoll(eventId: string, pollId: string): Promise<PollView> {
    const body = await this.#call('POST', `/v1/events/${enc(eventId)}/polls/${enc(pollId)}/cancel`);
    return (body as { poll: PollView }).poll;
  }

  async readPoll(eventId: string, pollId: string): Promise<PollRead> {
    return (await this.#call('GET', `/v1/events/${enc(eventId)}/polls/${enc(pollId)}`)) as PollRead;
  }

  async #call(method: 'GET' | 'POST', path: string, json?: unknown): Promise<unknown> {
    const what = `${method} ${path}`;
    let response: Response;
    let text: string;
    try {
      response = await fetch(`${this.#apiUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${this.#token}`,
          ...(json === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(json === undefined ? {} : { body: JSON.stringify(json) }),
        signal: AbortSignal.timeout(CONTROL_TIMEOUT_MS),
      });
      text = await response.text();
    } catch (error) {
      throw new ControlError(`${what}: no answer (${String(error)})`, 0, { cause: error });
    }
    if (!response.ok) {
      throw new ControlError(
        `${what} answered ${response.status}: ${text.slice(0, 300)}`,
        response.status,
      );
    }
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      throw new ControlError(`${what}: invalid JSON`, response.status, { cause: error });
    }
  }
}

const enc = encodeURIComponent;
