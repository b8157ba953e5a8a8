// Property tests of the control API on real Postgres (fast-check, bounded runs: a few seconds in
// CI). Arbitrary bodies on every JSON route answer 2xx or a documented problem, never a 5xx, and
// the server keeps serving; every stored text field (titles, questions, options, pins, credential
// names, sanction and deletion reasons, ticket names, archived chat and author names) stores what
// the text policy accepts and reads it back unchanged, through the routes, the archiver and the
// repositories.

import fc from 'fast-check';
import { openDatabase } from '@fanfare/db';
import { createTestDatabase, requirePostgres, type TestDatabase } from '@fanfare/db/testing';
import { encodeLogRecord } from '@fanfare/fanout';
import { NAME_MAX_CHARS, checkText, type TextKind } from '@fanfare/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROBLEM_CODES, type Problem } from '../src/index.js';
import { createFixture, type Fixture } from './fixture.js';

const reachable = await requirePostgres(); // throws under CI=true when it is not
/** Runs per property: enough to meet every kind of character, few enough for CI. */
const RUNS = 12;

/** Strings that lean on what the text policy is about, mixed with any code unit. */
const hostileText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.string({
    unit: fc.constantFrom(
      ...['\u0000', '\u202e', '\u2066', '\u200b', '\ufe0f', '\n', '\r\n', '\t', 'a', 'Z', 'é'],
      ...['e\u0301', '🔥', '👩‍👩‍👧', '\ud800', '\udc00', '\ufffe', ' ', '\u0085', 'ש'],
    ),
    minLength: 1,
    maxLength: 30,
  }),
);
const anyValue = fc.oneof(hostileText, fc.jsonValue({ maxDepth: 2 }));

type Role = 'producer' | 'moderator' | 'sre';
const ROUTES: { method: string; path: string; role?: Role; keys: string[] }[] = [
  { method: 'POST', path: '/v1/events', role: 'producer', keys: ['id', 'title', 'access'] },
  { method: 'PATCH', path: '/v1/events/e1', role: 'producer', keys: ['version', 'title'] },
  { method: 'POST', path: '/v1/events/e1/state', role: 'producer', keys: ['state', 'version'] },
  {
    method: 'PUT',
    path: '/v1/events/e1/chat-rules',
    role: 'moderator',
    keys: ['slowModeS', 'blockedTerms', 'entitledOnlyChat'],
  },
  { method: 'PUT', path: '/v1/events/e1/pin', role: 'moderator', keys: ['text', 'msgId'] },
  {
    method: 'POST',
    path: '/v1/events/e1/polls',
    role: 'producer',
    keys: ['question', 'options', 'durationS', 'allowConcurrent'],
  },
  {
    method: 'POST',
    path: '/v1/events/e1/sanctions',
    role: 'moderator',
    keys: ['userId', 'kind', 'durationS', 'reason'],
  },
  { method: 'POST', path: '/v1/events/e1/tickets', role: 'producer', keys: ['userId', 'name'] },
  { method: 'POST', path: '/v1/credentials', role: 'sre', keys: ['name', 'role', 'eventId'] },
  { method: 'DELETE', path: '/v1/events/e1/messages/m1', role: 'moderator', keys: ['reason'] },
  { method: 'POST', path: '/v1/events/e1/join', keys: ['name'] },
];

