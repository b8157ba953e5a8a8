// The event's chat rules as a shard enforces them: compiled once per stage change from the
// stage (blocked terms into one regex), checked per message after sanctions and before the
// fan's own rate limit. Pure: the caller passes the time and records accepted messages.

import type { Entitlement, ErrorCode, EventState, Role } from '@fanfare/protocol';
import type { Stage } from '@fanfare/fanout';
import { compileBlockedTerms, type BlockedTerms } from './blocked-terms.js';

export interface ChatPolicy {
  state: EventState;
  /** Ms between one fan's messages; 0 when slow mode is off. */
  slowModeMs: number;
  entitledOnlyChat: boolean;
  blocked: BlockedTerms;
  /** Accepted messages per second across the event; 0: no cap. */
  capPerSec: number;
}

/** Who is sending, as far as the rules care. */
export interface Sender {
  role: Role;
  entitlements: readonly Entitlement[];
  /** When this session's last message was accepted, ms; undefined before the first. */
  lastChatAt: number | undefined;
}

export type RuleVerdict =
  { ok: true } | { ok: false; code: ErrorCode; message: string; retryAfterMs?: number };

/** `defaultCapPerSec`: the shard's cap when the stage sets none (0: no cap). */
export function compileChatPolicy(stage: Stage, defaultCapPerSec: number): ChatPolicy {
  const { rules, view } = stage;
  return {
    state: view.state,
    slowModeMs: (rules.slowModeS ?? 0) * 1000,
    entitledOnlyChat: rules.entitledOnlyChat,
    blocked: compileBlockedTerms(rules.blockedTerms),
    capPerSec: Math.max(0, rules.chatCapPerSec ?? defaultCapPerSec),
  };
}

export function isStaff(role: Role): boolean {
  return role !== 'fan';
}

/** Staff and ticket holders: chat goes first under the ingest cap. */
export function isPriority(sender: Pick<Sender, 'role' | 'entitlements'>): boolean {
  return isStaff(sender.role) || sender.entitlements.includes('ticketed');
}

export function isOver(state: EventState): boolean {
  return state === 'ended' || state === 'archived';
}

/** Checks, in order: event over, entitled-only chat, blocked terms, slow mode. */
export function checkChatRules(
  policy: ChatPolicy,
  sender: Sender,
  text: string,
  now: number,
): RuleVerdict {
  if (isOver(policy.state)) {
    return { ok: false, code: 'event_ended', message: 'the event has ended; chat is closed' };
  }
  const staff = isStaff(sender.role);
  if (policy.entitledOnlyChat && !staff && !sender.entitlements.includes('ticketed')) {
    return { ok: false, code: 'chat_restricted', message: 'chat is open to ticket holders only' };
  }
  if (policy.blocked.size > 0 && policy.blocked.find(text) !== undefined) {
    return { ok: false, code: 'blocked_term', message: 'your message contains a blocked term' };
  }
  if (policy.slowModeMs > 0 && !staff && sender.lastChatAt !== undefined) {
    const wait = sender.lastChatAt + policy.slowModeMs - now;
    if (wait > 0) {
      return {
        ok: false,
        code: 'slow_mode',
        message: `slow mode: one message every ${policy.slowModeMs / 1000} s`,
        retryAfterMs: wait,
      };
    }
  }
  return { ok: true };
}
