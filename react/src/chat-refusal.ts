// Why a fan cannot chat right now, in words a fan understands, from the protocol's refusal codes
// (and the close that ends a banned fan's session). Pure, so each rule has a unit test; the
// countdown is computed from a deadline at render time.

import { Close, type ErrorCode } from '@fanfare/protocol';

/** A refusal the page shows under the message box until it passes (or the next send). */
export interface ChatRefusal {
  code: ErrorCode | 'banned' | 'closed';
  /** The sentence shown to the fan. */
  text: string;
  /** When the fan may chat again, ms on the page's clock (`Date.now()`); absent: not by waiting. */
  until?: number;
  /** True while the SDK holds the message and resends it by itself at `until`. */
  pending: boolean;
}

const WORDS: Partial<Record<ErrorCode, string>> = {
  slow_mode: 'Slow mode is on: one message at a time.',
  rate_limited: 'You are sending messages too fast.',
  timed_out: 'A moderator timed you out of chat.',
  chat_busy: 'Chat is very busy right now.',
  chat_restricted: 'Chat is open to ticket holders only.',
  blocked_term: 'Your message contains a blocked term; it was not sent.',
  duplicate_message: 'You just sent the same message.',
  event_ended: 'The event has ended; chat is closed.',
  text_empty: 'Write something first.',
  text_too_long: 'That message is too long.',
  unavailable: 'Chat is unavailable for a moment.',
};

/** The sentence for a refusal `code`, with the server's own words when they add a reason. */
export function refusalText(code: ErrorCode, serverMessage: string): string {
  const words = WORDS[code];
  if (words === undefined) return serverMessage;
  // Sanctions may carry the moderator's reason after a colon ("...: spamming links").
  const reason = /:\s*(.+)$/.exec(serverMessage)?.[1];
  if (!reason) return words;
  return `${words} Reason: ${reason}${/[.!?]$/.test(reason) ? '' : '.'}`;
}

/** A refusal from an error code, `waitMs` from now when the server named a wait. */
export function chatRefusal(
  code: ErrorCode,
  serverMessage: string,
  now: number,
  waitMs: number | undefined,
  pending: boolean,
): ChatRefusal {
  return {
    code,
    text: refusalText(code, serverMessage),
    ...(waitMs !== undefined ? { until: now + waitMs } : {}),
    pending,
  };
}

/** The refusal for a session the server ended for good (a ban is said as such). */
export function closedRefusal(closeCode: number, reason: string): ChatRefusal {
  if (closeCode === Close.banned) {
    return {
      code: 'banned',
      text: `A moderator banned you from this event.${reason && reason !== 'banned' ? ` Reason: ${reason}` : ''}`,
      pending: false,
    };
  }
  return {
    code: 'closed',
    text: `Disconnected (${closeCode}${reason ? ` ${reason}` : ''}).`,
    pending: false,
  };
}

/** "12 s" or "4:05" for a wait in ms, rounded up to the second. */
export function formatWait(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / 1000));
  if (s < 60) return `${s} s`;
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}
