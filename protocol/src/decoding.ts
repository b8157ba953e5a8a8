// What both client-frame decoders share (codec.ts for the event frames, codec-party.ts for the
// watch-party ones): the result shape, one `fail`, and the checks on fields several frames carry.
// A leaf: it imports only constants and types, so the two decoders depend on it and not on each
// other.

import type { ErrorCode } from './codes.js';
import { CHAT_MAX_CHARS, REF_MAX_CHARS } from './limits.js';
import { checkText } from './text-policy.js';

export interface ProtocolError {
  code: ErrorCode;
  message: string;
  ref?: string;
}

export type Decoded<T> = { ok: true; value: T } | { ok: false; error: ProtocolError };

/** A parsed frame's fields, not yet checked. */
export type Fields = Record<string, unknown>;

export function fail(code: ErrorCode, message: string, ref?: string): Decoded<never> {
  return { ok: false, error: ref === undefined ? { code, message } : { code, message, ref } };
}

/** A short client-chosen string (ref, key): undefined when absent, null when malformed. */
export function optionalToken(value: unknown): string | undefined | null {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length === 0 || value.length > REF_MAX_CHARS) return null;
  return value;
}

/** Counts code points, so an emoji is one character as a person counts it (near enough). */
export function charLength(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/**
 * The chat text check shared by event chat and party chat: a string that passes the text policy
 * (text-policy.ts: `invalid_text` for a refused character, `text_empty` for nothing visible), at
 * most CHAT_MAX_CHARS code points. Returns the normalised, trimmed text or the refusal.
 */
export function chatText(value: unknown, ref: string | undefined): Decoded<string> {
  if (typeof value !== 'string') return fail('invalid_frame', '`text` must be a string', ref);
  const checked = checkText(value, 'multiline');
  if (!checked.ok) {
    return checked.refusal === 'empty'
      ? fail('text_empty', `chat text ${checked.message}`, ref)
      : fail('invalid_text', `chat text ${checked.message}`, ref);
  }
  const text = checked.text;
  // Cheap pre-check on UTF-16 length before counting code points.
  if (text.length > CHAT_MAX_CHARS && charLength(text) > CHAT_MAX_CHARS) {
    return fail('text_too_long', `chat text exceeds ${CHAT_MAX_CHARS} characters`, ref);
  }
  return { ok: true, value: text };
}
