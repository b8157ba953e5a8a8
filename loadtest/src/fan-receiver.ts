// The receive side of one generator process: every fan's socket reports here (one handler for
// all of them), and every frame is classified and counted without a JSON.parse, except the rare
// ones whose body matters (welcome, error). One reader and one set of counters per process, so
// each extra fan costs a socket, a Fan and a SeqTracker.

import type { Dialect } from './dialect.js';
import { FrameCache } from './frame-cache.js';
import { ServerFrameReader, peekType } from './frame-reader.js';
import { nowMs } from './clock.js';
import type { RawWebSocket, RawWsClosed, RawWsHandler } from './raw-ws.js';
import { ReceiveStats } from './receive-stats.js';
import { SeqTracker } from './seq-tracker.js';

/** One simulated fan: where it connects, its current socket and its view of the event's seqs. */
export interface Fan {
  /** Global index over all generators. */
  readonly index: number;
  /** Global sender index when this fan sends chat; -1 otherwise (set after the connect). */
  sender: number;
  host: string;
  port: number;
  /** Upgrade path without the per-connection query (token, since). */
  path: string;
  /** Fanfare's token from the join, reused on reconnects; undefined for the peers. */
  token: string | undefined;
  ws: RawWebSocket<Fan> | undefined;
  /** Created at the first welcome; kept across reconnects. */
  seq: SeqTracker | undefined;
  /**
   * The newest resume ticket (Fanfare): the last welcome's, replaced by each `ticket` frame, as
   * the SDK keeps it; undefined once used or when none came.
   */
  ticket: string | undefined;
  /**
   * The newest grant's `fallbackUrl` (Fanfare): another live shard to use `ticket` on when this
   * fan's shard cannot be reached; replaced (or cleared) with the ticket, as the SDK keeps it.
   * Unchecked server data: shard-loss.ts checks it before use.
   */
  fallbackUrl: string | undefined;
  /** The last welcome's epoch (what `seq` counts in); undefined for the peers, who have none. */
  epoch: string | undefined;
  /** Waits for the welcome of the current connection. */
  welcome: ((result: WelcomeInfo | Error) => void) | undefined;
  /** True between the welcome and the close of the current connection. */
  live: boolean;
  /** Set when the generator ends or drops this connection itself (not counted as a disconnect). */
  leaving: boolean;
  /** Bench messages this fan has sent. */
  sent: number;
}

/** The poll frames a listener gets in full. */
export type PollFrameType = 'stage' | 'tally' | 'voted';

/** Gets the frames of the poll-burst scenario (fan-votes.ts), on the receive path. */
export interface PollFrameListener {
  /** A `stage`, `tally` or `voted` frame's JSON text, just received by `fan`. */
  frame(fan: Fan, type: PollFrameType, json: string): void;
  /** An error frame answering `fan`'s client frame `ref`; true when that frame was a vote. */
  refused(fan: Fan, ref: string, code: string): boolean;
}

export interface WelcomeInfo {
  lastSeq: number;
  continuity: string;
  /** Messages of the resume snapshot this fan had not seen. */
  recovered: number;
}

export interface WelcomeJson {
  resumeTicket?: { ticket?: unknown; fallbackUrl?: unknown };
  snapshot?: {
    lastSeq?: unknown;
    continuity?: unknown;
    epoch?: unknown;
    chat?: { seq?: unknown }[];
  };
}

const LAST_SEQ_KEY = Buffer.from('"lastSeq":');
const CONTINUITY_KEY = Buffer.from('"continuity":"');
const EPOCH_KEY = Buffer.from('"epoch":"');
const TICKET_KEY = Buffer.from('"resumeTicket":{"ticket":"');
const FALLBACK_KEY = Buffer.from('"fallbackUrl":"');

/**
 * lastSeq, continuity and epoch (when present: the peers have none) of a welcome in
 * buf[from, to) by byte search, or undefined when lastSeq or continuity is missing; and its
 * resume ticket with the grant's fallbackUrl (one with an escape in it is left out: no shard's
 * URL has one). Sound on server JSON: a quote inside any string is escaped, so the keys cannot
 * appear inside the snapshot's chat texts.
 */
