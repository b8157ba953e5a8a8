// The Fanfare client: one fan's connection to a live event, kept alive across drops. It owns the
// connection state machine (state.ts), turns close codes into reconnect decisions from the
// protocol's tables (when: reconnect-timer.ts), resumes with `?since=` so the app sees every chat
// message once and in order, hands chat sends to the outbox, votes to the ballots, reaction taps
// to the merger and watch-party requests to the party client (`client.party`, with the server
// clock it syncs); every other frame goes to its component through frame-router.ts. All time and
// randomness is injected, so every wait can be driven by a test.

import {
  Close,
  PROTOCOL_VERSION,
  SUBPROTOCOLS,
  encodeClientMessage,
  isReactionEmoji,
  decodeServerMessage,
  type Ack,
  type Author,
  type ChatBatch,
  type ClientMessage,
  type PollTally,
  type QoeBeacon,
  type ReactionEmoji,
  type StageView,
  type Voted,
  type Welcome,
} from '@fanfare/protocol';
import { Ballots } from './ballots.js';
import { ChatFeed } from './chat-feed.js';
import { backoffDelay } from './backoff.js';
import type { FanfareClientEvents, ReconnectInfo } from './client-events.js';
import { resolveClientOptions, type FanfareClientOptions } from './client-options.js';
import { systemClock, type Clock } from './clock.js';
import { closeRetryPolicy } from './close-policy.js';
import {
  refusalOfJoinError,
  watchUpgradeRefusal,
  type ServiceRefusal,
} from './admission-refusal.js';
import { Emitter, type Handler } from './emitter.js';
import { routeFrame, type FrameTargets } from './frame-router.js';
import { ClientClosedError } from './errors.js';
import { newIdempotencyKey } from './ids.js';
import { Outbox } from './outbox.js';
import type { Party } from './party.js';
import { PartyClient } from './party-client.js';
import { ReconnectTimer } from './reconnect-timer.js';
import { ServerClock, type ServerClockView } from './server-clock.js';
import { connectUrl, discardSocket, type SocketLike, type WebSocketConstructor } from './socket.js';
import { IllegalTransitionError, transition, type ClientState } from './state.js';
import { StageMirror } from './stage-mirror.js';
import { TapMerger } from './tap-merger.js';
import { Credentials, type Attempt } from './credentials.js';

/** The close code and reason the client reports when the app calls `close()`. */
const CLIENT_CLOSE = { code: Close.normal, reason: 'client closed' } as const;

/**
 * One fan's live connection. Create it, subscribe with `on`, then `connect()`; it reconnects by
 * itself until `close()` or a final close code. Not reusable after `closed`: create a new one.
 */
export class FanfareClient {
  /**
   * This fan's watch party: its view (`party.view`) and requests (`create`, `join`, `leave`,
   * `chat`, `command`, `setReadiness`, `handHost`). See party.ts and the README.
   */
  readonly party: Party;
  #credentials: Credentials;
  #WebSocket: WebSocketConstructor;
  #retry: ReconnectTimer;
  #clock: Clock;
  #onSocket: ((socket: SocketLike) => void) | undefined;
  #emitter = new Emitter<FanfareClientEvents>();
  #outbox: Outbox;
  #ballots: Ballots;
  #taps: TapMerger;
  #mirror = new StageMirror((type, payload) => this.#emitter.emit(type, payload));
  #user: Author | undefined;
  #serverClock: ServerClock;
  #party: PartyClient;
  #targets: FrameTargets;

