// A resume ticket's fallback shard: when the shard that granted the ticket cannot be reached
// after a drop, the same ticket goes to the live shard the grant named (`fallbackUrl`), at once,
// before any join; when that fails too, the join names the first shard as `unreachable`. Each
// transition on Credentials alone, then the client against the fake server.

import { describe, expect, it } from 'vitest';
import type { ResumeTicketGrant } from '@fanfare/protocol';
import { Credentials, TICKET_EXPIRY_MARGIN_MS, fallbackOf, type JoinGrant } from '../src/index.js';
import { setup, welcome } from './fake-server.js';
import { collect } from './wait-for.js';

const A = 'ws://shard-a.test/ws';
const B = 'ws://shard-b.test/ws';

const grant = (ticket: string, fallbackUrl?: unknown, expiresAt = 300_000): ResumeTicketGrant =>
  ({ ticket, expiresAt, fallbackUrl }) as ResumeTicketGrant;

/** Credentials on joins that hand out shards j1, j2... in turn, recording what each was told. */
function joining(now: () => number = () => 0) {
  const calls: Array<{ previous: string | undefined; unreachable: string | undefined }> = [];
  const credentials = new Credentials(
    {
      join: (previous, unreachable): Promise<JoinGrant> => {
        calls.push({ previous, unreachable });
        const n = calls.length;
        return Promise.resolve({ token: `t${n}`, gatewayUrl: `ws://j${n}.test/ws` });
      },
    },
    now,
  );
  return { calls, credentials };
}

/** Joined once (on j1), welcomed there with `granted`: the state after a session on j1. */
async function sessionOnJ1(granted: ResumeTicketGrant, now?: () => number) {
  const joined = joining(now);
  await joined.credentials.next();
  joined.credentials.welcomed(granted);
  return joined;
}

describe('fallbackOf', () => {
  it('takes a ws: or wss: URL of another shard', () => {
    expect(fallbackOf(grant('rt', B), A)).toBe(B);
    expect(fallbackOf(grant('rt', 'wss://b.example/ws?x=1'), A)).toBe('wss://b.example/ws?x=1');
    // Another path on the same host is another gateway (a proxy routing by path).
    expect(fallbackOf(grant('rt', 'ws://shard-a.test/other'), A)).toBe('ws://shard-a.test/other');
  });

  it('ignores anything else, without throwing: none, not ws:, not a URL, not a string, itself', () => {
    for (const bad of [undefined, 'http://b.test/ws', 'not a url', '', 42, null, {}, A, `${A}?q`]) {
      expect(fallbackOf(grant('rt', bad), A)).toBeUndefined();
    }
  });
});

