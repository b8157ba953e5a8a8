import { Close } from '@fanfare/protocol';
import { describe, expect, it } from 'vitest';
import { chatRefusal, closedRefusal, formatWait, refusalText } from './chat-refusal.js';

describe('chat refusals in words', () => {
  it('say a timeout with the moderator reason the gateway puts after a colon', () => {
    expect(refusalText('timed_out', 'a moderator timed you out of chat: spamming links')).toBe(
      'A moderator timed you out of chat. Reason: spamming links.',
    );
    expect(refusalText('timed_out', 'a moderator timed you out of chat')).toBe(
      'A moderator timed you out of chat.',
    );
  });

  it('explain slow mode and rate limits, and fall back to the server words for other codes', () => {
    expect(refusalText('slow_mode', 'slow mode')).toMatch(/^Slow mode is on/);
    expect(refusalText('rate_limited', 'too many')).toMatch(/too fast/);
    expect(refusalText('invalid_frame', 'bad frame')).toBe('bad frame');
  });

  it('count down from the wait the server named', () => {
    const r = chatRefusal('slow_mode', 'slow mode', 1_000, 5_000, true);
    expect(r).toMatchObject({ code: 'slow_mode', until: 6_000, pending: true });
    expect(chatRefusal('blocked_term', 'no', 1_000, undefined, false).until).toBeUndefined();
  });

  it('say a ban as a ban, other final closes as a disconnection', () => {
    expect(closedRefusal(Close.banned, 'banned')).toMatchObject({
      code: 'banned',
      text: 'A moderator banned you from this event.',
    });
    expect(closedRefusal(4501, 'not_entitled').code).toBe('closed');
  });

  it('format waits as seconds, then minutes and seconds, rounded up', () => {
    expect(formatWait(1)).toBe('1 s');
    expect(formatWait(59_001)).toBe('1:00');
    expect(formatWait(299_500)).toBe('5:00');
    expect(formatWait(-5)).toBe('0 s');
  });
});
