// Reads server frames in the receivers' hot path without a JSON.parse per frame: one generator
// process stands in for thousands of fans, so its per-frame cost caps what the bench can measure.
// The fast path scans the raw bytes for the few fields it needs (type, seq, bench send stamp).
// Trade-off: it leans on how the server lays out its JSON, so the first chat frames are also
// decoded in full and compared; on any disagreement the reader falls back to full decoding for
// good and says why, rather than miscount.

import { decodeServerMessage } from '@fanfare/protocol';
import type { ChatBatch, ServerMessage, ServerMessageType } from '@fanfare/protocol';
import { parseBenchText } from './bench-text.js';

/** Initial room in a ChatScan, messages; it grows for bigger batches (a lagging fan's can be huge). */
const INITIAL_SCAN_CAPACITY = 1024;

/** How many chat frames are decoded both ways to check the fast path. */
export const VERIFIED_FRAMES = 200;

// Exhaustive over the union, so a new server type cannot be missed here.
const KNOWN_TYPES: Readonly<Record<ServerMessageType, true>> = {
  welcome: true,
  chat: true,
  reactions: true,
  presence: true,
  ack: true,
  error: true,
  pong: true,
  voted: true,
  tally: true,
  stage: true,
  party: true,
  'party.timeline': true,
  'party.chat': true,
  'party.left': true,
  ticket: true,
};
const CHAT_TYPE = 'chat' satisfies ServerMessageType;
const TYPE_NAMES = (Object.keys(KNOWN_TYPES) as ServerMessageType[]).map(
  (type) => [type, Buffer.from(type)] as const,
);

// The scan compares bytes in plain loops: a Buffer.indexOf or compare call costs ~250 ns of
// binding overhead, more than reading a whole message byte by byte.
const TYPE_PREFIX = Buffer.from('{"type":"');
const QUOTE = 0x22;
const COLON = 0x3a;
const DOT = 0x2e;
const COMMA = 0x2c;
const CLOSE_BRACE = 0x7d;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;
const LOWER_B = 0x62;
const LOWER_E = 0x65;
const LOWER_Q = 0x71;
const LOWER_S = 0x73;
const LOWER_T = 0x74;
const LOWER_X = 0x78;

/** The messages of one chat frame, in frame order, in reusable arrays (no allocation per frame). */
export class ChatScan {
  count = 0;
  seqs = new Float64Array(INITIAL_SCAN_CAPACITY);
  /** Bench send stamp per message, ms since the epoch; NaN for chat not written by a bench. */
  sendTimes = new Float64Array(INITIAL_SCAN_CAPACITY);

  /** Makes room for at least `n` messages, keeping those already stored. */
  reserve(n: number): void {
    if (n <= this.seqs.length) return;
    let capacity = this.seqs.length * 2;
    while (capacity < n) capacity *= 2;
    const seqs = new Float64Array(capacity);
    const sendTimes = new Float64Array(capacity);
    seqs.set(this.seqs);
    sendTimes.set(this.sendTimes);
    this.seqs = seqs;
    this.sendTimes = sendTimes;
  }
}

/**
 * The type of the frame in frame[from, to) when it starts with `{"type":"<known>"`, undefined
 * otherwise. Every encoder that writes `type` first (as the server's object literals do)
 * satisfies this; others fall back.
 */
export function peekType(
  frame: Buffer,
  from = 0,
  to = frame.length,
): ServerMessageType | undefined {
  const start = from + TYPE_PREFIX.length;
  if (to < start + 2) return undefined;
  for (let i = 0; i < TYPE_PREFIX.length; i++)
    if (frame[from + i] !== TYPE_PREFIX[i]) return undefined;
  let end = start;
  while (end < to && frame[end] !== QUOTE) end++;
  for (const [type, name] of TYPE_NAMES) {
    if (name.length !== end - start) continue;
    let i = 0;
    while (i < name.length && frame[start + i] === name[i]) i++;
    if (i === name.length) return type;
  }
  return undefined;
}

const NO_KEY = 0;
const SEQ_KEY = 1; // "seq":
const TEXT_KEY = 2; // "text":"

// Out-parameters of the helpers below, kept in module scope so the hot loop allocates nothing.
let keyEnd = 0;
let numberEnd = 0;