describe('Credentials with a fallback shard', () => {
  it('tries the ticket on its own shard, then on the fallback, then joins naming the first', async () => {
    const { calls, credentials } = await sessionOnJ1(grant('rt1', B));
    expect(credentials.fallbackNext).toBe(false); // no attempt failed yet
    expect(await credentials.next()).toEqual({ url: 'ws://j1.test/ws', ticket: 'rt1' });
    expect(credentials.fallbackNext).toBe(true);
    // That attempt ended before its welcome (a killed shard refuses connections).
    expect(await credentials.next()).toEqual({ url: B, ticket: 'rt1' });
    expect(credentials.fallbackNext).toBe(false);
    // The fallback failed too: the join names the ticket's own shard, not the fallback.
    expect(await credentials.next()).toEqual({ url: 'ws://j2.test/ws', token: 't2' });
    expect(calls).toEqual([
      { previous: undefined, unreachable: undefined },
      { previous: 't1', unreachable: 'ws://j1.test/ws' },
    ]);
  });

  it('resumes on the fallback: the next grants are for that shard, and none is named', async () => {
    const { calls, credentials } = await sessionOnJ1(grant('rt1', B));
    await credentials.next(); // j1, killed
    expect(await credentials.next()).toEqual({ url: B, ticket: 'rt1' });
    credentials.welcomed(grant('rt2', 'ws://shard-c.test/ws'));
    // A later drop: the new ticket on B (where it was granted), then its own fallback C.
    expect(await credentials.next()).toEqual({ url: B, ticket: 'rt2' });
    expect(await credentials.next()).toEqual({ url: 'ws://shard-c.test/ws', ticket: 'rt2' });
    await credentials.next();
    expect(calls.map((c) => c.unreachable)).toEqual([undefined, B]);
  });

  it('forgets the fallback once its own shard welcomed the ticket', async () => {
    const { credentials } = await sessionOnJ1(grant('rt1', B));
    await credentials.next();
    credentials.welcomed(); // the drop was a blip: j1 took the ticket
    expect(credentials.fallbackNext).toBe(false);
    expect(await credentials.next()).toEqual({ url: 'ws://j2.test/ws', token: 't2' });
  });

  it('does not try the fallback when its own shard answered with 503', async () => {
    const { calls, credentials } = await sessionOnJ1(grant('rt1', B));
    await credentials.next();
    credentials.answered(); // a 503: the shard is alive and said when to come back
    expect(credentials.fallbackNext).toBe(false);
    expect(await credentials.next()).toEqual({ url: 'ws://j2.test/ws', token: 't2' });
    expect(calls[1]).toEqual({ previous: 't1', unreachable: undefined });
  });

  it('still names the first shard when the fallback answered with 503', async () => {
    const { calls, credentials } = await sessionOnJ1(grant('rt1', B));
    await credentials.next(); // j1: no answer
    await credentials.next(); // B: 503
    credentials.answered();
    await credentials.next();
    expect(calls[1]).toEqual({ previous: 't1', unreachable: 'ws://j1.test/ws' });
  });

  it('skips the fallback when its ticket is about to expire by then, and joins', async () => {
    let now = 0;
    const expiresAt = TICKET_EXPIRY_MARGIN_MS + 2000;
    const { calls, credentials } = await sessionOnJ1(grant('rt1', B, expiresAt), () => now);
    expect(await credentials.next()).toEqual({ url: 'ws://j1.test/ws', ticket: 'rt1' });
    now = 3000; // the first attempt took 3 s (a connect timeout)
    expect(credentials.fallbackNext).toBe(false);
    expect(await credentials.next()).toEqual({ url: 'ws://j2.test/ws', token: 't2' });
    expect(calls[1]?.unreachable).toBe('ws://j1.test/ws');
  });

  it('keeps the newest grant: a renewal with another fallback replaces it, one with none removes it', async () => {
    const { credentials } = await sessionOnJ1(grant('rt1', B));
    credentials.ticketGranted(grant('rt2', 'ws://shard-c.test/ws'));
    await credentials.next();
    expect(await credentials.next()).toEqual({ url: 'ws://shard-c.test/ws', ticket: 'rt2' });

    const other = await sessionOnJ1(grant('rt1', B));
    other.credentials.ticketGranted(grant('rt2'));
    await other.credentials.next();
    expect(other.credentials.fallbackNext).toBe(false);
    expect(await other.credentials.next()).toEqual({ url: 'ws://j2.test/ws', token: 't2' });
  });

  it('ignores an unusable fallbackUrl and joins, as with none', async () => {
    const { calls, credentials } = await sessionOnJ1(grant('rt1', 'https://b.test/ws'));
    await credentials.next();
    expect(credentials.fallbackNext).toBe(false);
    expect(await credentials.next()).toEqual({ url: 'ws://j2.test/ws', token: 't2' });
    expect(calls[1]?.unreachable).toBe('ws://j1.test/ws');
  });

  it("never uses a join's fallbackUrl: a join's ticket failing goes to the next join", async () => {
    const calls: Array<string | undefined> = [];
    const credentials = new Credentials(
      {
        join: (_previous, unreachable) => {
          calls.push(unreachable);
          return Promise.resolve({
            token: 't',
            gatewayUrl: A,
            resumeTicket: grant(`jt${calls.length}`, B),
          });
        },
      },
      () => 0,
    );
    expect(await credentials.next()).toEqual({ url: A, ticket: 'jt1' });
    expect(credentials.fallbackNext).toBe(false);
    expect(await credentials.next()).toEqual({ url: A, token: 't' });
    expect(calls).toEqual([undefined, A]);
  });

  it('with a fixed URL: the ticket, the fallback, then the token on the fixed URL', async () => {
    const credentials = new Credentials({ url: A, token: 'tok' }, () => 0);
    await credentials.next();
    credentials.welcomed(grant('rt1', B));
    expect(await credentials.next()).toEqual({ url: A, ticket: 'rt1' });
    expect(await credentials.next()).toEqual({ url: B, ticket: 'rt1' });
    expect(await credentials.next()).toEqual({ url: A, token: 'tok' });
  });

  it('forgets the fallback on invalidate (a reauth close)', async () => {
    const { credentials } = await sessionOnJ1(grant('rt1', B));
    await credentials.next();
    credentials.invalidate();
    expect(credentials.fallbackNext).toBe(false);
    expect(await credentials.next()).toEqual({ url: 'ws://j2.test/ws', token: 't2' });
  });
});