  #state: ClientState = 'idle';
  #socket: SocketLike | undefined;
  /** Bumped per connection attempt and at close: async work from an older one is ignored. */
  #generation = 0;
  #feed = new ChatFeed({
    chat: (message) => this.#emitter.emit('chat', message),
    deleted: (tombstone) => this.#emitter.emit('deleted', tombstone),
  });

  constructor(options: FanfareClientOptions) {
    this.#clock = options.clock ?? systemClock;
    this.#credentials = new Credentials(options, () => this.#clock.now());
    const { WebSocket, backoff, random, tapFlushMs } = resolveClientOptions(options);
    this.#WebSocket = WebSocket;
    this.#retry = new ReconnectTimer({ clock: this.#clock, backoff, random });
    this.#onSocket = options.onSocket;
    this.#outbox = new Outbox({
      clock: this.#clock,
      write: (message) => this.#write(message),
      retryDelay: (attempt) => backoffDelay(attempt, backoff, random),
      newKey: () => newIdempotencyKey(random),
      onDelay: (delay) => this.#emitter.emit('chatDelayed', delay),
    });
    this.#ballots = new Ballots({
      write: (message) => this.#write(message),
      poll: (pollId) => this.#mirror.stage?.polls.find((poll) => poll.id === pollId),
    });
    // Clock sync gets the monotonic default unless a clock is injected (tests drive both).
    this.#serverClock = new ServerClock({
      ...(options.clock ? { clock: options.clock } : {}),
      send: (ping) => this.#write({ type: 'ping', ...ping }),
    });
    this.party = this.#party = new PartyClient({
      write: (message) => this.#write(message),
      emit: (type, payload) => this.#emitter.emit(type, payload),
      serverClock: this.#serverClock,
      clock: this.#clock,
    });
    this.#taps = new TapMerger({
      clock: this.#clock,
      flushMs: tapFlushMs,
      send: (emoji, count) => void this.#write({ type: 'react', emoji, count }),
    });
    this.#targets = {
      emitter: this.#emitter,
      outbox: this.#outbox,
      ballots: this.#ballots,
      mirror: this.#mirror,
      party: this.#party,
      serverClock: this.#serverClock,
      credentials: this.#credentials,
    };
  }

  get state(): ClientState {
    return this.#state;
  }

  /**
   * The highest seq delivered to the app, over messages and deletions; undefined before the
   * first welcome.
   */
  get lastSeq(): number | undefined {
    return this.#feed.lastSeq;
  }

  /**
   * The epoch `lastSeq` counts in (the welcome's): it changes when the event's log started over,
   * and a seq is comparable only within one epoch. Undefined before the first welcome.
   */
  get epoch(): string | undefined {
    return this.#feed.epoch;
  }

  /** The event's stage with the highest version seen; undefined before the first welcome. */
  get stage(): StageView | undefined {
    return this.#mirror.stage;
  }

  /** The running tally of `pollId` with the highest version seen; undefined before any. */
  tally(pollId: string): PollTally | undefined {
    return this.#mirror.tally(pollId);
  }

  /** This fan as the latest welcome named it; undefined before the first welcome. */
  get user(): Author | undefined {
    return this.#user;
  }

  /**
   * The server's clock as estimated from pings on this connection (`synced`, `serverNow()`,
   * `errorBoundMs`): the `ServerTime` a SyncController needs. It runs while this fan is in a
   * party, or while the app holds it (`serverTime.hold()`).
   */
  get serverTime(): ServerClockView {
    return this.#serverClock;
  }

  /** The server's clock now, ms since the Unix epoch (see `serverTime` for its accuracy). */
  serverNow(): number {
    return this.#serverClock.serverNow();
  }

  /** Subscribes to an event; returns the function that unsubscribes. */
  on<K extends keyof FanfareClientEvents>(
    type: K,
    handler: Handler<FanfareClientEvents[K]>,
  ): () => void {
    return this.#emitter.on(type, handler);
  }

  /** Starts connecting. Only from `idle`: throws IllegalTransitionError otherwise. */
  connect(): void {
    if (this.#state !== 'idle') throw new IllegalTransitionError(this.#state, 'connecting');
    this.#move('connecting');
    void this.#open();
  }

  /**
   * Ends the client for good: no reconnect, pending taps dropped, pending sends rejected with
   * ClientClosedError, then `closed` (1000). Idempotent.
   */
  close(): void {
    this.#finish(CLIENT_CLOSE.code, CLIENT_CLOSE.reason);
  }

  /**
   * Sends a chat message; resolves with its ack. Queued while not connected and sent after the
   * next welcome; a message whose fate a drop left unknown is resent with the same idempotency
   * key, so it is stored once (the ack then says `duplicate: true`). Messages go out one at a
   * time, in call order. Rejects with ChatRefusedError for `fix`/`final` refusals and after
   * MAX_CHAT_ATTEMPTS `retry-after` refusals (each waited out), or with ClientClosedError.
   */
  sendChat(text: string): Promise<Ack> {
    return this.#outbox.send(text);
  }

  /**
   * Votes for `option` (an index into the poll's `options`); resolves with the `voted` answer
   * (`duplicate: true` when this fan had already cast this same vote). Sent at once when open,
   * else after the next welcome; a vote whose answer a drop lost is sent again after the next
   * welcome (the server counts one vote per fan per poll). Rejects with VoteRefusedError for an
   * error answer (`poll_closed`, `already_voted`, `unavailable`...; not retried) or when the
   * client's stage already shows the poll settled or the option out of range, or with
   * ClientClosedError.
   */
  vote(pollId: string, option: number): Promise<Voted> {
    return this.#ballots.cast(pollId, option);
  }

  /**
   * Counts `count` reaction taps. Taps are merged and sent at most once per emoji per
   * `tapFlushMs`, at most REACT_MAX_COUNT per frame (the rest goes in the next window). Taps
   * while not `open` are dropped, and so are taps still pending when the connection drops:
   * reactions are a live signal, not a record. Throws TypeError for an emoji outside the set.
   */
  react(emoji: ReactionEmoji, count = 1): void {
    if (!isReactionEmoji(emoji)) throw new TypeError(`not a reaction emoji: ${String(emoji)}`);
    if (this.#state !== 'open') return;
    this.#taps.tap(emoji, count);
  }

  /** Sends a QoE beacon (see QoeReporter); false, sending nothing, while not `open`. */
  readonly reportQoe = (beacon: QoeBeacon): boolean => this.#write(beacon);

  #move(to: ClientState): void {
    const previous = this.#state;
    this.#state = transition(previous, to);
    this.#emitter.emit('state', { state: to, previous });
  }

  async #open(): Promise<void> {
    const generation = ++this.#generation;
    let attempt: Attempt;
    try {
      attempt = await this.#credentials.next();
    } catch (cause) {
      if (generation === this.#generation) {
        // A 503 from the join names its own wait (admission control): that plus jitter.
        const refusal = refusalOfJoinError(cause);
        this.#retryLater(
          { reason: 'token provider failed', cause },
          refusal ? this.#retry.afterRefusal(refusal.retryAfterS) : this.#retry.nextBackoff(),
        );
      }
      return;
    }
    if (generation !== this.#generation) return; // closed while the provider ran
    let socket: SocketLike;
    try {
      const url = connectUrl(attempt, this.#feed.position);
      socket = new this.#WebSocket(url, [SUBPROTOCOLS[PROTOCOL_VERSION]]);
    } catch (cause) {
      this.#retryLater({ reason: 'WebSocket constructor threw', cause }, this.#retry.nextBackoff());
      return;
    }
    this.#socket = socket;
    const refusal = watchUpgradeRefusal(socket);
    socket.onmessage = (event) => {
      if (this.#socket === socket) this.#onFrame(event.data);
    };
    socket.onerror = () => {}; // every failure is followed by a close event: it decides what next
    socket.onclose = (event) => {
      if (this.#socket === socket) this.#onSocketClosed(event.code, event.reason, refusal());
    };
    this.#onSocket?.(socket);
  }

  #onFrame(data: unknown): void {
    if (typeof data !== 'string') return; // binary frames are not part of v1
    const message = decodeServerMessage(data);
    if (!message) return; // a newer server's frame type: not for this client
    if (this.#state === 'connecting') {
      // The welcome opens the session; the server sends nothing before it.
      if (message.type === 'welcome') this.#onWelcome(message);
      return;
    }
    if (this.#state !== 'open') return;
    if (message.type === 'chat') this.#onChat(message);
    else if (message.type !== 'welcome') routeFrame(message, this.#targets); // once per session
  }

  #onWelcome(welcome: Welcome): void {
    const generation = this.#generation;
    const open = () => generation === this.#generation; // false once a handler closed the client
    this.#retry.reset();
    this.#credentials.welcomed(welcome.resumeTicket);
    this.#user = welcome.user;
    this.#party.sessionStarted(welcome.user.id, this.#feed.lastSeq !== undefined);
    this.#move('open');
    this.#emitter.emit('welcome', welcome);
    this.#emitter.emit('continuity', welcome.snapshot.continuity);
    if (!this.#mirror.applySnapshot(welcome.snapshot, open)) return;
    if (!this.#feed.snapshot(welcome.snapshot, open)) return;
    for (const part of [this.#outbox, this.#ballots]) part.sessionStarted();
  }

  #onChat(batch: ChatBatch): void {
    const generation = this.#generation;
    // A handler that closes the client stops delivery; a gap ends this session and a new one
    // resumes from the last seq delivered.
    const outcome = this.#feed.batch(batch, () => generation === this.#generation);
    if (outcome.stopped || !outcome.gap) return;
    this.#endSession();
    this.#retryLater(
      { reason: `chat gap: expected seq ${outcome.gap.expected}, got ${outcome.gap.got}` },
      this.#retry.nextBackoff(),
    );
  }

  #onSocketClosed(code: number, reason: string, refusal?: ServiceRefusal): void {
    this.#socket = undefined;
    this.#endSession();
    const policy = closeRetryPolicy(code);
    if (refusal) {
      // The upgrade was refused with 503 (admission control, a shard not ready): its wait.
      this.#credentials.answered(); // reachable, so not named as unreachable to the next join
      this.#retryLater(
        { code, reason: 'upgrade refused with 503' },
        this.#retry.afterRefusal(refusal.retryAfterS),
      );
    } else if (policy === 'reconnect' || policy === 'retry-after') {
      const atOnce = this.#credentials.fallbackNext; // the ticket's fallback shard: no backoff
      this.#retryLater({ code, reason }, atOnce ? 0 : this.#retry.delayAfterClose(code));
    } else if (policy === 'reauth' && this.#credentials.renewable) {
      this.#credentials.invalidate();
      this.#retryLater({ code, reason }, this.#retry.nextBackoff());
    } else {
      this.#finish(code, reason);
    }
  }

  /** Forgets the current socket's session: pending taps go, the send in flight is re-queued. */
  #endSession(): void {
    const socket = this.#socket;
    this.#socket = undefined;
    if (socket) discardSocket(socket, Close.normal, 'resync');
    this.#taps.clear();
    this.#outbox.sessionEnded();
    this.#party.sessionEnded();
  }

  #retryLater(info: Omit<ReconnectInfo, 'delayMs'>, delayMs: number): void {
    this.#generation++;
    this.#move('waiting');
    this.#retry.schedule(delayMs, () => {
      this.#move('connecting');
      void this.#open();
    });
    this.#emitter.emit('reconnecting', { ...info, delayMs });
  }

  #finish(code: number, reason: string): void {
    if (this.#state === 'closed') return;
    this.#generation++;
    this.#retry.cancel();
    const socket = this.#socket;
    this.#socket = undefined;
    if (socket) discardSocket(socket, CLIENT_CLOSE.code, CLIENT_CLOSE.reason);
    this.#taps.clear();
    const closedBy = new ClientClosedError(code, reason);
    for (const part of [this.#outbox, this.#ballots, this.#party]) part.close(closedBy);
    this.#serverClock.close();
    this.#move('closed');
    this.#emitter.emit('closed', { code, reason });
  }

  #write(message: ClientMessage): boolean {
    const socket = this.#socket;
    if (this.#state !== 'open' || !socket) return false;
    try {
      socket.send(encodeClientMessage(message));
      return true;
    } catch {
      // The socket is closing under us (browsers throw here); its close event follows.
      return false;
    }
  }
}
