// The text policy at the API edge: every text field of every route refuses what the policy
// refuses (`invalid_text`, naming the field), refuses text with nothing visible (`invalid_body`),
// and stores what it accepts normalised. The policy itself is tested in protocol.

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Problem } from '../src/index.js';
import { createFixture, type Fixture } from './fixture.js';

let fx: Fixture;
// PGlite takes seconds to start, more on a loaded machine.
beforeAll(async () => {
  fx = await createFixture();
}, 90_000);
beforeEach(async () => {
  await fx.reset();
  await fx.seedEvent('e1');
});
afterAll(() => fx.close());

type Role = 'producer' | 'moderator' | 'sre';
/** Every text field a client sends, in a body the route would otherwise accept. */
const TEXT_FIELDS: {
  field: string;
  method: string;
  path: string;
  role: Role;
  body: (text: string) => unknown;
  pointer: string;
}[] = [
  {
    field: 'event title (create)',
    method: 'POST',
    path: '/v1/events',
    role: 'producer',
    body: (title) => ({ id: 'e2', title }),
    pointer: '#/title',
  },
  {
    field: 'event title (edit)',
    method: 'PATCH',
    path: '/v1/events/e1',
    role: 'producer',
    body: (title) => ({ version: 3, title }),
    pointer: '#/title',
  },
  {
    field: 'poll question',
    method: 'POST',
    path: '/v1/events/e1/polls',
    role: 'producer',
    body: (question) => ({ question, options: ['a', 'b'], durationS: 30 }),
    pointer: '#/question',
  },
  {
    field: 'poll option',
    method: 'POST',
    path: '/v1/events/e1/polls',
    role: 'producer',
    body: (option) => ({ question: 'Q', options: ['a', option], durationS: 30 }),
    pointer: '#/options/1',
  },
  {
    field: 'pin text',
    method: 'PUT',
    path: '/v1/events/e1/pin',
    role: 'moderator',
    body: (text) => ({ text }),
    pointer: '#/text',
  },
  {
    field: 'deletion reason',
    method: 'DELETE',
    path: '/v1/events/e1/messages/m1',
    role: 'moderator',
    body: (reason) => ({ reason }),
    pointer: '#/reason',
  },
  {
    field: 'sanction reason',
    method: 'POST',
    path: '/v1/events/e1/sanctions',
    role: 'moderator',
    body: (reason) => ({ userId: 'u1', kind: 'ban', reason }),
    pointer: '#/reason',
  },
  {
    field: 'ticket name',
    method: 'POST',
    path: '/v1/events/e1/tickets',
    role: 'producer',
    body: (name) => ({ userId: 'u1', name }),
    pointer: '#/name',
  },
  {
    field: 'credential name',
    method: 'POST',
    path: '/v1/credentials',
    role: 'sre',
    body: (name) => ({ name, role: 'producer' }),
    pointer: '#/name',
  },
  {
    field: 'display name (join)',
    method: 'POST',
    path: '/v1/events/e1/join',
    role: 'producer',
    body: (name) => ({ name }),
    pointer: '#/name',
  },
];

async function send(c: (typeof TEXT_FIELDS)[number], text: string) {
  const token = c.path.endsWith('/join') ? undefined : await fx.staffToken(c.role);
  return fx.call(c.method, c.path, token, c.body(text));
}

const REFUSED = [
  ['NUL', 'a\u0000b'],
  ['an escape sequence', '\u001b[2Jx'],
  ['a right-to-left override', 'abc\u202etxt'],
  ['an isolate', '\u2066abc'],
  ['a lone surrogate', 'ab\udfffc'],
] as const;

describe('text fields under the text policy', () => {
  const refused = TEXT_FIELDS.flatMap((c) => REFUSED.map(([why, text]) => ({ ...c, why, text })));
  it.each(refused)('$field with $why answers 400 invalid_text', async (c) => {
    const res = await send(c, c.text);
    expect(res.status).toBe(400);
    const problem = (await res.json()) as Problem;
    expect(problem.code).toBe('invalid_text');
    expect(problem.errors?.map((e) => e.pointer)).toEqual([c.pointer]);
  });

  it.each(TEXT_FIELDS)(
    '$field with zero-width characters only answers 400 invalid_body',
    async (c) => {
      const res = await send(c, '\u200b\u2060\ufe0f');
      expect(res.status).toBe(400);
      const problem = (await res.json()) as Problem;
      expect(problem.code).toBe('invalid_body');
      expect(problem.errors?.map((e) => e.pointer)).toEqual([c.pointer]);
    },
  );

  it('refuses a line break in one-line text and keeps it in a reason', async () => {
    const token = await fx.staffToken('producer');
    const title = await fx.call('POST', '/v1/events', token, { id: 'e2', title: 'a\nb' });
    expect(((await title.json()) as Problem).code).toBe('invalid_text');
    const ban = await fx.call('POST', '/v1/events/e1/sanctions', await fx.staffToken('moderator'), {
      userId: 'u1',
      kind: 'ban',
      reason: 'line one\r\nline two',
    });
    expect(ban.status).toBe(201);
    const { sanction } = (await ban.json()) as { sanction: { reason: string } };
    expect(sanction.reason).toBe('line one\nline two');
  });

  it('stores text normalised to NFC, tabs as spaces, trimmed', async () => {
    const token = await fx.staffToken('producer');
    const res = await fx.call('POST', '/v1/events', token, {
      id: 'e2',
      title: ' Cafe\u0301\tnight ',
    });
    expect(res.status).toBe(201);
    expect((await fx.db.events.get('e2'))?.title).toBe('Caf\u00e9 night');
  });

  it('refuses a control character in a reason sent in the query', async () => {
    const token = await fx.staffToken('moderator');
    const res = await fx.call('DELETE', '/v1/events/e1/messages/m1?reason=a%00b', token);
    expect(res.status).toBe(400);
    expect(((await res.json()) as Problem).code).toBe('invalid_text');
  });

  it('refuses a user id with a control character in a sanction body', async () => {
    const token = await fx.staffToken('moderator');
    const res = await fx.call('POST', '/v1/events/e1/sanctions', token, {
      userId: 'u\u00001',
      kind: 'ban',
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as Problem).code).toBe('invalid_body');
  });
});
