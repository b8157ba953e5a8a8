import type { Stage } from '@fanfare/fanout';
import { describe, expect, it } from 'vitest';
import { checkChatRules, compileChatPolicy, type Sender } from './chat-rules.js';

function stage(rules: Partial<Stage['rules']> = {}, state: Stage['view']['state'] = 'live') {
  return {
    version: 1,
    view: {
      version: 1,
      title: 't',
      state,
      pinned: null,
      slowModeS: rules.slowModeS ?? null,
      entitledOnlyChat: rules.entitledOnlyChat ?? false,
      polls: [],
    },
    rules: {
      access: 'public',
      slowModeS: null,
      entitledOnlyChat: false,
      blockedTerms: [],
      chatCapPerSec: null,
      ...rules,
    },
  } satisfies Stage;
}

const fan: Sender = { role: 'fan', entitlements: [], lastChatAt: undefined };
const code = (v: ReturnType<typeof checkChatRules>) => (v.ok ? 'ok' : v.code);

describe('chat rules', () => {
  it('closes chat once the event has ended, for everyone', () => {
    const policy = compileChatPolicy(stage({}, 'ended'), 0);
    expect(code(checkChatRules(policy, fan, 'hi', 0))).toBe('event_ended');
    expect(code(checkChatRules(policy, { ...fan, role: 'producer' }, 'hi', 0))).toBe('event_ended');
  });

  it('restricts entitled-only chat to ticket holders and staff', () => {
    const policy = compileChatPolicy(stage({ entitledOnlyChat: true }), 0);
    expect(code(checkChatRules(policy, fan, 'hi', 0))).toBe('chat_restricted');
    expect(code(checkChatRules(policy, { ...fan, entitlements: ['ticketed'] }, 'hi', 0))).toBe(
      'ok',
    );
    expect(code(checkChatRules(policy, { ...fan, role: 'moderator' }, 'hi', 0))).toBe('ok');
  });

  it('refuses blocked terms before slow mode', () => {
    const policy = compileChatPolicy(stage({ blockedTerms: ['spam*'], slowModeS: 10 }), 0);
    const sender = { ...fan, lastChatAt: 0 };
    expect(code(checkChatRules(policy, sender, 'SPAMMY link', 1))).toBe('blocked_term');
    expect(checkChatRules(policy, sender, 'fine', 4000)).toMatchObject({
      code: 'slow_mode',
      retryAfterMs: 6000,
    });
    expect(code(checkChatRules(policy, sender, 'fine', 10_000))).toBe('ok');
    expect(code(checkChatRules(policy, { ...sender, role: 'moderator' }, 'fine', 1))).toBe('ok');
  });

  it('takes the stage cap, else the shard default', () => {
    expect(compileChatPolicy(stage({ chatCapPerSec: 50 }), 10).capPerSec).toBe(50);
    expect(compileChatPolicy(stage(), 10).capPerSec).toBe(10);
  });
});
