// Decoding at the edge: a text frame becomes a typed ClientMessage or a typed protocol error.
// Interior code trusts the types this returns. Hand-written to keep the package dependency-free
// and the hot path cheap (one JSON.parse, a few typeof checks).

import { REACT_MAX_COUNT, REF_MAX_CHARS, isReactionEmoji } from './limits.js';
import type { ChatSend, ClientMessage, ServerMessage, Vote, Welcome } from './messages.js';
import { POLL_ID_MAX_CHARS, POLL_OPTIONS_MAX } from './stage.js';
import { decodePartyFrame } from './codec-party.js';
import { decodeQoe } from './codec-qoe.js';
import { chatText, fail, optionalToken, type Decoded, type Fields } from './decoding.js';

function decodeChatSend(o: Fields, ref: string | undefined): Decoded<ClientMessage> {
  const text = chatText(o.text, ref);
  if (!text.ok) return text;
  const key = optionalToken(o.key);
  if (key === null) {
    return fail('invalid_frame', `\`key\` must be a string of 1-${REF_MAX_CHARS} characters`, ref);
  }
  const value: ChatSend = { type: 'chat.send', text: text.value };
  if (ref !== undefined) value.ref = ref;
  if (key !== undefined) value.key = key;
  return { ok: true, value };
}

function decodeReact(o: Fields, ref: string | undefined): Decoded<ClientMessage> {
  if (typeof o.emoji !== 'string') return fail('invalid_frame', '`emoji` must be a string', ref);
  if (!isReactionEmoji(o.emoji))
    return fail('unknown_emoji', 'emoji is not in the reaction set', ref);
  let count = 1;
  if (o.count !== undefined) {
    if (
      typeof o.count !== 'number' ||
      !Number.isInteger(o.count) ||
      o.count < 1 ||
      o.count > REACT_MAX_COUNT
    ) {
      return fail(
        'invalid_frame',
        `\`count\` must be an integer from 1 to ${REACT_MAX_COUNT}`,
        ref,
      );
    }
    count = o.count;
  }
  return { ok: true, value: { type: 'react', emoji: o.emoji, count } };
}

function decodePing(o: Fields, ref: string | undefined): Decoded<ClientMessage> {
  if (o.t !== undefined && (typeof o.t !== 'number' || !Number.isFinite(o.t))) {
    return fail('invalid_frame', '`t` must be a finite number', ref);
  }
  const value: ClientMessage = { type: 'ping' };
  if (ref !== undefined) value.ref = ref;
  if (typeof o.t === 'number') value.t = o.t;
  return { ok: true, value };
}

function decodeVote(o: Fields, ref: string | undefined): Decoded<ClientMessage> {
  if (
    typeof o.pollId !== 'string' ||
    o.pollId.length === 0 ||
    o.pollId.length > POLL_ID_MAX_CHARS
  ) {
    return fail(
      'invalid_frame',
      `\`pollId\` must be a string of 1-${POLL_ID_MAX_CHARS} characters`,
      ref,
    );
  }
  // A missing or non-integer option is a malformed frame; an integer that names no option is not.
  if (typeof o.option !== 'number' || !Number.isInteger(o.option)) {
    return fail('invalid_frame', '`option` must be an integer', ref);
  }
  if (o.option < 0 || o.option >= POLL_OPTIONS_MAX) {
    return fail(
      'invalid_option',
      `\`option\` must be an integer from 0 to ${POLL_OPTIONS_MAX - 1}`,
      ref,
    );
  }
  const value: Vote = { type: 'vote', pollId: o.pollId, option: o.option };
  if (ref !== undefined) value.ref = ref;
  return { ok: true, value };
}

/** Decodes one client text frame. Never throws. */
export function decodeClientMessage(frame: string): Decoded<ClientMessage> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(frame);
  } catch {
    return fail('invalid_json', 'frame is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return fail('invalid_frame', 'frame must be a JSON object');
  }
  const o = parsed as Fields;
  const ref = optionalToken(o.ref);
  if (ref === null)
    return fail('invalid_frame', `\`ref\` must be a string of 1-${REF_MAX_CHARS} characters`);
  switch (o.type) {
    case 'chat.send':
      return decodeChatSend(o, ref);
    case 'react':
      return decodeReact(o, ref);
    case 'ping':
      return decodePing(o, ref);
    case 'vote':
      return decodeVote(o, ref);
    case 'qoe':
      return decodeQoe(o, ref);
    default:
      if (typeof o.type !== 'string') return fail('invalid_frame', '`type` must be a string', ref);
      if (o.type.startsWith('party.')) return decodePartyFrame(o, ref);
      return fail('unknown_type', 'unknown message type', ref);
  }
}

/** Encodes a server message once; the same string is then sent to every recipient. */
export function encodeServerMessage(message: ServerMessage): string {
  return JSON.stringify(message);
}

/**
 * Encodes a welcome whose snapshot is already JSON (`JSON.stringify` of a Snapshot): a shard
 * serialises the room's snapshot once per change and shares it among every fan who joins
 * meanwhile. Decodes to the same message as `encodeServerMessage({...welcome, snapshot})`.
 */
export function encodeWelcome(welcome: Omit<Welcome, 'snapshot'>, snapshotJson: string): string {
  const { resumeTicket, ...head } = welcome;
  const ticket =
    resumeTicket === undefined ? '' : `,"resumeTicket":${JSON.stringify(resumeTicket)}`;
  return `${JSON.stringify(head).slice(0, -1)},"snapshot":${snapshotJson}${ticket}}`;
}

/** Encodes a client message (SDK, tests, load generator). */
export function encodeClientMessage(message: ClientMessage): string {
  return JSON.stringify(message);
}

const SERVER_TYPES: ReadonlySet<string> = new Set<ServerMessage['type']>([
  'welcome',
  'chat',
  'reactions',
  'presence',
  'ack',
  'error',
  'pong',
  'voted',
  'tally',
  'stage',
  'party',
  'party.timeline',
  'party.chat',
  'party.left',
  'ticket',
]);

/**
 * Decodes a server frame on the client side. The server is trusted to send well-formed
 * messages; this checks only the discriminant so that a newer server's unknown types are
 * reported rather than mistaken for known ones.
 */
export function decodeServerMessage(frame: string): ServerMessage | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(frame);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const type = (parsed as Fields).type;
  return typeof type === 'string' && SERVER_TYPES.has(type) ? (parsed as ServerMessage) : undefined;
}
