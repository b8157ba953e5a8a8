import { describe, expect, it } from 'vitest';
import { FANFARE_DIALECT } from './dialect.js';
import { FanReceiver, describeClose, scanWelcome, sumReactionCounts } from './fan-receiver.js';
import type { Fan } from './fan-receiver.js';

describe('sumReactionCounts', () => {
  it('adds every count of a reactions frame', () => {
    const frame = Buffer.from(
      '{"type":"reactions","counts":{"🔥":12,"👏":3,"🎉":1},"windowMs":200}',
    );
    expect(sumReactionCounts(frame, 0, frame.length)).toBe(16);
  });

  it('reads a frame at an offset and an empty window as zero', () => {
    const frame = Buffer.from('42["reactions",{"type":"reactions","counts":{},"windowMs":200}]');
    expect(sumReactionCounts(frame, 15, frame.length - 1)).toBe(0);
  });
});

describe('describeClose', () => {
  it('tells a refused upgrade from a failed connect and an early close', () => {
    expect(describeClose({ code: 0, reason: 'token_invalid', opened: false, status: 401 })).toBe(
      'upgrade refused: 401 token_invalid',
    );
    expect(describeClose({ code: 0, reason: 'ECONNREFUSED', opened: false, status: 0 })).toBe(
      'connect failed: ECONNREFUSED',
    );
    expect(describeClose({ code: 1006, reason: '', opened: true, status: 0 })).toBe(
      'closed before welcome: 1006',
    );
  });
});

describe('FanReceiver', () => {
  it('detects an injected gap and an injected duplicate in what a fan receives', () => {
    const receiver = new FanReceiver(FANFARE_DIALECT);
    const fan = {
      index: 0,
      sender: -1,
      host: '',
      port: 0,
      path: '',
      token: undefined,
      ticket: undefined,
      fallbackUrl: undefined,
      ws: undefined,
      seq: undefined,
      epoch: undefined,
      welcome: (): void => undefined,
      live: false,
      leaving: false,
      sent: 0,
    } as Fan;
    const ws = { owner: fan, destroy: () => undefined } as never;
    const text = (s: string): void => {
      const b = Buffer.from(s);
      receiver.text(ws, b, 0, b.length);
    };
    const chat = (seqs: number[]): string =>
      JSON.stringify({
        type: 'chat',
        messages: seqs.map((seq) => ({
          id: `m${seq}`,
          seq,
          ts: 1,
          author: { id: 'a', name: 'n', role: 'fan' },
          text: `b:${1000 + seq}:0:${seq}`,
        })),
      });
    text(
      JSON.stringify({ type: 'welcome', snapshot: { lastSeq: 0, continuity: 'fresh', chat: [] } }),
    );
    text(chat([1, 2]));
    text(chat([4])); // 3 never comes
    text(chat([4])); // and 4 comes twice
    expect(receiver.stats.delivered).toBe(3);
    expect(receiver.stats.duplicates).toBe(1);
    expect(fan.seq?.lostUpTo(4)).toBe(1);
    expect(receiver.live).toBe(1);
    // A renewed resume ticket replaces the welcome's, as in the SDK, its fallback with it.
    text(JSON.stringify({ type: 'ticket', ticket: 'rt1.k1.renewed.mac', expiresAt: 9 }));
    expect(fan.ticket).toBe('rt1.k1.renewed.mac');
    expect(fan.fallbackUrl).toBeUndefined();
    const renewal = { type: 'ticket', ticket: 'rt1.k1.r2.mac', expiresAt: 9 };
    text(JSON.stringify({ ...renewal, fallbackUrl: 'ws://127.0.0.1:9002/ws' }));
    expect([fan.ticket, fan.fallbackUrl]).toEqual(['rt1.k1.r2.mac', 'ws://127.0.0.1:9002/ws']);
    text(JSON.stringify({ ...renewal, ticket: 'rt1.k1.r3.mac' })); // this shard knows no peer now
    expect([fan.ticket, fan.fallbackUrl]).toEqual(['rt1.k1.r3.mac', undefined]);
    // A resumed welcome (parsed in full) brings its grant's fallback.
    fan.welcome = (): void => undefined;
    text(
      JSON.stringify({
        type: 'welcome',
        snapshot: { lastSeq: 4, continuity: 'resumed', chat: [] },
        resumeTicket: { ticket: 'rt1.k1.w2.mac', expiresAt: 9, fallbackUrl: 'ws://h:1/ws' },
      }),
    );
    expect([fan.ticket, fan.fallbackUrl]).toEqual(['rt1.k1.w2.mac', 'ws://h:1/ws']);
  });
});