export function scanWelcome(buf: Buffer, from: number, to: number): WelcomeJson | undefined {
  const seqAt = buf.indexOf(LAST_SEQ_KEY, from);
  const contAt = buf.indexOf(CONTINUITY_KEY, from);
  if (seqAt < 0 || seqAt >= to || contAt < 0 || contAt >= to) return undefined;
  let i = seqAt + LAST_SEQ_KEY.length;
  let lastSeq = 0;
  const start = i;
  for (let c = buf[i]!; c >= DIGIT_0 && c <= DIGIT_9; c = buf[++i]!)
    lastSeq = lastSeq * 10 + (c - DIGIT_0);
  if (i === start) return undefined;
  const cs = contAt + CONTINUITY_KEY.length;
  const ce = buf.indexOf(0x22, cs);
  if (ce < 0 || ce >= to) return undefined;
  const snapshot: WelcomeJson['snapshot'] = { lastSeq, continuity: buf.toString('latin1', cs, ce) };
  const epochAt = buf.indexOf(EPOCH_KEY, from);
  const es = epochAt + EPOCH_KEY.length;
  const ee = epochAt < 0 ? -1 : buf.indexOf(0x22, es);
  if (epochAt >= 0 && ee >= 0 && ee < to) snapshot.epoch = buf.toString('latin1', es, ee);
  // After the snapshot, whose chat texts could hold these bytes escaped but not raw.
  const ticketAt = buf.lastIndexOf(TICKET_KEY, to);
  const ts = ticketAt + TICKET_KEY.length;
  const te = ticketAt < from ? -1 : buf.indexOf(0x22, ts);
  if (te < 0 || te >= to) return { snapshot };
  const resumeTicket: WelcomeJson['resumeTicket'] = { ticket: buf.toString('latin1', ts, te) };
  // The grant is the welcome's last member: what follows its ticket is the grant's own.
  const fallbackAt = buf.indexOf(FALLBACK_KEY, te);
  const fs = fallbackAt + FALLBACK_KEY.length;
  const fe = fallbackAt < 0 ? -1 : buf.indexOf(0x22, fs);
  const url = fe >= 0 && fe < to ? buf.toString('utf8', fs, fe) : '';
  // An escape (none in a shard's URL) would need a JSON parse; the quote found may be escaped.
  if (url !== '' && !url.includes('\\')) resumeTicket.fallbackUrl = url;
  return { snapshot, resumeTicket };
}

/** A connection attempt that ended before its welcome; `status` and `retryAfterS` of a refused upgrade. */
export class ConnectFailedError extends Error {
  override name = 'ConnectFailedError';
  readonly status: number;
  readonly retryAfterS: number | undefined;

  constructor(info: RawWsClosed) {
    super(describeClose(info));
    this.status = info.status;
    this.retryAfterS = info.retryAfterS;
  }
}

/** Why a connection attempt ended, as a short stable label for counting. */
export function describeClose(info: RawWsClosed): string {
  if (info.status !== 0) return `upgrade refused: ${info.status} ${info.reason}`;
  if (!info.opened) return `connect failed: ${info.reason}`;
  return `closed before welcome: ${info.code} ${info.reason}`.trim();
}

const COUNTS_KEY = Buffer.from('"counts":{');
const COLON = 0x3a;
const CLOSE_BRACE = 0x7d;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;

/** Sums the tap counts of a `reactions` message in buf[start, end); 0 if it has none. */
export function sumReactionCounts(buf: Buffer, start: number, end: number): number {
  const at = buf.indexOf(COUNTS_KEY, start);
  if (at < 0 || at >= end) return 0;
  let sum = 0;
  // Keys are emoji from a fixed set: no quote or colon inside, so every `:` precedes a count.
  for (let i = at + COUNTS_KEY.length; i < end && buf[i] !== CLOSE_BRACE; i++) {
    if (buf[i] !== COLON) continue;
    let n = 0;
    let c = buf[++i]!;
    while (c >= DIGIT_0 && c <= DIGIT_9) {
      n = n * 10 + (c - DIGIT_0);
      c = buf[++i]!;
    }
    sum += n;
    i--;
  }
  return sum;
}