describe('the client with a fallback shard', () => {
  it('resumes on the fallback at once, from its position, after its shard refused', async () => {
    const { server, client, clock } = setup({ url: A });
    const waits = collect(client, 'reconnecting');
    client.connect();
    const first = await server.next();
    first.deliver({ ...welcome(), resumeTicket: grant('rt1', B, clock.now() + 300_000) });
    first.drop(1006); // the shard was killed
    clock.advance(1000); // the backoff before the first attempt after a drop
    const own = await server.next();
    expect(own.url.host).toBe('shard-a.test');
    own.drop(1006); // and refuses connections now
    // The fallback is not behind a backoff: it is scheduled at 0 ms.
    expect(waits.map((w) => w.delayMs)).toEqual([500, 0]);
    clock.advance(0);
    const fallback = await server.next();
    expect(fallback.url.host).toBe('shard-b.test');
    expect(fallback.url.searchParams.get('ticket')).toBe('rt1');
    expect(fallback.url.searchParams.get('since')).toBe('0');
    expect(fallback.url.searchParams.get('epoch')).toBe('e1');
    fallback.deliver({
      ...welcome({ continuity: 'resumed' }),
      resumeTicket: grant('rt2', A, clock.now() + 300_000),
    });
    expect(client.state).toBe('open');
    // A renewal on B replaces the welcome's grant, with its own fallback.
    fallback.deliver({
      type: 'ticket',
      ...grant('rt3', 'ws://shard-c.test/ws', clock.now() + 600_000),
    });
    fallback.drop(1006);
    clock.advance(1000);
    const again = await server.next();
    expect([again.url.host, again.url.searchParams.get('ticket')]).toEqual(['shard-b.test', 'rt3']);
    again.drop(1006);
    clock.advance(0);
    const third = await server.next();
    expect([third.url.host, third.url.searchParams.get('ticket')]).toEqual(['shard-c.test', 'rt3']);
  });

  it('backs off before the join once the fallback failed too, and names the first shard', async () => {
    const calls: Array<string | undefined> = [];
    const join = (_previous: string | undefined, unreachable?: string) => {
      calls.push(unreachable);
      return Promise.resolve({
        token: `t${calls.length}`,
        gatewayUrl: `ws://j${calls.length}.test/ws`,
      });
    };
    const { server, client, clock } = setup({ join, url: undefined, token: undefined });
    const waits = collect(client, 'reconnecting');
    client.connect();
    const first = await server.next();
    first.deliver({ ...welcome(), resumeTicket: grant('rt1', B, clock.now() + 300_000) });
    first.drop(1006);
    clock.advance(1000);
    (await server.next()).drop(1006); // j1 with the ticket
    clock.advance(0);
    const fallback = await server.next();
    expect(fallback.url.host).toBe('shard-b.test');
    fallback.drop(1006);
    // The backoff goes on from where the drop left it (500 ms, then 1 s with `random` 1).
    expect(waits.map((w) => w.delayMs)).toEqual([500, 0, 1000]);
    clock.advance(1000);
    const rejoined = await server.next();
    expect(rejoined.url.host).toBe('j2.test');
    expect(calls).toEqual([undefined, 'ws://j1.test/ws']);
  });
});
