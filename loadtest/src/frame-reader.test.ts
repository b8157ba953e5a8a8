import { encodeServerMessage } from '@fanfare/protocol';
import type { ChatMessage, ServerMessage } from '@fanfare/protocol';
import { describe, expect, it } from 'vitest';
import { encodeBenchText, parseBenchText } from './bench-text.js';
import { ChatScan, ServerFrameReader, peekType, scanChatFrame } from './frame-reader.js';

function message(seq: number, text: string, name = 'Fan'): ChatMessage {
  return {
    id: `m${seq}`,
    seq,
    ts: 1_700_000_000_000,
    author: { id: 'u1', name, role: 'fan' },
    text,
  };
}

function frame(message: ServerMessage): Buffer {
  return Buffer.from(encodeServerMessage(message));
}

describe('bench text', () => {
  it('round-trips the send stamp, sender and counter', () => {
    const text = encodeBenchText(1_732_450_000_123.456, 3, 17);
    expect(text).toBe('b:1732450000123.456:3:17');
    expect(parseBenchText(text)).toEqual({ sendTimeMs: 1_732_450_000_123.456, sender: 3, n: 17 });
  });

  it('refuses texts that only look alike', () => {
    for (const text of ['hello', 'b:', 'b::1:2', 'b:12:x:1', 'b:1:2', 'b:1:2:3:4']) {
      expect(parseBenchText(text)).toBeUndefined();
    }
  });
});

describe('peekType', () => {
  it('reads the type of a frame that starts with it', () => {
    expect(peekType(frame({ type: 'presence', viewers: 3 }))).toBe('presence');
  });

  it('gives up on other layouts and unknown types', () => {
    expect(peekType(Buffer.from('{"viewers":3,"type":"presence"}'))).toBeUndefined();
    expect(peekType(Buffer.from('{"type":"future.thing"}'))).toBeUndefined();
    expect(peekType(Buffer.from('{"type'))).toBeUndefined();
  });
});

describe('scanChatFrame', () => {
  it('finds every seq and send stamp in a batch, in order', () => {
    const out = new ChatScan();
    const batch = frame({
      type: 'chat',
      messages: [
        message(41, encodeBenchText(1_732_450_000_000.5, 0, 1)),
        message(42, 'not a bench message'),
        message(43, encodeBenchText(1_732_450_000_001, 1, 9)),
      ],
    });
    expect(scanChatFrame(batch, out)).toBe(true);
    expect(out.count).toBe(3);
    expect([...out.seqs.subarray(0, 3)]).toEqual([41, 42, 43]);
    expect(out.sendTimes[0]).toBeCloseTo(1_732_450_000_000.5, 3);
    expect(out.sendTimes[1]).toBeNaN();
    expect(out.sendTimes[2]).toBe(1_732_450_000_001);
  });

  it('is not fooled by keys spelled inside names and texts', () => {
    const out = new ChatScan();
    const tricky = frame({
      type: 'chat',
      messages: [
        message(7, '"seq":99,"text":"b:1:2:3"', '"text":"b:5:0:0'),
        message(8, 'b:12.5:0:1'),
        message(9, 'b:12:0:1 and more'),
        message(10, 'b:12:0'),
      ],
    });
    expect(scanChatFrame(tricky, out)).toBe(true);
    expect([...out.seqs.subarray(0, out.count)]).toEqual([7, 8, 9, 10]);
    expect(out.sendTimes[0]).toBeNaN();
    expect(out.sendTimes[1]).toBe(12.5);
    expect(out.sendTimes[2]).toBeNaN();
    expect(out.sendTimes[3]).toBeNaN();
  });

  it('agrees with JSON.parse on random frames full of key-like text', () => {
    const pieces = [
      '"seq":',
      '"text":"',
      'b:',
      '12',
      '.5',
      ':',
      '"',
      '\\',
      'seq',
      'text',
      'é',
      '🎉',
      ' ',
      'x',
      'q',
    ];
    let seed = 7;
    const pick = (n: number): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed % n;
    };
    const randomText = (): string =>
      Array.from({ length: 1 + pick(8) }, () => pieces[pick(pieces.length)]).join('');
    for (let round = 0; round < 300; round++) {
      const messages = Array.from({ length: 1 + pick(5) }, (_, i) => {
        const text =
          pick(3) === 0
            ? encodeBenchText(1_732_450_000_000 + pick(1000) / 8, pick(10), i)
            : randomText();
        const { seq, ts, author } = message(round * 10 + i, text, randomText());
        // Fields of every length put the keys at every alignment of the scan's skip window.
        const [id, pad] = ['i'.repeat(pick(13)), 'z'.repeat(pick(13))];
        return { id, seq, ts, author, pad, text };
      });
      const out = new ChatScan();
      expect(scanChatFrame(frame({ type: 'chat', messages }), out)).toBe(true);
      expect(out.count).toBe(messages.length);
      messages.forEach((m, i) => {
        expect(out.seqs[i]).toBe(m.seq);
        const expected = parseBenchText(m.text)?.sendTimeMs ?? NaN;
        if (Number.isNaN(expected)) expect(out.sendTimes[i]).toBeNaN();
        else expect(out.sendTimes[i]).toBeCloseTo(expected, 3);
      });
    }
  });

  it('reads batches of any size', () => {
    const out = new ChatScan();
    const messages = Array.from({ length: 5000 }, (_, i) =>
      message(i + 1, encodeBenchText(i, 0, i)),
    );
    expect(scanChatFrame(frame({ type: 'chat', messages }), out)).toBe(true);
    expect(out.count).toBe(5000);
    expect(out.seqs[4999]).toBe(5000);
    expect(out.sendTimes[4999]).toBe(4999);
  });

  it('refuses a layout with the text before the seq', () => {
    const out = new ChatScan();
    const reordered = Buffer.from(
      '{"type":"chat","messages":[{"text":"b:1:0:0","seq":1},{"text":"b:2:0:1","seq":2}]}',
    );
    expect(scanChatFrame(reordered, out)).toBe(false);
  });
});

