// The client's half of a watch party (`client.party`, see party.ts): requests by ref and their
// answers, the party mirror and the clock-sync hold that lasts as long as the membership. Unlike
// votes, party requests are not resent after a drop (a second create or join would be refused, and
// a command's base version may be stale by then): a request the drop caught rejects with
// PartyRequestLostError, and the `party` frame the server sends after the next welcome shows
// what happened. Every request settles: by its answer (the server answers each one by its ref,
// see docs/protocol.md), or with PartyRequestTimeoutError after PARTY_REQUEST_TIMEOUT_MS.

import {
  CHAT_MAX_CHARS,
  PARTY_MEDIA_MAX_CHARS,
  PARTY_SIZE_MAX,
  charLength,
  checkText,
  type ClientMessage,
  type ErrorCode,
  type ErrorFrame,
  type PartyChatMessage,
  type PartyCommand,
  type PartyFrame,
  type PartyLeft,
  type PartyTimelineFrame,
  type PartyView,
  type Readiness,
  type ServerMessage,
  type Timeline,
} from '@fanfare/protocol';
import type { FanfareClientEvents } from './client-events.js';
import type { Clock, TimerHandle } from './clock.js';
import { PartyRefusedError, PartyRequestLostError, PartyRequestTimeoutError } from './errors.js';
import type { CommandOptions, Party } from './party.js';
import { PartyMirror } from './party-mirror.js';
import type { ServerClock } from './server-clock.js';

/** The events this component emits. */
export type PartyEvents = Pick<
  FanfareClientEvents,
  'party' | 'partyTimeline' | 'partyChat' | 'partyLeft'
>;

/** The client frames that are requests, answered by ref. */
type PartyRequest = Extract<
  ClientMessage,
  {
    type:
      'party.create' | 'party.join' | 'party.leave' | 'party.chat' | 'party.command' | 'party.host';
  }
>;

export interface PartyClientOptions {
  /** Writes a frame to the open session; false when there is none. */
  write(message: ClientMessage): boolean;
  emit<K extends keyof PartyEvents>(type: K, payload: FanfareClientEvents[K]): void;
  serverClock: ServerClock;
  /** Times the bound on unanswered requests. */
  clock: Clock;
}

/**
 * How long a party request may go unanswered before it rejects with PartyRequestTimeoutError, ms.
 * The server answers every request at once (a command never waits for a gate to open), so this
 * only fires when an answer was lost: a stalled connection, or a server that broke the rule. Ten
 * seconds is well past any real round trip plus the store's compare-and-set retries.
 */
export const PARTY_REQUEST_TIMEOUT_MS = 10_000;

/**
 * How many times one command is sent again on a newer timeline after `timeline_conflict` (see
 * `CommandOptions.onConflict`). Two covers a gate opening and a heartbeat crossing the command;
 * a party whose timeline moves faster than that is refused, so the app can decide again.
 */
export const MAX_COMMAND_REBASES = 2;

/** The server frames this component handles. */
export type PartyServerMessage = Extract<
  ServerMessage,
  { type: 'party' | 'party.timeline' | 'party.chat' | 'party.left' }
>;

type Pending = (
  | { kind: 'view'; resolve(view: PartyView): void }
  | { kind: 'leave'; resolve(left: PartyLeft): void }
  | { kind: 'chat'; text: string; resolve(message: PartyChatMessage): void }
  | { kind: 'command'; resolve(timeline: Timeline): void }
) & { reject(error: Error): void; timer?: TimerHandle };

export class PartyClient implements Party {
  readonly #o: PartyClientOptions;
  readonly #mirror = new PartyMirror();
  /** Unanswered requests by ref, in send order. */
  readonly #pending = new Map<string, Pending>();
  #nextRef = 1;
  #selfId: string | undefined;
  #releaseClock: (() => void) | undefined;
  #closedBy: Error | undefined;

  constructor(options: PartyClientOptions) {
    this.#o = options;
  }

  get view(): PartyView | undefined {
    return this.#mirror.party;
  }

