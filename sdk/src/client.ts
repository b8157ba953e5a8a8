// The Fanfare client: one fan's connection to a live event, kept alive across drops. It owns the
// connection state machine (state.ts), turns close codes into reconnect decisions from the
// protocol's tables, resumes with `?since=` so the app sees every chat message once and in order,
// hands chat sends to the outbox, votes to the ballots, reaction taps to the merger and watch-party
// frames to the party client (with the server clock it syncs), and mirrors the event's stage and
// tallies. All time and randomness is injected, so every wait can be driven by a test.

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
  type PartyChatMessage,
  type PartyCommand,
  type PartyLeft,
  type PartyView,
  type PollTally,
  type ReactionEmoji,
  type Readiness,
  type StageView,
  type Timeline,
  type Voted,
  type Welcome,
} from '@fanfare/protocol';
import { Ballots } from './ballots.js';
import { ChatFeed } from './chat-feed.js';
import { DEFAULT_BACKOFF, backoffDelay, restartDelay, type BackoffOptions } from './backoff.js';
import type { FanfareClientEvents, ReconnectInfo } from './client-events.js';
import type { FanfareClientOptions } from './client-options.js';
import { systemClock, type Clock, type TimerHandle } from './clock.js';
import { closeRetryPolicy } from './close-policy.js';
import { Emitter, type Handler } from './emitter.js';
import { ClientClosedError } from './errors.js';
import { newIdempotencyKey } from './ids.js';
import { Outbox } from './outbox.js';
import { PartyClient } from './party-client.js';
import { ServerClock, type ServerClockView } from './server-clock.js';
import { connectUrl, discardSocket, type SocketLike, type WebSocketConstructor } from './socket.js';
import { IllegalTransitionError, transition, type ClientState } from './state.js';
import { StageMirror } from './stage-mirror.js';
import { TapMerger } from './tap-merger.js';
import { Credentials } from './credentials.js';

/** Default reaction window, ms: at most one `react` frame per emoji per window. */
export const TAP_FLUSH_MS = 100;

/** The close code and reason the client reports when the app calls `close()`. */
const CLIENT_CLOSE = { code: Close.normal, reason: 'client closed' } as const;

/**
 * One fan's live connection. Create it, subscribe with `on`, then `connect()`; it reconnects by
 * itself until `close()` or a final close code. Not reusable after `closed`: create a new one.
 */
export class FanfareClient {
  #credentials: Credentials;
  #WebSocket: WebSocketConstructor;
  #backoff: BackoffOptions;
  #clock: Clock;
  #random: () => number;
  #onSocket: ((socket: SocketLike) => void) | undefined;
  #emitter = new Emitter<FanfareClientEvents>();
  #outbox: Outbox;
  #ballots: Ballots;
  #taps: TapMerger;
  #mirror = new StageMirror();
  #user: Author | undefined;
  #serverClock: ServerClock;
  #party: PartyClient;