describe('ServerFrameReader', () => {
  it('reads chat frames by scan and other frames by type only', () => {
    const reader = new ServerFrameReader();
    expect(reader.read(frame({ type: 'chat', messages: [message(1, 'b:10:0:0')] }))).toBe('chat');
    expect(reader.chat.count).toBe(1);
    expect(reader.read(frame({ type: 'presence', viewers: 2 }))).toBe('presence');
    expect(reader.slowFrames).toBe(0);
    expect(reader.fastPathOff).toBeUndefined();
  });

  it('decodes other layouts in full and still gets them right', () => {
    const reader = new ServerFrameReader();
    const odd = Buffer.from(
      '{"messages":[{"text":"b:1.25:0:0","seq":5,"id":"x","ts":1,"author":{"id":"a","name":"n","role":"fan"}}],"type":"chat"}',
    );
    expect(reader.read(odd)).toBe('chat');
    expect(reader.chat.count).toBe(1);
    expect(reader.chat.seqs[0]).toBe(5);
    expect(reader.chat.sendTimes[0]).toBe(1.25);
    expect(reader.slowFrames).toBe(1);
    expect(reader.read(Buffer.from('not json'))).toBeUndefined();
  });

  it('switches the scan off for good when it disagrees with a full decode', () => {
    const reader = new ServerFrameReader();
    // A message carrying a nested `seq` key the scan would count as a second message.
    const nested = Buffer.from(
      '{"type":"chat","messages":[{"id":"x","seq":5,"ts":1,"author":{"id":"a","name":"n","role":"fan"},"text":"b:3:0:0","quote":{"seq":2,"text":"b:9:0:0"}}]}',
    );
    expect(reader.read(nested)).toBe('chat');
    expect(reader.fastPathOff).toContain('disagreed');
    expect(reader.chat.count).toBe(1);
    expect(reader.chat.sendTimes[0]).toBe(3);
    reader.read(frame({ type: 'chat', messages: [message(6, 'b:4:0:1')] }));
    expect(reader.slowFrames).toBe(1);
  });
});
