// Chat messages on their way to the server. One message is in flight at a time: the next one is
// written only after the previous was acknowledged or given up. That costs a round trip per
// queued message, and buys the fan's own order: a rate-limited message can never be overtaken by
// a later one, and after a reconnect there is exactly one message whose fate is unknown. It is
// resent with the same idempotency key, so the server stores it at most once.

import {
  CHAT_MAX_CHARS,
  checkText,
  ERROR_CODES,
  charLength,
  type Ack,
  type ChatSend,
  type ErrorFrame,
  type RetryPolicy,
} from '@fanfare/protocol';
import type { Clock, TimerHandle } from './clock.js';
import { ChatRefusedError } from './errors.js';

/** A message refused with a `retry-after` code is sent at most this many times in all. */
export const MAX_CHAT_ATTEMPTS = 5;

export interface OutboxOptions {
  clock: Clock;
  /** Writes a frame to the open session; false when there is none (the next session sends it). */
  write(message: ChatSend): boolean;
  /** The wait after the n-th (0-based) `retry-after` refusal that named no `retryAfterMs`. */
  retryDelay(attempt: number): number;
  /** Makes a fresh idempotency key. */
  newKey(): string;
  /** Told each time a refused message will be resent after `waitMs` (see ChatDelay). */
  onDelay?(delay: ChatDelay): void;
  maxAttempts?: number;
}

/**
 * A message refused with a `retry-after` code (rate limit, slow mode, timeout, ingest cap) that
 * the client will resend by itself after `waitMs`; its `sendChat` promise stays pending until
 * then. Lets an app explain the wait instead of showing a message that seems stuck.
 */
export interface ChatDelay {
  code: ErrorFrame['code'];
  /** The server's words. */
  message: string;
  /** How long the client waits before resending, ms. */
  waitMs: number;
  /** Refusals of this message so far (1 for the first); it gives up after MAX_CHAT_ATTEMPTS. */
  attempt: number;
}

interface Entry {
  readonly ref: string;
  readonly key: string;
  readonly text: string;
  refusals: number;
  resolve(ack: Ack): void;
  reject(error: Error): void;
}

export class Outbox {
  #options: OutboxOptions;
  #maxAttempts: number;
  /** Unacknowledged messages in send order; the head is the only one ever written. */
  #queue: Entry[] = [];
  /** The head was written on the current session and its answer has not come yet. */
  #inFlight = false;
  #retryTimer: TimerHandle | undefined;
  #nextRef = 1;
  #closedBy: Error | undefined;

  constructor(options: OutboxOptions) {
    this.#options = options;
    this.#maxAttempts = options.maxAttempts ?? MAX_CHAT_ATTEMPTS;
  }

  /** Messages not yet acknowledged or given up, the one in flight included. */
  get size(): number {
    return this.#queue.length;
  }

  /**
   * Queues `text`. Resolves with the server's ack (`duplicate: true` when a resend after a
   * reconnect found the first copy stored); rejects with ChatRefusedError when the server (or
   * the same rule checked here first) refuses it for good, or with the close error.
   */
  send(text: string): Promise<Ack> {
    if (this.#closedBy) return Promise.reject(this.#closedBy);
    // The server's own rules, checked first so a message that cannot pass never waits in line.
    const checked = checkText(text, 'multiline');
    if (!checked.ok) {
      const code = checked.refusal === 'empty' ? 'text_empty' : 'invalid_text';
      return Promise.reject(new ChatRefusedError(code, `chat text ${checked.message}`));
    }
    const trimmed = checked.text;
    if (charLength(trimmed) > CHAT_MAX_CHARS) {
      return Promise.reject(
        new ChatRefusedError('text_too_long', `chat text exceeds ${CHAT_MAX_CHARS} characters`),
      );
    }
    return new Promise<Ack>((resolve, reject) => {
      const ref = `c${this.#nextRef++}`;
      this.#queue.push({ ref, key: this.#options.newKey(), text, refusals: 0, resolve, reject });
      this.#pump();
    });
  }

  /** A session opened (a welcome arrived): resend the unanswered head with its original key. */
  sessionStarted(): void {
    // Rate limits are per session, so a wait for the old one no longer applies.
    this.#cancelRetry();
    this.#inFlight = false;
    this.#pump();
  }

  /** The session ended: whatever was in flight may or may not have been stored. */
  sessionEnded(): void {
    this.#inFlight = false;
  }

  /** Settles the pending send `ack` answers; false when it answers none. */
  handleAck(ack: Ack): boolean {
    const head = this.#answered(ack.ref);
    if (!head) return false;
    this.#settleHead();
    head.resolve(ack);
    return true;
  }

  /** Applies an error frame to the pending send it answers; false when it answers none. */
  handleError(frame: ErrorFrame): boolean {
    const head = this.#answered(frame.ref);
    if (!head) return false;
    this.#inFlight = false;
    const policy = (ERROR_CODES as Readonly<Record<string, { retry: RetryPolicy } | undefined>>)[
      frame.code
    ]?.retry;
    if (policy === 'retry-after') {
      head.refusals++;
      if (head.refusals < this.#maxAttempts) {
        const wait = frame.retryAfterMs ?? this.#options.retryDelay(head.refusals - 1);
        this.#options.onDelay?.({
          code: frame.code,
          message: frame.message,
          waitMs: wait,
          attempt: head.refusals,
        });
        this.#retryTimer = this.#options.clock.setTimeout(() => {
          this.#retryTimer = undefined;
          this.#pump();
        }, wait);
        return true;
      }
    }
    this.#settleHead();
    head.reject(new ChatRefusedError(frame.code, frame.message, frame.retryAfterMs));
    return true;
  }

  /** Rejects every pending send with `error`; later sends reject with it too. Idempotent. */
  close(error: Error): void {
    if (this.#closedBy) return;
    this.#closedBy = error;
    this.#cancelRetry();
    const queue = this.#queue;
    this.#queue = [];
    this.#inFlight = false;
    for (const entry of queue) entry.reject(error);
  }

  #answered(ref: string | undefined): Entry | undefined {
    const head = this.#queue[0];
    return this.#inFlight && head !== undefined && ref === head.ref ? head : undefined;
  }

  /** Removes the head and moves on to the next message. */
  #settleHead(): void {
    this.#queue.shift();
    this.#inFlight = false;
    this.#pump();
  }

  #pump(): void {
    if (this.#inFlight || this.#retryTimer !== undefined || this.#closedBy) return;
    const head = this.#queue[0];
    if (!head) return;
    this.#inFlight = this.#options.write({
      type: 'chat.send',
      text: head.text,
      ref: head.ref,
      key: head.key,
    });
  }

  #cancelRetry(): void {
    if (this.#retryTimer !== undefined) this.#options.clock.clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
  }
}