export class FanReceiver implements RawWsHandler<Fan> {
  readonly stats = new ReceiveStats();
  readonly reader = new ServerFrameReader();
  reactionFrames = 0;
  tapsSeen = 0;
  recovered = 0;
  /**
   * Told of each fan whose live connection the server side ended unasked (counted in
   * `disconnects`), when set: the shard-kill scenario rejoins them (shard-loss.ts).
   */
  lost: ((fan: Fan) => void) | undefined;
  /** Gets the poll frames when set (poll-burst); they are only counted otherwise. */
  polls: PollFrameListener | undefined;
  /** Unasked-for closes after the welcome, by code, and in total. */
  readonly disconnects: Record<string, number> = {};
  disconnectCount = 0;
  /** The first few unasked-for closes as `code reason`, for diagnostics. */
  readonly disconnectReasons: string[] = [];
  /** Fans between welcome and close. */
  live = 0;
  /** The highest seq any fan has seen (gauge). */
  maxSeq = 0;
  readonly #dialect: Dialect;
  readonly #cache = new FrameCache();

  constructor(dialect: Dialect) {
    this.#dialect = dialect;
  }

  open(): void {
    // Every dialect's server speaks first (welcome, or Engine.IO's open packet).
  }

  text(ws: RawWebSocket<Fan>, buf: Buffer, start: number, end: number): void {
    const fan = ws.owner;
    const from = this.#dialect.unwrap(ws, buf, start, end);
    if (from < 0) return;
    const to = end - this.#dialect.suffixBytes;
    const type = peekType(buf, from, to);
    if (fan.welcome !== undefined) {
      this.#welcome(fan, type === 'welcome', buf, from, to);
      return;
    }
    switch (type) {
      case 'chat': {
        this.stats.countFrame(type);
        if (fan.seq === undefined) return;
        let chat = this.#cache.lookup(buf, from, to);
        if (chat === undefined) {
          if (this.reader.read(buf.subarray(from, to)) !== 'chat') return;
          chat = this.reader.chat;
          this.#cache.store(buf, from, to, chat);
        }
        this.stats.countChat(chat, fan.seq, nowMs());
        if (fan.seq.last > this.maxSeq) this.maxSeq = fan.seq.last;
        return;
      }
      case 'reactions':
        this.reactionFrames++;
        this.tapsSeen += sumReactionCounts(buf, from, to);
        return;
      case 'ack':
        this.stats.acks++;
        return;
      case 'error':
        this.#error(fan, buf.toString('utf8', from, to));
        return;
      case 'ticket':
        this.stats.countFrame(type);
        this.#renewed(fan, buf.toString('utf8', from, to));
        return;
      case 'stage':
      case 'tally':
      case 'voted':
        this.stats.countFrame(type);
        this.polls?.frame(fan, type, buf.toString('utf8', from, to));
        return;
      case undefined:
        this.stats.countFrame('unreadable');
        return;
      default:
        this.stats.countFrame(type);
    }
  }

  closed(ws: RawWebSocket<Fan>, info: RawWsClosed): void {
    const fan = ws.owner;
    // A dropped connection's close may come after its replacement opened: only the current one counts.
    if (fan.ws !== ws) return;
    fan.ws = undefined;
    if (fan.welcome !== undefined) {
      const settle = fan.welcome;
      fan.welcome = undefined;
      settle(new ConnectFailedError(info));
      return;
    }
    if (fan.live) {
      fan.live = false;
      this.live--;
    }
    if (fan.leaving) return;
    this.disconnects[info.code] = (this.disconnects[info.code] ?? 0) + 1;
    this.disconnectCount++;
    if (this.disconnectReasons.length < 5) {
      this.disconnectReasons.push(`${info.code} ${info.reason}`.trim());
    }
    this.lost?.(fan);
  }