describe('scanWelcome', () => {
  it('reads the resume ticket after the snapshot, not a look-alike inside a chat text', () => {
    const text = JSON.stringify({
      type: 'welcome',
      snapshot: {
        continuity: 'fresh',
        chat: [{ seq: 1, text: '"resumeTicket":{"ticket":"fake"' }],
        lastSeq: 1,
      },
      resumeTicket: { ticket: 'rt1.k1.e30.mac', expiresAt: 1 },
    });
    const buf = Buffer.from(text);
    expect(scanWelcome(buf, 0, buf.length)?.resumeTicket).toEqual({ ticket: 'rt1.k1.e30.mac' });
    const none = Buffer.from('{"snapshot":{"continuity":"fresh","lastSeq":3}}');
    expect(scanWelcome(none, 0, none.length)?.resumeTicket).toBeUndefined();
  });

  it("reads the grant's fallbackUrl after its ticket, not one inside a chat text", () => {
    const welcomeWith = (resumeTicket: object): Buffer =>
      Buffer.from(
        JSON.stringify({
          type: 'welcome',
          snapshot: {
            continuity: 'fresh',
            chat: [{ seq: 1, text: '"fallbackUrl":"ws://fake:1/ws"' }],
            lastSeq: 1,
          },
          resumeTicket,
        }),
      );
    const scan = (buf: Buffer) => scanWelcome(buf, 0, buf.length)?.resumeTicket;
    const grant = { ticket: 'rt1.k1.e30.mac', expiresAt: 1 };
    expect(scan(welcomeWith({ ...grant, fallbackUrl: 'ws://127.0.0.1:9002/ws' }))).toEqual({
      ticket: 'rt1.k1.e30.mac',
      fallbackUrl: 'ws://127.0.0.1:9002/ws',
    });
    expect(scan(welcomeWith(grant))).toEqual({ ticket: 'rt1.k1.e30.mac' });
    // An escaped quote: not a URL any shard has, and not read in part.
    expect(scan(welcomeWith({ ...grant, fallbackUrl: 'ws://a"b/ws' }))).toEqual({
      ticket: 'rt1.k1.e30.mac',
    });
    // Bytes past the frame's end are not read.
    const buf = welcomeWith({ ...grant, fallbackUrl: 'ws://127.0.0.1:9002/ws' });
    const cut = buf.indexOf('ws://127.0.0.1');
    expect(scanWelcome(buf, 0, cut + 4)?.resumeTicket).toEqual({ ticket: 'rt1.k1.e30.mac' });
  });

  it('reads lastSeq and continuity without parsing the snapshot', () => {
    const text = JSON.stringify({
      type: 'welcome',
      snapshot: {
        continuity: 'fresh',
        chat: [{ seq: 9, text: 'say \\"lastSeq\\":1 \\"epoch\\":"x"' }],
        epoch: 'lq3k2x',
        lastSeq: 42,
      },
    });
    const buf = Buffer.from(text);
    expect(scanWelcome(buf, 0, buf.length)).toEqual({
      snapshot: { lastSeq: 42, continuity: 'fresh', epoch: 'lq3k2x' },
    });
    const peer = Buffer.from('{"snapshot":{"continuity":"fresh","lastSeq":3}}');
    expect(scanWelcome(peer, 0, peer.length)).toEqual({
      snapshot: { lastSeq: 3, continuity: 'fresh' },
    });
    expect(scanWelcome(Buffer.from('{"type":"welcome"}'), 0, 18)).toBeUndefined();
  });
});