  create(media: string, { maxSize }: { maxSize?: number } = {}): Promise<PartyView> {
    const m = media.trim();
    if (m.length === 0 || m.length > PARTY_MEDIA_MAX_CHARS) {
      return refuse('invalid_frame', `media must be 1-${PARTY_MEDIA_MAX_CHARS} characters`);
    }
    if (
      maxSize !== undefined &&
      !(Number.isInteger(maxSize) && maxSize >= 2 && maxSize <= PARTY_SIZE_MAX)
    ) {
      return refuse('invalid_frame', `maxSize must be an integer from 2 to ${PARTY_SIZE_MAX}`);
    }
    const frame: PartyRequest = { type: 'party.create', media: m };
    if (maxSize !== undefined) frame.maxSize = maxSize;
    return this.#request<PartyView>(frame, (resolve, reject) => ({
      kind: 'view',
      resolve,
      reject,
    }));
  }

  join(code: string): Promise<PartyView> {
    const frame: PartyRequest = { type: 'party.join', code: code.trim().toUpperCase() };
    return this.#request<PartyView>(frame, (resolve, reject) => ({
      kind: 'view',
      resolve,
      reject,
    }));
  }

  leave(): Promise<PartyLeft> {
    return this.#request<PartyLeft>({ type: 'party.leave' }, (resolve, reject) => ({
      kind: 'leave',
      resolve,
      reject,
    }));
  }

  handHost(userId: string): Promise<PartyView> {
    return this.#request<PartyView>({ type: 'party.host', userId }, (resolve, reject) => ({
      kind: 'view',
      resolve,
      reject,
    }));
  }

  chat(text: string): Promise<PartyChatMessage> {
    const checked = checkText(text, 'multiline');
    if (!checked.ok) {
      const code = checked.refusal === 'empty' ? 'text_empty' : 'invalid_text';
      return refuse(code, `chat text ${checked.message}`);
    }
    const trimmed = checked.text;
    if (charLength(trimmed) > CHAT_MAX_CHARS) {
      return refuse('text_too_long', `chat text exceeds ${CHAT_MAX_CHARS} characters`);
    }
    const frame: PartyRequest = { type: 'party.chat', text: trimmed };
    return this.#request<PartyChatMessage>(frame, (resolve, reject) => ({
      kind: 'chat',
      text: trimmed,
      resolve,
      reject,
    }));
  }

  async command(command: PartyCommand, options: CommandOptions = {}): Promise<Timeline> {
    const rebase = (options.onConflict ?? 'rebase') === 'rebase';
    for (let rebases = 0; ; rebases++) {
      const base = this.#mirror.party?.timeline.version;
      if (base === undefined) return refuse('not_in_party', 'this fan is in no party');
      try {
        return await this.#request<Timeline>(
          { type: 'party.command', command, version: base },
          (resolve, reject) => ({ kind: 'command', resolve, reject }),
        );
      } catch (err) {
        // Every command says where to go, not how far to move (play, pause, seek to a position,
        // a rate, a media), so it means the same on the newer timeline: send it again on that,
        // when one has arrived (else the conflict came from something this client has not seen).
        const newer = (this.#mirror.party?.timeline.version ?? base) > base;
        const conflict = err instanceof PartyRefusedError && err.code === 'timeline_conflict';
        if (!(rebase && conflict && newer && rebases < MAX_COMMAND_REBASES)) throw err;
      }
    }
  }

  /** Sends `party.ready` when in a party (and connected); otherwise there is no one to tell. */
  setReadiness(readiness: Readiness, pathMs?: number): void {
    if (this.#closedBy || !this.#mirror.party) return;
    this.#o.write({ type: 'party.ready', readiness, ...(pathMs !== undefined && { pathMs }) });
  }

  handle(message: PartyServerMessage): void {
    switch (message.type) {
      case 'party':
        return this.#onParty(message);
      case 'party.timeline':
        return this.#onTimeline(message);
      case 'party.chat':
        return this.#onChat(message.message);
      case 'party.left':
        return this.#onLeft(message);
    }
  }

  /** Rejects the request an error frame answers; false when it answers none of these. */
  handleError(frame: ErrorFrame): boolean {
    const pending = this.#take(frame.ref);
    pending?.reject(new PartyRefusedError(frame.code, frame.message, frame.retryAfterMs));
    return pending !== undefined;
  }

  /** A session opened (a welcome for `selfId`). */
  sessionStarted(selfId: string, resumed: boolean): void {
    this.#selfId = selfId;
    if (resumed) this.#o.serverClock.reconnected();
  }

  /** The session ended: what was in flight may or may not have been applied. */
  sessionEnded(): void {
    this.#rejectAll(
      new PartyRequestLostError('the connection dropped before the party request was answered'),
    );
  }

  /** Rejects every pending request with `error`, and later requests too. Idempotent. */
  close(error: Error): void {
    if (this.#closedBy) return;
    this.#closedBy = error;
    this.#rejectAll(error);
    this.#releaseClock?.();
    this.#releaseClock = undefined;
  }

  #request<T>(
    frame: PartyRequest,
    pending: (resolve: (value: T) => void, reject: (error: Error) => void) => Pending,
  ): Promise<T> {
    if (this.#closedBy) return Promise.reject(this.#closedBy);
    return new Promise<T>((resolve, reject) => {
      const ref = `p${this.#nextRef++}`;
      const entry = pending(resolve, reject);
      // Pending before written: an answer may come back within the write (an in-process server).
      this.#pending.set(ref, entry);
      if (!this.#o.write({ ...frame, ref })) {
        this.#pending.delete(ref);
        reject(new PartyRefusedError('unavailable', 'not connected: nothing was sent'));
        return;
      }
      if (!this.#pending.has(ref)) return; // answered within the write
      entry.timer = this.#o.clock.setTimeout(() => {
        if (this.#pending.get(ref) !== entry) return;
        this.#pending.delete(ref);
        const waited = `${PARTY_REQUEST_TIMEOUT_MS} ms`;
        reject(new PartyRequestTimeoutError(`no answer to ${frame.type} within ${waited}`));
      }, PARTY_REQUEST_TIMEOUT_MS);
    });
  }

  #onParty(frame: PartyFrame): void {
    const answered = this.#take(frame.ref);
    const change = this.#mirror.applyParty(
      frame.party,
      answered?.kind === 'view' && frame.ref !== undefined,
    );
    if (this.#mirror.party) this.#releaseClock ??= this.#o.serverClock.hold();
    if (change.party) this.#o.emit('party', change.party);
    if (change.timeline) this.#timelineChanged(change.timeline);
    const view = this.#mirror.party;
    if (!answered) return;
    // A command's own answer is the whole view (even when the command changed nothing).
    if (view && answered.kind === 'view') answered.resolve(view);
    else if (view && answered.kind === 'command') answered.resolve(view.timeline);
    else answered.reject(new PartyRefusedError('internal', `unexpected answer to ${frame.ref}`));
  }

  #onTimeline(frame: PartyTimelineFrame): void {
    const timeline = this.#mirror.applyTimeline(frame.partyId, frame.timeline);
    if (timeline) this.#timelineChanged(timeline);
  }

  #timelineChanged(timeline: Timeline): void {
    const partyId = this.#mirror.party?.id;
    if (partyId === undefined) return;
    // A command settles only by its own answer (by ref): a newer timeline may be another
    // change's (a gate opening, a later command), and must not settle this one.
    this.#o.emit('partyTimeline', { partyId, timeline });
  }

  #onChat(message: PartyChatMessage): void {
    this.#o.emit('partyChat', message);
    if (message.author.id !== this.#selfId) return;
    // The server echoes a member's own message to it without a ref: the oldest pending send
    // with the same text is the one it stored (messages of one fan are handled in order).
    for (const [ref, pending] of this.#pending) {
      if (pending.kind !== 'chat' || pending.text !== message.text) continue;
      this.#forget(ref, pending);
      pending.resolve(message);
      return;
    }
  }

  #onLeft(frame: PartyLeft): void {
    const answered = this.#take(frame.ref);
    const wasHeld = this.#mirror.leave(frame.partyId);
    if (wasHeld) {
      this.#releaseClock?.();
      this.#releaseClock = undefined;
      const gone = new PartyRefusedError('not_in_party', `left party ${frame.partyId}`);
      for (const [ref, pending] of this.#pending) {
        if (pending.kind !== 'chat' && pending.kind !== 'command') continue;
        this.#forget(ref, pending);
        pending.reject(gone);
      }
      this.#o.emit('partyLeft', frame);
    }
    if (answered?.kind === 'leave') answered.resolve(frame);
    else if (answered) answered.reject(new PartyRefusedError('internal', 'unexpected answer'));
  }

  #take(ref: string | undefined): Pending | undefined {
    if (ref === undefined) return undefined;
    const pending = this.#pending.get(ref);
    if (pending) this.#forget(ref, pending);
    return pending;
  }

  #forget(ref: string, pending: Pending): void {
    this.#pending.delete(ref);
    if (pending.timer !== undefined) this.#o.clock.clearTimeout(pending.timer);
  }

  #rejectAll(error: Error): void {
    const pending = [...this.#pending];
    for (const [ref, p] of pending) this.#forget(ref, p);
    for (const [, p] of pending) p.reject(error);
  }
}

function refuse(code: ErrorCode, message: string): Promise<never> {
  return Promise.reject(new PartyRefusedError(code, message));
}
