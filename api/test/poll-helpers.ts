// What the poll route tests share: a poll as the API answers it, a default poll, and helpers
// over the test file's fixture (opening a poll, the audit rows of an event, a PollService of the
// test's own).

import type { VoteStore } from '@fanfare/fanout';
import { expect } from 'vitest';
import { PollService } from '../src/index.js';
import type { Fixture } from './fixture.js';

export interface PollJson {
  id: string;
  question: string;
  options: string[];
  state: string;
  opensAt: number;
  closesAt: number;
  closedAt: number | null;
  durationS: number;
  allowConcurrent: boolean;
  createdBy: string;
  result?: { counts: number[]; total: number };
}

export const POLL = { question: 'Man of the match?', options: ['Ann', 'Bo', 'Cy'], durationS: 60 };

/** Helpers bound to a test file's fixture (read when called: the fixture is made in beforeAll). */
export function pollHelpers(fixture: () => Fixture) {
  async function openPoll(eventId: string, body: object = POLL): Promise<PollJson> {
    const f = fixture();
    const res = await f.call('POST', `/v1/events/${eventId}/polls`, await f.staffToken(), body);
    expect(res.status).toBe(201);
    return ((await res.json()) as { poll: PollJson }).poll;
  }

  async function auditActions(eventId: string) {
    return (await fixture().db.audit.list(eventId)).items.map((e) => ({
      action: e.action,
      actorRole: e.actorRole,
      target: e.target,
    }));
  }
  /** A PollService of its own on the fixture's database, stage and clock, over `votes`. */
  function pollService(votes: VoteStore): PollService {
    const f = fixture();
    return new PollService({
      db: f.db,
      votes,
      stage: f.stage,
      clock: f.clock,
      logger: f.deps.logger!,
    });
  }
  return { openPoll, auditActions, pollService };
}
