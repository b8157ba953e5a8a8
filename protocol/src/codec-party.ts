// Decoding of the watch-party client frames (see party.ts); called by decodeClientMessage.

import type { ClientMessage } from './messages.js';
import {
  INVITE_CODE_LENGTH,
  PARTY_MEDIA_MAX_CHARS,
  PARTY_RATE_MAX,
  PARTY_RATE_MIN,
  PARTY_SIZE_MAX,
  PATH_MS_MAX,
  type PartyCommand,
} from './party.js';
import { chatText, fail, type Decoded, type Fields } from './decoding.js';

function ok(value: ClientMessage, ref: string | undefined): Decoded<ClientMessage> {
  if (ref !== undefined) (value as { ref?: string }).ref = ref;
  return { ok: true, value };
}

/** Longest position a host may seek to, seconds (a week: no media is longer). */
const POSITION_MAX_S = 7 * 24 * 3600;

function media(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return trimmed.length > 0 && trimmed.length <= PARTY_MEDIA_MAX_CHARS ? trimmed : undefined;
}

function isFiniteIn(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max;
}

function command(o: Fields): PartyCommand | undefined {
  switch (o.op) {
    case 'play':
    case 'pause':
      return { op: o.op };
    case 'seek':
      return isFiniteIn(o.position, 0, POSITION_MAX_S)
        ? { op: 'seek', position: o.position }
        : undefined;
    case 'rate':
      return isFiniteIn(o.rate, PARTY_RATE_MIN, PARTY_RATE_MAX)
        ? { op: 'rate', rate: o.rate }
        : undefined;
    case 'media': {
      const m = media(o.media);
      return m === undefined ? undefined : { op: 'media', media: m };
    }
    default:
      return undefined;
  }
}

/** Decodes a `party.*` frame; `type` is known to start with `party.`. */
export function decodePartyFrame(o: Fields, ref: string | undefined): Decoded<ClientMessage> {
  switch (o.type) {
    case 'party.create': {
      const m = media(o.media);
      if (m === undefined) {
        return fail(
          'invalid_frame',
          `\`media\` must be 1-${PARTY_MEDIA_MAX_CHARS} characters`,
          ref,
        );
      }
      if (
        o.maxSize !== undefined &&
        !(Number.isInteger(o.maxSize) && isFiniteIn(o.maxSize, 2, PARTY_SIZE_MAX))
      ) {
        return fail(
          'invalid_frame',
          `\`maxSize\` must be an integer from 2 to ${PARTY_SIZE_MAX}`,
          ref,
        );
      }
      const value: ClientMessage = { type: 'party.create', media: m };
      if (typeof o.maxSize === 'number') value.maxSize = o.maxSize;
      return ok(value, ref);
    }
    case 'party.join': {
      if (typeof o.code !== 'string' || o.code.trim().length !== INVITE_CODE_LENGTH) {
        return fail('invalid_frame', `\`code\` must be ${INVITE_CODE_LENGTH} characters`, ref);
      }
      return ok({ type: 'party.join', code: o.code.trim().toUpperCase() }, ref);
    }
    case 'party.leave':
      return ok({ type: 'party.leave' }, ref);
    case 'party.chat': {
      const text = chatText(o.text, ref);
      if (!text.ok) return text;
      return ok({ type: 'party.chat', text: text.value }, ref);
    }
    case 'party.command': {
      const parsed =
        typeof o.command === 'object' && o.command !== null
          ? command(o.command as Fields)
          : undefined;
      if (parsed === undefined) {
        return fail(
          'invalid_frame',
          `\`command\` must be play, pause, seek (position 0-${POSITION_MAX_S} s), rate (${PARTY_RATE_MIN}-${PARTY_RATE_MAX}) or media`,
          ref,
        );
      }
      if (typeof o.version !== 'number' || !Number.isInteger(o.version) || o.version < 0) {
        return fail('invalid_frame', '`version` must be the timeline version you saw', ref);
      }
      return ok({ type: 'party.command', command: parsed, version: o.version }, ref);
    }
    case 'party.ready':
      if (o.readiness !== 'ready' && o.readiness !== 'buffering') {
        return fail('invalid_frame', '`readiness` must be ready or buffering', ref);
      }
      if (o.pathMs === undefined)
        return ok({ type: 'party.ready', readiness: o.readiness }, undefined);
      if (typeof o.pathMs !== 'number' || !(o.pathMs >= 0 && o.pathMs <= PATH_MS_MAX)) {
        return fail(
          'invalid_frame',
          `\`pathMs\` must be a number of ms from 0 to ${PATH_MS_MAX}`,
          ref,
        );
      }
      return ok({ type: 'party.ready', readiness: o.readiness, pathMs: o.pathMs }, undefined);
    case 'party.host':
      if (typeof o.userId !== 'string' || o.userId.length === 0 || o.userId.length > 128) {
        return fail('invalid_frame', '`userId` must be a member’s user id', ref);
      }
      return ok({ type: 'party.host', userId: o.userId }, ref);
    default:
      return fail('unknown_type', 'unknown message type', ref);
  }
}
