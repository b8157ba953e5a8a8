import { describe, expect, it } from 'vitest';
import {
  decodeClientMessage,
  decodeServerMessage,
  encodeClientMessage,
  encodeServerMessage,
  encodeWelcome,
} from './codec.js';
import { charLength } from './decoding.js';
import type { ServerMessage, Welcome } from './messages.js';

describe('decodeClientMessage', () => {
  it('decodes each client message and trims chat text', () => {
    expect(decodeClientMessage('{"type":"chat.send","text":"  hi  ","ref":"a1"}')).toEqual({
      ok: true,
      value: { type: 'chat.send', text: 'hi', ref: 'a1' },
    });
    expect(decodeClientMessage('{"type":"react","emoji":"🔥"}')).toEqual({
      ok: true,
      value: { type: 'react', emoji: '🔥', count: 1 },
    });
    expect(decodeClientMessage('{"type":"react","emoji":"❤️","count":50}')).toEqual({
      ok: true,
      value: { type: 'react', emoji: '❤️', count: 50 },
    });
    expect(decodeClientMessage('{"type":"ping","t":12.5}')).toEqual({
      ok: true,
      value: { type: 'ping', t: 12.5 },
    });
  });

  it.each([
    ['', 'invalid_json'],
    ['{"type":', 'invalid_json'],
    ['null', 'invalid_frame'],
    ['"chat.send"', 'invalid_frame'],
    ['[]', 'invalid_frame'],
    ['{"type":5}', 'invalid_frame'],
    ['{"type":"dance"}', 'unknown_type'],
    ['{"type":"chat.send"}', 'invalid_frame'],
    ['{"type":"chat.send","text":""}', 'text_empty'],
    ['{"type":"chat.send","text":" \\n\\t "}', 'text_empty'],
    [JSON.stringify({ type: 'chat.send', text: 'a'.repeat(501) }), 'text_too_long'],
    ['{"type":"react","emoji":"🍕"}', 'unknown_emoji'],
    ['{"type":"react","emoji":"🔥","count":0}', 'invalid_frame'],
    ['{"type":"react","emoji":"🔥","count":1.5}', 'invalid_frame'],
    ['{"type":"react","emoji":"🔥","count":"3"}', 'invalid_frame'],
    ['{"type":"ping","t":"now"}', 'invalid_frame'],
    ['{"type":"vote","pollId":"p1"}', 'invalid_frame'],
    ['{"type":"vote","pollId":"p1","option":"0"}', 'invalid_frame'],
    ['{"type":"vote","pollId":"p1","option":0.5}', 'invalid_frame'],
    ['{"type":"vote","pollId":"p1","option":-1}', 'invalid_option'],
    ['{"type":"vote","pollId":"p1","option":99}', 'invalid_option'],
    ['{"type":"vote","option":0}', 'invalid_frame'],
    [JSON.stringify({ type: 'ping', ref: 'r'.repeat(65) }), 'invalid_frame'],
  ])('refuses %s with %s', (frame, code) => {
    const decoded = decodeClientMessage(frame);
    expect(decoded.ok).toBe(false);
    if (!decoded.ok) {
      expect(decoded.error.code).toBe(code);
      expect(decoded.error.message).not.toBe('');
    }
  });

  it('counts characters, not UTF-16 units, for the 500 limit', () => {
    expect(charLength('🔥'.repeat(500))).toBe(500);
    expect(
      decodeClientMessage(JSON.stringify({ type: 'chat.send', text: '🔥'.repeat(500) })).ok,
    ).toBe(true);
    const over = decodeClientMessage(JSON.stringify({ type: 'chat.send', text: '🔥'.repeat(501) }));
    expect(over.ok ? 'accepted' : over.error.code).toBe('text_too_long');
  });

  it('keeps the ref of a refused frame so the error can echo it', () => {
    const decoded = decodeClientMessage('{"type":"chat.send","text":"","ref":"x9"}');
    expect(decoded).toEqual({
      ok: false,
      error: { code: 'text_empty', message: 'chat text is empty', ref: 'x9' },
    });
  });
});

describe('server messages', () => {
  it('round-trips through encode and decode', () => {
    const message: ServerMessage = {
      type: 'chat',
      messages: [
        { id: 'a1', seq: 7, ts: 1, author: { id: 'u', name: 'U', role: 'fan' }, text: 't' },
      ],
    };
    expect(decodeServerMessage(encodeServerMessage(message))).toEqual(message);
  });

  it('decodes a renewed resume ticket as a `ticket` frame', () => {
    const renewed: ServerMessage = { type: 'ticket', ticket: 'rt1.k.c.m', expiresAt: 9_000 };
    expect(decodeServerMessage(encodeServerMessage(renewed))).toEqual(renewed);
  });

  it('reports unknown or malformed server frames as undefined', () => {
    expect(decodeServerMessage('{"type":"from-the-future"}')).toBeUndefined();
    expect(decodeServerMessage('nope')).toBeUndefined();
    expect(decodeServerMessage('null')).toBeUndefined();
  });

  it('encodes a welcome around a snapshot already encoded into the bytes of the whole welcome', () => {
    const welcome: Welcome = {
      type: 'welcome',
      version: 1,
      sessionId: 's-1',
      eventId: 'ev-1',
      user: { id: 'u-"1"', name: 'Zoë', role: 'fan' },
      serverTime: 1700000000123,
      snapshot: {
        continuity: 'fresh',
        chat: [{ id: 'a1', seq: 7, ts: 1, author: { id: 'u', name: 'U', role: 'fan' }, text: 't' }],
        epoch: 'ep-1',
        lastSeq: 7,
        stage: {
          version: 2,
          title: 'Final',
          state: 'live',
          pinned: null,
          slowModeS: null,
          entitledOnlyChat: false,
          polls: [],
        },
        tallies: [],
        viewers: 3,
        reactions: { '🔥': 2 },
      },
    };
    const { snapshot, ...head } = welcome;
    const encoded = encodeWelcome(head, JSON.stringify(snapshot));
    expect(encoded).toBe(encodeServerMessage(welcome));
    const ticketed: Welcome = { ...welcome, resumeTicket: { ticket: 'rt1.k.c.m', expiresAt: 9 } };
    expect(
      encodeWelcome({ ...head, resumeTicket: ticketed.resumeTicket }, JSON.stringify(snapshot)),
    ).toBe(encodeServerMessage(ticketed));
    expect(decodeServerMessage(encoded)).toEqual(welcome);
  });

  it('encodes client messages as JSON the server decodes', () => {
    const frame = encodeClientMessage({ type: 'chat.send', text: 'hello', ref: 'r' });
    expect(decodeClientMessage(frame)).toEqual({
      ok: true,
      value: { type: 'chat.send', text: 'hello', ref: 'r' },
    });
  });
});
