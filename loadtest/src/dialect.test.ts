import { describe, expect, it } from 'vitest';
import { FANFARE_DIALECT, SOCKETIO_DIALECT, socketIoEventData } from './dialect.js';

/** Records what a dialect answers on the socket, unmasked. */
function socket(): { sent: string[]; sendFrame(frame: Buffer): void } {
  const sent: string[] = [];
  return {
    sent,
    sendFrame(frame: Buffer) {
      const len = frame[1]! & 0x7f;
      const mask = frame.subarray(2, 6);
      const payload = Buffer.from(frame.subarray(6, 6 + len));
      for (let i = 0; i < payload.length; i++) payload[i]! ^= mask[i % 4]!;
      sent.push(payload.toString('utf8'));
    },
  };
}

describe('Socket.IO dialect', () => {
  it('finds the message inside an event packet', () => {
    const frame = Buffer.from('42["chat",{"type":"chat","messages":[]}]');
    const at = SOCKETIO_DIALECT.unwrap(socket(), frame, 0, frame.length);
    expect(frame.toString('utf8', at, frame.length - SOCKETIO_DIALECT.suffixBytes)).toBe(
      '{"type":"chat","messages":[]}',
    );
  });

  it('answers the open packet with a connect and a ping with a pong', () => {
    const s = socket();
    for (const text of ['0{"sid":"x","pingInterval":25000}', '40{"sid":"y"}', '2']) {
      const frame = Buffer.from(text);
      expect(SOCKETIO_DIALECT.unwrap(s, frame, 0, frame.length)).toBe(-1);
    }
    expect(s.sent).toEqual(['40', '3']);
  });

  it('wraps client messages as events named by their type', () => {
    expect(SOCKETIO_DIALECT.wrap('chat.send', '{"text":"hi"}')).toBe(
      '42["chat.send",{"text":"hi"}]',
    );
  });

  it('refuses packets that are not events', () => {
    const frame = Buffer.from('43["ack"]');
    expect(socketIoEventData(frame, 0, frame.length)).toBe(-1);
  });
});

describe('Fanfare dialect', () => {
  it('passes frames through untouched', () => {
    const frame = Buffer.from('{"type":"presence","viewers":1}');
    expect(FANFARE_DIALECT.unwrap(socket(), frame, 0, frame.length)).toBe(0);
    expect(FANFARE_DIALECT.wrap('chat.send', '{"x":1}')).toBe('{"x":1}');
  });
});