// Horspool skip table over a 6-byte window, shared by both keys: how far the window may move on
// when its last byte is this one. 0 marks bytes that may end a key (`:` of "seq":, `"` of
// "text"), where the window is checked. A byte at position p of either key (p < 5) allows
// 5 - p; any other byte, the whole window. About 1.6x faster than testing every byte.
const KEY_WINDOW = 6;
const SKIP = new Uint8Array(256).fill(KEY_WINDOW);
for (const [char, skip] of [
  ['"', 0],
  [':', 0],
  ['s', 4],
  ['e', 3],
  ['q', 2],
  ['x', 2],
  ['t', 1],
] as const) {
  SKIP[char.charCodeAt(0)] = skip;
}

/** Finds the next `"seq":` or `"text":"` from `from`; sets keyEnd just past it. */
function nextKey(b: Buffer, from: number): number {
  const seqLast = b.length - KEY_WINDOW;
  const textLast = b.length - 8;
  let i = from;
  while (i <= seqLast) {
    const skip = SKIP[b[i + KEY_WINDOW - 1]!]!;
    if (skip !== 0) {
      i += skip;
      continue;
    }
    if (b[i] === QUOTE) {
      const c = b[i + 1];
      if (c === LOWER_S) {
        if (
          b[i + 2] === LOWER_E &&
          b[i + 3] === LOWER_Q &&
          b[i + 4] === QUOTE &&
          b[i + 5] === COLON
        ) {
          keyEnd = i + 6;
          return SEQ_KEY;
        }
      } else if (c === LOWER_T && i <= textLast) {
        if (
          b[i + 2] === LOWER_E &&
          b[i + 3] === LOWER_X &&
          b[i + 4] === LOWER_T &&
          b[i + 5] === QUOTE &&
          b[i + 6] === COLON &&
          b[i + 7] === QUOTE
        ) {
          keyEnd = i + 8;
          return TEXT_KEY;
        }
      }
    }
    i++;
  }
  return NO_KEY;
}

/** Reads an unsigned integer at `at`; sets numberEnd past it. NaN when no digit is there. */
function readUint(b: Buffer, at: number): number {
  let value = 0;
  let i = at;
  let c = b[i]!; // Past the end this is undefined, and every comparison below is then false.
  while (c >= DIGIT_0 && c <= DIGIT_9) {
    value = value * 10 + (c - DIGIT_0);
    c = b[++i]!;
  }
  numberEnd = i;
  return i === at ? NaN : value;
}

const POWERS_OF_TEN = Array.from({ length: 16 }, (_, i) => 10 ** i);

/** Reads the `<sendTimeMs>` of a bench text starting at `at` (just past the opening quote). */
function readSendTime(b: Buffer, at: number): number {
  if (b[at] !== LOWER_B || b[at + 1] !== COLON) return NaN;
  // One pass over `<whole>[.<fraction>]`: all digits into one integer, then one division.
  let digits = 0;
  let fractionDigits = -1;
  let i = at + 2;
  let c = b[i]!;
  for (;;) {
    if (c >= DIGIT_0 && c <= DIGIT_9) {
      digits = digits * 10 + (c - DIGIT_0);
      if (fractionDigits >= 0) fractionDigits++;
    } else if (c === DOT && fractionDigits < 0 && i > at + 2) {
      fractionDigits = 0;
    } else {
      break;
    }
    c = b[++i]!;
  }
  if (i === at + 2 || fractionDigits === 0 || fractionDigits >= POWERS_OF_TEN.length) return NaN;
  // A bench text ends with `:<sender>:<n>"`; anything else is someone else's text.
  for (let field = 0; field < 2; field++) {
    if (b[i] !== COLON || Number.isNaN(readUint(b, i + 1))) return NaN;
    i = numberEnd;
  }
  if (b[i] !== QUOTE) return NaN;
  return fractionDigits > 0 ? digits / POWERS_OF_TEN[fractionDigits]! : digits;
}

/**
 * Scans a chat frame's messages into `out` by byte search. Sound because the server writes JSON:
 * a `"` inside any string is escaped, so `"seq":` and `"text":"` can only match real keys. The
 * keys must alternate seq, text, seq, text...; returns false (leaving `out` unspecified) on any
 * other layout, and the caller must then decode in full.
 */