  /**
   * Forgets `fan`'s current connection without counting a disconnect: the generator is about to
   * drop it on purpose, and its close event, when it comes, is then stale and ignored.
   */
  detach(fan: Fan): void {
    fan.ws = undefined;
    if (fan.live) {
      fan.live = false;
      this.live--;
    }
  }

  #welcome(fan: Fan, isWelcome: boolean, buf: Buffer, from: number, to: number): void {
    const settle = fan.welcome!;
    fan.welcome = undefined;
    let parsed: WelcomeJson | undefined;
    if (isWelcome && fan.seq === undefined) {
      // A first welcome needs only its lastSeq: a byte scan spares parsing its 50-message snapshot.
      parsed = scanWelcome(buf, from, to);
    }
    if (isWelcome && parsed === undefined) {
      try {
        parsed = JSON.parse(buf.toString('utf8', from, to)) as WelcomeJson;
      } catch {
        parsed = undefined; // Reported just below as a bad first frame.
      }
    }
    const lastSeq = parsed?.snapshot?.lastSeq;
    if (typeof lastSeq !== 'number') {
      fan.ws?.destroy();
      settle(
        new Error(
          `first frame was not a welcome: ${buf.toString('utf8', from, Math.min(to, from + 200))}`,
        ),
      );
      return;
    }
    let recovered = 0;
    if (fan.seq === undefined) {
      fan.seq = new SeqTracker(lastSeq);
    } else {
      // A resumed session: the snapshot holds what the fan missed, oldest first.
      for (const message of parsed?.snapshot?.chat ?? []) {
        if (typeof message.seq === 'number' && fan.seq.observe(message.seq) !== 'duplicate')
          recovered++;
      }
      this.recovered += recovered;
    }
    const epoch = parsed?.snapshot?.epoch;
    fan.epoch = typeof epoch === 'string' ? epoch : undefined;
    const ticket = parsed?.resumeTicket?.ticket;
    fan.ticket = typeof ticket === 'string' ? ticket : undefined;
    const fallbackUrl = parsed?.resumeTicket?.fallbackUrl;
    fan.fallbackUrl = typeof fallbackUrl === 'string' ? fallbackUrl : undefined;
    if (lastSeq > this.maxSeq) this.maxSeq = lastSeq;
    fan.live = true;
    this.live++;
    this.stats.countFrame('welcome');
    const continuity = parsed?.snapshot?.continuity;
    settle({
      lastSeq,
      continuity: typeof continuity === 'string' ? continuity : 'fresh',
      recovered,
    });
  }

  /**
   * A renewed resume ticket and its fallback (one frame per fan per half lifetime: parsing it
   * costs little). A frame without `fallbackUrl` leaves the fan none, as in the SDK.
   */
  #renewed(fan: Fan, text: string): void {
    try {
      const { ticket, fallbackUrl } = JSON.parse(text) as {
        ticket?: unknown;
        fallbackUrl?: unknown;
      };
      if (typeof ticket !== 'string') return;
      fan.ticket = ticket;
      fan.fallbackUrl = typeof fallbackUrl === 'string' ? fallbackUrl : undefined;
    } catch {
      // Unreadable: the fan keeps the ticket it held; the frame was counted all the same.
    }
  }

  #error(fan: Fan, text: string): void {
    let code = 'undecodable';
    let ref: unknown;
    let message = text.slice(0, 200);
    try {
      const parsed = JSON.parse(text) as { code?: unknown; ref?: unknown; message?: unknown };
      if (typeof parsed.code === 'string') code = parsed.code;
      if (typeof parsed.message === 'string') message = parsed.message;
      ref = parsed.ref;
    } catch {
      // Counted as `undecodable` with its first bytes, which is all there is to say.
    }
    // A refused vote is the poll scenario's to count; only refused chat counts as `rejected`.
    const vote = typeof ref === 'string' && this.polls?.refused(fan, ref, code) === true;
    this.stats.countFrame('error');
    this.stats.countError(code, ref !== undefined && !vote, message);
  }
}
