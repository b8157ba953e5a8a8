import { describe, expect, it } from 'vitest';
import type { EventRecord, PollRecord } from '@fanfare/db';
import { projectStage } from './stage-projector.js';

const at = (s: string) => new Date(`2026-11-24T${s}Z`);

const event: EventRecord = {
  id: 'ev',
  title: 'Final',
  state: 'live',
  startsAt: null,
  endsAt: null,
  access: 'ticketed',
  countryAllowList: null,
  chatCapPerSec: 500,
  slowModeS: 10,
  entitledOnlyChat: true,
  blockedTerms: ['spoil*'],
  pinnedMessage: {
    msgId: 'm1',
    text: 'Welcome',
    authorName: 'Mod',
    pinnedBy: 'mod-1',
    pinnedAt: '2026-11-24T12:00:00.000Z',
  },
  webrtcSeats: 0,
  version: 9,
  createdAt: at('10:00:00'),
  updatedAt: at('12:00:00'),
};

function poll(id: string, state: PollRecord['state'], opens: string, closed?: string): PollRecord {
  return {
    id,
    eventId: 'ev',
    question: `Q ${id}`,
    options: ['a', 'b'],
    state,
    durationS: 60,
    opensAt: at(opens),
    closesAt: new Date(at(opens).getTime() + 60_000),
    closedAt: closed ? at(closed) : null,
    allowConcurrent: true,
    result: state === 'closed' ? [3, 4] : null,
    totalVotes: state === 'closed' ? 7 : null,
    createdBy: 'p',
    createdAt: at(opens),
  };
}

describe('projectStage', () => {
  it('shows open polls and only the latest settled one, oldest first, with its result', () => {
    const stage = projectStage(event, [
      poll('old', 'closed', '11:00:00', '11:01:00'),
      poll('open-b', 'open', '11:30:00'),
      poll('latest', 'closed', '11:10:00', '11:20:00'),
      poll('cancelled-early', 'cancelled', '11:05:00', '11:06:00'),
      poll('open-a', 'open', '11:25:00'),
    ]);
    expect(stage.view.polls.map((p) => p.id)).toEqual(['latest', 'open-a', 'open-b']);
    expect(stage.view.polls[0]!.result).toEqual({ counts: [3, 4], total: 7 });
    expect(stage.view.polls[1]!.result).toBeUndefined();
  });

  it('versions by the event row and splits fan-visible fields from the rules shards enforce', () => {
    const stage = projectStage(event, []);
    expect(stage.version).toBe(9);
    expect(stage.view).toEqual({
      version: 9,
      title: 'Final',
      state: 'live',
      pinned: {
        msgId: 'm1',
        text: 'Welcome',
        authorName: 'Mod',
        pinnedAt: Date.parse('2026-11-24T12:00:00Z'),
      },
      slowModeS: 10,
      entitledOnlyChat: true,
      polls: [],
    });
    expect(stage.rules).toEqual({
      access: 'ticketed',
      slowModeS: 10,
      entitledOnlyChat: true,
      blockedTerms: ['spoil*'],
      chatCapPerSec: 500,
    });
  });
});