export function scanChatFrame(frame: Buffer, out: ChatScan): boolean {
  let n = 0;
  let pos = 0;
  for (;;) {
    const key = nextKey(frame, pos);
    if (key === NO_KEY) break;
    if (key !== SEQ_KEY) return false;
    const seq = readUint(frame, keyEnd);
    const after = frame[numberEnd];
    if (Number.isNaN(seq) || (after !== COMMA && after !== CLOSE_BRACE)) return false;
    if (nextKey(frame, numberEnd) !== TEXT_KEY) return false;
    if (n === out.seqs.length) out.reserve(n + 1);
    out.seqs[n] = seq;
    out.sendTimes[n] = readSendTime(frame, keyEnd);
    n++;
    // The text's own bytes cannot hold a key (its quotes are escaped), so go on from its start.
    pos = keyEnd;
  }
  out.count = n;
  return n > 0;
}

/** Fills `out` from a fully decoded chat batch. */
export function fillChatScan(batch: ChatBatch, out: ChatScan): boolean {
  if (!Array.isArray(batch.messages)) return false;
  out.reserve(batch.messages.length);
  let n = 0;
  for (const message of batch.messages) {
    out.seqs[n] = message.seq;
    out.sendTimes[n] = parseBenchText(message.text)?.sendTimeMs ?? NaN;
    n++;
  }
  out.count = n;
  return true;
}

function sameScan(a: ChatScan, b: ChatScan): boolean {
  if (a.count !== b.count) return false;
  for (let i = 0; i < a.count; i++) {
    if (a.seqs[i] !== b.seqs[i]) return false;
    const x = a.sendTimes[i]!;
    const y = b.sendTimes[i]!;
    // Both sides read the same decimal digits; allow for float rounding only (an ulp near
    // 1.7e12 is 0.24 us).
    if (Number.isNaN(x) !== Number.isNaN(y) || Math.abs(x - y) > 0.001) return false;
  }
  return true;
}

/** One per generator process; not safe to share across interleaved reads (reused scratch). */
export class ServerFrameReader {
  /** The messages of the last chat frame `read` returned. */
  readonly chat = new ChatScan();
  #check = new ChatScan();
  #verifyLeft = VERIFIED_FRAMES;
  #fastPathOff: string | undefined;
  #slowFrames = 0;

  /** Frames that took the full-decode path. */
  get slowFrames(): number {
    return this.#slowFrames;
  }

  /** Why the fast path was switched off, if it was. */
  get fastPathOff(): string | undefined {
    return this.#fastPathOff;
  }

  /**
   * Reads one text frame. Returns its type (filling `chat` for chat frames), or undefined for a
   * frame that is not a well-formed server message. Other frames' bodies are not read; call
   * `decode` for the rare ones whose body matters.
   */
  read(frame: Buffer): ServerMessageType | undefined {
    if (this.#fastPathOff === undefined) {
      const type = peekType(frame);
      if (type !== undefined && type !== CHAT_TYPE) return type;
      if (type === CHAT_TYPE && scanChatFrame(frame, this.chat)) {
        if (this.#verifyLeft > 0) this.#verify(frame);
        return type;
      }
    }
    this.#slowFrames++;
    const message = this.decode(frame);
    if (message === undefined) return undefined;
    if (message.type === CHAT_TYPE && !fillChatScan(message, this.chat)) return undefined;
    return message.type;
  }

  decode(frame: Buffer): ServerMessage | undefined {
    return decodeServerMessage(frame.toString('utf8'));
  }

  #verify(frame: Buffer): void {
    this.#verifyLeft--;
    const message = this.decode(frame);
    const ok =
      message !== undefined &&
      message.type === CHAT_TYPE &&
      fillChatScan(message, this.#check) &&
      sameScan(this.chat, this.#check);
    if (ok) return;
    this.#fastPathOff = `byte scan disagreed with JSON.parse on: ${frame.toString('utf8', 0, 300)}`;
    if (message?.type === CHAT_TYPE) fillChatScan(message, this.chat);
    else this.chat.count = 0;
  }
}