  #state: ClientState = 'idle';
  #socket: SocketLike | undefined;
  /** Bumped per connection attempt and at close: async work from an older one is ignored. */
  #generation = 0;
  #reconnectTimer: TimerHandle | undefined;
  /** Backoff attempts since the last welcome. */
  #attempt = 0;
  /** The highest seq (message or deletion) delivered to the app; undefined until the first welcome. */
  #feed = new ChatFeed({
    chat: (message) => this.#emitter.emit('chat', message),
    deleted: (tombstone) => this.#emitter.emit('deleted', tombstone),
  });

  constructor(options: FanfareClientOptions) {
    this.#clock = options.clock ?? systemClock;
    this.#credentials = new Credentials(options, () => this.#clock.now());
    const ctor =
      options.WebSocket ??
      (globalThis as { WebSocket?: WebSocketConstructor | undefined }).WebSocket;
    if (!ctor) {
      throw new TypeError('no global WebSocket: pass options.WebSocket (in Node 20, from "ws")');
    }
    const backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
    const tapFlushMs = options.tapFlushMs ?? TAP_FLUSH_MS;
    if (!(backoff.initialMs > 0 && backoff.maxMs >= backoff.initialMs && backoff.factor >= 1)) {
      throw new RangeError('backoff needs initialMs > 0, maxMs >= initialMs and factor >= 1');
    }
    if (!(tapFlushMs > 0)) throw new RangeError('tapFlushMs must be > 0');

    this.#WebSocket = ctor;
    this.#backoff = backoff;
    this.#random = options.random ?? Math.random;
    this.#onSocket = options.onSocket;
    this.#outbox = new Outbox({
      clock: this.#clock,
      write: (message) => this.#write(message),
      retryDelay: (attempt) => backoffDelay(attempt, this.#backoff, this.#random),
      newKey: () => newIdempotencyKey(this.#random),
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
    this.#party = new PartyClient({
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
   * The watch party this fan is in, at the highest version seen and with the newest timeline
   * seen; undefined when in none. See party-client.ts and the README's "Watch parties".
   */
  get party(): PartyView | undefined {
    return this.#party.party;
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

  /** Creates a watch party with this fan as host; resolves with its view (share `code`). */
  createParty(media: string, options: { maxSize?: number } = {}): Promise<PartyView> {
    return this.#party.create(media, options.maxSize);
  }

  /** Joins the party with this invite code; resolves with its view. */
  joinParty(code: string): Promise<PartyView> {
    return this.#party.join(code);
  }

  /** Leaves the party (a leaving host hands over); resolves with the `party.left` answer. */
  leaveParty(): Promise<PartyLeft> {
    return this.#party.leave();
  }

  /** Sends a message to the party's members; resolves with it as stored (the server's echo). */
  sendPartyChat(text: string): Promise<PartyChatMessage> {
    return this.#party.chat(text);
  }

  /**
   * Host only: changes the timeline, based on the newest timeline this client holds. Resolves
   * with the timeline of the server's answer (which may be unchanged: a play while a member
   * buffers waits behind a gate, see `client.party.gate`); rejects with PartyRefusedError
   * (`not_host`, `timeline_conflict`: another change came first, decide again from
   * `client.party`), or PartyRequestTimeoutError after PARTY_REQUEST_TIMEOUT_MS unanswered.
   */
  partyCommand(command: PartyCommand): Promise<Timeline> {
    return this.#party.command(command);
  }

  /**
   * Tells the party whether this fan's player can play on (`party.ready`); nothing when in no
   * party. The server marks members `buffering` on join, seek and new media: say `ready` again
   * once the player can play at the new position. `watchParty` does this.
   */
  setReadiness(readiness: Readiness): void {
    this.#party.setReadiness(readiness);
  }

  /** Host only: hands the host role to another online member; resolves with the new view. */
  handHost(userId: string): Promise<PartyView> {
    return this.#party.handHost(userId);
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

  #move(to: ClientState): void {
    const previous = this.#state;
    this.#state = transition(previous, to);
    this.#emitter.emit('state', { state: to, previous });
  }

  async #open(): Promise<void> {
    const generation = ++this.#generation;
    let url: string;
    let token: string;
    try {
      ({ url, token } = await this.#credentials.next());
    } catch (cause) {
      if (generation === this.#generation) {
        this.#retryLater({ reason: 'token provider failed', cause }, this.#nextBackoff());
      }
      return;
    }
    if (generation !== this.#generation) return; // closed while the provider ran
    let socket: SocketLike;
    try {
      socket = new this.#WebSocket(connectUrl(url, token, this.#feed.position), [
        SUBPROTOCOLS[PROTOCOL_VERSION],
      ]);
    } catch (cause) {
      this.#retryLater({ reason: 'WebSocket constructor threw', cause }, this.#nextBackoff());
      return;
    }
    this.#socket = socket;
    socket.onmessage = (event) => {
      if (this.#socket === socket) this.#onFrame(event.data);
    };
    // Every failure is followed by a close event, which carries the code that decides what next.
    socket.onerror = () => {};
    socket.onclose = (event) => {
      if (this.#socket === socket) this.#onSocketClosed(event.code, event.reason);
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
    switch (message.type) {
      case 'chat':
        this.#onChat(message);
        return;
      case 'reactions':
        this.#emitter.emit('reactions', message);
        return;
      case 'presence':
        this.#emitter.emit('presence', message);
        return;
      case 'ack':
        this.#outbox.handleAck(message);
        return;
      case 'error':
        if (
          !this.#outbox.handleError(message) &&
          !this.#ballots.handleError(message) &&
          !this.#party.handleError(message)
        ) {
          this.#emitter.emit('error', message);
        }
        return;
      case 'voted':
        this.#ballots.handleVoted(message); // an answer to no pending vote has no one to tell
        return;
      case 'stage':
        if (this.#mirror.applyStage(message.stage)) this.#emitter.emit('stage', message.stage);
        return;
      case 'tally': {
        const tally = this.#mirror.applyTally(message);
        if (tally) this.#emitter.emit('tally', tally);
        return;
      }
      case 'party':
      case 'party.timeline':
      case 'party.chat':
      case 'party.left':
        this.#party.handle(message);
        return;
      case 'pong':
        this.#serverClock.receive(message); // a pong for no ping of ours needs nothing
        return;
      case 'welcome': // once per session
        return;
    }
  }

  #onWelcome(welcome: Welcome): void {
    const generation = this.#generation;
    const open = () => generation === this.#generation; // false once a handler closed the client
    this.#attempt = 0;
    this.#user = welcome.user;
    this.#party.sessionStarted(welcome.user.id, this.#feed.lastSeq !== undefined);
    this.#move('open');
    this.#emitter.emit('welcome', welcome);
    // `tallies` and `stage` default for a gateway older than them, met during a rolling deploy.
    const { stage, tallies = [] } = welcome.snapshot;
    this.#emitter.emit('continuity', welcome.snapshot.continuity);
    if (open() && stage !== undefined && this.#mirror.applyStage(stage)) {
      this.#emitter.emit('stage', stage);
    }
    for (const entry of tallies) {
      if (!open()) return;
      const tally = this.#mirror.applyTally(entry);
      if (tally) this.#emitter.emit('tally', tally);
    }
    if (!this.#feed.snapshot(welcome.snapshot, open)) return;
    this.#outbox.sessionStarted();
    this.#ballots.sessionStarted();
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
      this.#nextBackoff(),
    );
  }

  #onSocketClosed(code: number, reason: string): void {
    this.#socket = undefined;
    this.#endSession();
    const policy = closeRetryPolicy(code);
    if (policy === 'reconnect' || policy === 'retry-after') {
      // 4000: the shard is draining and its peers are up; come back at once, with jitter.
      const delay = code === Close.serverRestart ? restartDelay(this.#random) : this.#nextBackoff();
      this.#retryLater({ code, reason }, delay);
    } else if (policy === 'reauth' && this.#credentials.renewable) {
      this.#credentials.invalidate();
      this.#retryLater({ code, reason }, this.#nextBackoff());
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

  #nextBackoff(): number {
    return backoffDelay(this.#attempt++, this.#backoff, this.#random);
  }

  #retryLater(info: Omit<ReconnectInfo, 'delayMs'>, delayMs: number): void {
    this.#generation++;
    this.#move('waiting');
    this.#reconnectTimer = this.#clock.setTimeout(() => {
      this.#reconnectTimer = undefined;
      this.#move('connecting');
      void this.#open();
    }, delayMs);
    this.#emitter.emit('reconnecting', { ...info, delayMs });
  }

  #finish(code: number, reason: string): void {
    if (this.#state === 'closed') return;
    this.#generation++;
    if (this.#reconnectTimer !== undefined) this.#clock.clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = undefined;
    const socket = this.#socket;
    this.#socket = undefined;
    if (socket) discardSocket(socket, CLIENT_CLOSE.code, CLIENT_CLOSE.reason);
    this.#taps.clear();
    const closedBy = new ClientClosedError(code, reason);
    this.#outbox.close(closedBy);
    this.#ballots.close(closedBy);
    this.#party.close(closedBy);
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
