import { describe, expect, it } from 'vitest';
import { Credentials } from '../src/index.js';

describe('Credentials', () => {
  it('joins before every attempt, handing back the previous token', async () => {
    const seen: Array<string | undefined> = [];
    let n = 0;
    const credentials = new Credentials(
      {
        join: async (previous) => {
          seen.push(previous);
          n++;
          return { token: `t${n}`, gatewayUrl: `ws://shard-${n}/ws` };
        },
      },
      () => 0,
    );
    expect(await credentials.next()).toEqual({ url: 'ws://shard-1/ws', token: 't1' });
    expect(await credentials.next()).toEqual({ url: 'ws://shard-2/ws', token: 't2' });
    expect(seen).toEqual([undefined, 't1']);
    expect(credentials.renewable).toBe(true);
  });

  it('calls a token provider once, then again only after invalidate', async () => {
    let calls = 0;
    const credentials = new Credentials(
      { url: 'wss://g/ws', token: async () => `opaque-${++calls}` },
      () => 0,
    );
    expect(await credentials.next()).toEqual({ url: 'wss://g/ws', token: 'opaque-1' });
    expect(await credentials.next()).toEqual({ url: 'wss://g/ws', token: 'opaque-1' });
    credentials.invalidate();
    expect(await credentials.next()).toEqual({ url: 'wss://g/ws', token: 'opaque-2' });
  });

  it('refuses a non-WebSocket URL and a missing token', () => {
    expect(() => new Credentials({ url: 'http://g/ws', token: 't' }, () => 0)).toThrow(/ws:/);
    expect(() => new Credentials({ url: 'ws://g/ws' }, () => 0)).toThrow(/join/);
    expect(new Credentials({ url: 'ws://g/ws', token: 't' }, () => 0).renewable).toBe(false);
  });

  it("connects with a join's ticket, and with the token once such an attempt got no welcome", async () => {
    let n = 0;
    const credentials = new Credentials(
      {
        join: async () => {
          n++;
          return {
            token: `t${n}`,
            gatewayUrl: 'ws://s/ws',
            resumeTicket: { ticket: `rt${n}`, expiresAt: 300_000 },
          };
        },
      },
      () => 0,
    );
    expect(await credentials.next()).toEqual({ url: 'ws://s/ws', ticket: 'rt1' });
    credentials.welcomed();
    expect(await credentials.next()).toEqual({ url: 'ws://s/ws', ticket: 'rt2' });
    // No welcome after the ticket: the next join's token, and never a join's ticket again.
    expect(await credentials.next()).toEqual({ url: 'ws://s/ws', token: 't3' });
    credentials.welcomed();
    expect(await credentials.next()).toEqual({ url: 'ws://s/ws', token: 't4' });
  });

  it("uses the token when the join's ticket is about to expire", async () => {
    const credentials = new Credentials(
      {
        join: async () => ({
          token: 't',
          gatewayUrl: 'ws://s/ws',
          resumeTicket: { ticket: 'rt', expiresAt: 5_000 },
        }),
      },
      () => 0,
    );
    expect(await credentials.next()).toEqual({ url: 'ws://s/ws', token: 't' });
  });

  it('refuses a join that grants a non-WebSocket URL', async () => {
    const credentials = new Credentials(
      { join: async () => ({ token: 't', gatewayUrl: 'http://nope' }) },
      () => 0,
    );
    await expect(credentials.next()).rejects.toThrow(/ws:/);
  });
});