describe.skipIf(!reachable)('the API under arbitrary input, on Postgres', () => {
  let fx: Fixture;
  let target: TestDatabase;
  const tokens = new Map<Role, string>();
  beforeAll(async () => {
    target = await createTestDatabase();
    fx = await createFixture({ database: await openDatabase({ url: target.url, max: 4 }) });
    for (const role of ['producer', 'moderator', 'sre'] as const) {
      tokens.set(role, await fx.staffToken(role));
    }
    await fx.seedEvent('e1');
    await fx.seedEvent('texts');
  }, 90_000);
  afterAll(async () => {
    await fx?.close();
    await target?.drop();
  });

  async function expectDocumented(res: Response): Promise<Problem | undefined> {
    expect(res.status).toBeLessThan(500);
    if (res.status < 400) return undefined;
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    const problem = (await res.json()) as Problem;
    expect(PROBLEM_CODES[problem.code]?.status).toBe(res.status);
    return problem;
  }

  it.each(ROUTES)('$method $path answers any body with 2xx or a documented problem', async (r) => {
    const body = fc.oneof(
      anyValue,
      fc.dictionary(fc.constantFrom(...r.keys), anyValue, { maxKeys: r.keys.length }),
    );
    await fc.assert(
      fc.asyncProperty(body, async (b) => {
        const res = await fx.call(r.method, r.path, r.role && tokens.get(r.role), b);
        await expectDocumented(res);
      }),
      { numRuns: RUNS },
    );
    expect((await fx.app.request('/healthz')).status).toBe(200);
  });

  /** Sends `raw` in a text field; when the policy accepts it, it must be stored as normalised. */
  async function roundTrip(
    raw: string,
    kind: TextKind,
    maxChars: number,
    send: (text: string) => Response | Promise<Response>,
    stored: (res: Response) => Promise<string | undefined>,
  ): Promise<void> {
    const res = await send(raw);
    const problem = await expectDocumented(res);
    const checked = checkText(raw, kind);
    if (!checked.ok) {
      expect(problem?.code).toBe(checked.refusal === 'empty' ? 'invalid_body' : 'invalid_text');
      return;
    }
    if ([...checked.text].length > maxChars) {
      expect(problem?.code).toBe('invalid_body');
      return;
    }
    expect(problem).toBeUndefined();
    expect(await stored(res)).toBe(checked.text);
  }

  it('stores every text field as the policy accepts it, or refuses it with invalid_text', async () => {
    const producer = tokens.get('producer')!;
    let n = 0;
    await fc.assert(
      fc.asyncProperty(hostileText, async (raw) => {
        const id = `t${++n}`;
        await roundTrip(
          raw,
          'line',
          200,
          (title) => fx.call('POST', '/v1/events', producer, { id, title }),
          async () => (await fx.db.events.get(id))?.title,
        );
        await roundTrip(
          raw,
          'line',
          200,
          (question) =>
            fx.call('POST', '/v1/events/texts/polls', producer, {
              question,
              options: ['x', question],
              durationS: 60,
              allowConcurrent: true,
            }),
          async (res) => {
            const { poll } = (await res.json()) as { poll: { id: string } };
            const stored = await fx.db.polls.get(poll.id);
            expect(stored?.options[1]).toBe(stored?.question);
            return stored?.question;
          },
        );
        await roundTrip(
          raw,
          'multiline',
          500,
          (text) => fx.call('PUT', '/v1/events/texts/pin', tokens.get('moderator'), { text }),
          async () => (await fx.db.events.get('texts'))?.pinnedMessage?.text,
        );
        await roundTrip(
          raw,
          'line',
          100,
          (name) =>
            fx.call('POST', '/v1/credentials', tokens.get('sre'), { name, role: 'producer' }),
          async (res) => {
            const { credential } = (await res.json()) as { credential: { id: string } };
            return (await fx.db.credentials.list()).find((c) => c.id === credential.id)?.name;
          },
        );
        // A sanction's reason and a deletion's reason are kept in the audit trail; a ticket
        // name goes into the fan token, and the reply says what it holds.
        const moderator = tokens.get('moderator')!;
        const latestReason = async () =>
          (await fx.db.audit.list('texts', { limit: 1 })).items[0]?.reason ?? undefined;
        await roundTrip(
          raw,
          'multiline',
          500,
          (reason) =>
            fx.call('POST', '/v1/events/texts/sanctions', moderator, {
              userId: `u${n}`,
              kind: 'timeout',
              durationS: 60,
              reason,
            }),
          latestReason,
        );
        await fx.log.append(
          'texts',
          encodeLogRecord({
            kind: 'chat',
            id: `d${n}`,
            author: { id: 'u0', name: 'Ann', role: 'fan' },
            text: 'to be deleted',
          }),
          `d${n}`,
        );
        await roundTrip(
          raw,
          'multiline',
          500,
          (reason) => fx.call('DELETE', `/v1/events/texts/messages/d${n}`, moderator, { reason }),
          latestReason,
        );
        await roundTrip(
          raw,
          'line',
          NAME_MAX_CHARS,
          (name) =>
            fx.call('POST', '/v1/events/texts/tickets', producer, { userId: `h${n}`, name }),
          async (res) => ((await res.json()) as { user: { name: string } }).user.name,
        );
      }),
      { numRuns: RUNS * 2 },
    );
  });

  it('archives every chat text and author name the policy accepts, unchanged', async () => {
    const accepted = hostileText
      .map((raw) => checkText(raw, 'multiline'))
      .filter((r): r is { ok: true; text: string } => r.ok && [...r.text].length <= 500)
      .map((r) => r.text);
    const names = hostileText
      .map((raw) => checkText(raw, 'line'))
      .filter((r): r is { ok: true; text: string } => r.ok && [...r.text].length <= 40)
      .map((r) => r.text);
    const said = fc.sample(fc.tuple(accepted, names), 40);
    for (const [i, [text, name]] of said.entries()) {
      const author = { id: `u${i}`, name, role: 'fan' as const };
      await fx.log.append(
        'e1',
        encodeLogRecord({ kind: 'chat', id: `m${i}`, author, text }),
        `m${i}`,
      );
    }
    await fx.archiver.pass();
    expect(fx.archiver.setAside).toBe(0);
    const history = await fx.call('GET', '/v1/events/e1/chat?limit=500', tokens.get('moderator'));
    expect(history.status).toBe(200);
    const { messages } = (await history.json()) as {
      messages: { text: string; author: { name: string } }[];
    };
    expect(messages.map((m) => [m.text, m.author.name])).toEqual(said);
  });
});
