import type { ErrorCode } from '@fanfare/protocol';
import type { FanClient } from '@fanfare/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway } from './harness.js';

/** Chat from `from` must still reach `to`: the bystander check after every bad frame. */
async function stillChatting(from: FanClient, to: FanClient, text: string): Promise<void> {
  from.send({ type: 'chat.send', text });
  await to.until(`"${text}" to arrive`, () => to.chatTexts().includes(text));
}

describe('bad frames', () => {
  let g: TestGateway;
  let bystander: FanClient;
  let witness: FanClient;
  let n = 0;
  beforeAll(async () => {
    g = await startGateway({
      chat: {
        fan: { ratePerSecond: 100, burst: 100 },
        staff: { ratePerSecond: 100, burst: 100 },
        duplicateWindowMs: 30_000,
      },
    });
    bystander = (await g.join({ name: 'Bystander' })).fan;
    witness = (await g.join({ name: 'Witness' })).fan;
  });
  afterAll(async () => {
    await g.close();
  });

  const cases: Array<[string, string | Buffer, ErrorCode, boolean?]> = [
    ['not JSON', '{"type": "chat.send", text', 'invalid_json'],
    ['a JSON array', '[1,2,3]', 'invalid_frame'],
    ['an unknown type', '{"type":"teleport"}', 'unknown_type'],
    ['a missing type', '{"text":"hi"}', 'invalid_frame'],
    ['a chat text of the wrong type', '{"type":"chat.send","text":42}', 'invalid_frame'],
    ['a chat text with NUL', '{"type":"chat.send","text":"a\\u0000b"}', 'invalid_text'],
    ['a chat text with a bidi override', '{"type":"chat.send","text":"\\u202eab"}', 'invalid_text'],
    [
      'a chat text of zero-width spaces',
      '{"type":"chat.send","text":"\\u200b\\u200b"}',
      'text_empty',
    ],
    ['an emoji outside the set', '{"type":"react","emoji":"💩"}', 'unknown_emoji'],
    ['a bad reaction count', '{"type":"react","emoji":"🔥","count":1000}', 'invalid_frame'],
    ['a bad ref', '{"type":"ping","ref":""}', 'invalid_frame'],
    [
      'an oversize frame (over 4 KiB)',
      JSON.stringify({ type: 'chat.send', text: 'x'.repeat(5000) }),
      'frame_too_large',
    ],
    ['a binary frame', Buffer.from('{"type":"ping"}'), 'binary_unsupported', true],
  ];

  for (const [what, frame, code, binary] of cases) {
    it(`answers ${what} with ${code} and keeps the connection and everyone else working`, async () => {
      const { fan } = await g.join();
      fan.sendRaw(frame, { binary: binary ?? false });
      const error = await fan.next('error');
      expect(error.code).toBe(code);
      expect(error.message.length).toBeGreaterThan(0);
      fan.send({ type: 'ping', ref: 'alive' });
      expect((await fan.next('pong')).ref).toBe('alive');
      await stillChatting(bystander, witness, `after ${what} ${++n}`);
      fan.close();
    });
  }

  it('echoes the ref of a refused frame when it has one', async () => {
    const { fan } = await g.join();
    fan.send({ type: 'react', emoji: 'nope', ref: 'r-7' } as Record<string, unknown>);
    expect(await fan.next('error')).toMatchObject({ code: 'unknown_emoji', ref: 'r-7' });
    fan.close();
  });

  it('closes a socket that sends text that is not UTF-8 (uWS, 1006) and nobody else', async () => {
    const { fan } = await g.join();
    fan.sendRaw(Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]));
    expect((await fan.closed).code).toBe(1006);
    await stillChatting(bystander, witness, 'after bad utf-8');
  });

  it('closes a socket that sends a frame over the 64 KiB hard limit (1006) and nobody else', async () => {
    const { fan } = await g.join();
    fan.sendRaw('x'.repeat(70 * 1024));
    expect((await fan.closed).code).toBe(1006);
    await stillChatting(bystander, witness, 'after hard oversize');
  });

  it('closes a flooding fan with 4002 and nobody else', async () => {
    const { fan } = await g.join();
    for (let i = 0; i < 500; i++) fan.send({ type: 'ping' });
    const closed = await fan.closed;
    expect(closed).toEqual({ code: 4002, reason: 'flood' });
    const pongs = fan.frames.filter((f) => f.type === 'pong').length;
    expect(pongs).toBeGreaterThanOrEqual(50); // the burst was served before the cut
    expect(pongs).toBeLessThan(500);
    await stillChatting(bystander, witness, 'after flood');
  });
});
