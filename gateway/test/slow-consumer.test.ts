// The slow-consumer policy end to end: a fan whose socket stops reading first loses superseded
// frames, then is closed with 4001; up to the close it got every chat message in order; the
// fan next to it loses nothing.

import type { ServerMessage } from '@fanfare/protocol';
import type { FanClient } from '@fanfare/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import type { BackpressureLimits } from '../src/index.js';
import { startGateway, type TestGateway } from './harness.js';

const encoder = new TextEncoder();
const author = { id: 'remote', name: 'Remote', role: 'fan' };
const text = 'x'.repeat(480);

function limits(slowCloseBytes: number): BackpressureLimits {
  return {
    signalDropBytes: 32 * 1024,
    signalResumeBytes: 8 * 1024,
    slowCloseBytes,
    hardBytes: 2 * slowCloseBytes,
    sweepIntervalMs: 60_000, // the tests run the sweep themselves
  };
}

/**
 * Appends chat (as another shard would) in rounds of 250 until a sweep says `done`, pacing each
 * round on the fast fan having received it. Returns the last seq appended.
 */
async function appendUntil(
  g: TestGateway,
  fast: FanClient,
  done: (swept: { lagging: number; closedSlow: number }) => boolean,
): Promise<number> {
  let seq = 0;
  for (let round = 0; round < 200; round++) {
    for (let i = 0; i < 250; i++) {
      const id = `r${++seq}`;
      await g.log.append(
        'demo',
        encoder.encode(JSON.stringify({ kind: 'chat', id, author, text })),
        id,
      );
    }
    const last = seq;
    await fast.until(`seq ${last}`, (frames) => lastChatSeq(frames) === last);
    if (done(g.gateway.sweep())) return seq;
  }
  throw new Error('the sweep never saw what the test waited for');
}

/** The seq of the newest chat message among `frames`, scanning from the end (frames arrive by the thousand). */
function lastChatSeq(frames: readonly ServerMessage[]): number | undefined {
  for (let i = frames.length - 1; i >= 0; i--) {
    const f = frames[i]!;
    if (f.type === 'chat' && f.messages.length > 0) return f.messages.at(-1)!.seq;
  }
  return undefined;
}

const chatSeqs = (fan: FanClient) =>
  fan.frames.flatMap((f) => (f.type === 'chat' ? f.messages.map((m) => m.seq) : []));
const oneTo = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

describe('slow consumers', () => {
  let g: TestGateway;
  afterEach(async () => {
    await g.close();
  });

  it('drops signals first, then closes with 4001, never skipping chat silently', async () => {
    g = await startGateway({ chatBatchMs: 0, backpressure: limits(256 * 1024) });
    const { fan: slow } = await g.join({ name: 'Slow' });
    const { fan: fast } = await g.join({ name: 'Fast' });
    slow.socket.pause(); // stops reading: the kernel buffers fill, then uWS's

    let sawLagging = false;
    const last = await appendUntil(g, fast, (swept) => {
      sawLagging ||= swept.lagging > 0;
      return swept.closedSlow === 1;
    });
    expect(sawLagging).toBe(true);

    slow.socket.resume();
    expect(await slow.closed).toEqual({ code: 4001, reason: 'slow consumer' });
    const seqs = chatSeqs(slow);
    expect(seqs.length).toBeGreaterThan(0);
    expect(seqs).toEqual(oneTo(seqs.length)); // a prefix, in order: nothing skipped silently

    expect(chatSeqs(fast)).toEqual(oneTo(last));
    fast.send({ type: 'chat.send', text: 'still fine' });
    await fast.until('own chat', () => fast.chatTexts().includes('still fine'));
  });

  it('resumes superseded frames for a lagging fan once it drains, starting with presence', async () => {
    g = await startGateway({ chatBatchMs: 0, backpressure: limits(1024 * 1024 * 1024) });
    const { fan: lagging } = await g.join({ name: 'Lagging' });
    const { fan: fast } = await g.join({ name: 'Fast' });
    lagging.socket.pause();
    const last = await appendUntil(g, fast, (swept) => swept.lagging === 1);
    const presenceBefore = lagging.frames.filter((f) => f.type === 'presence').length;

    lagging.socket.resume();
    await lagging.until('every chat message', (frames) => lastChatSeq(frames) === last);
    expect(chatSeqs(lagging)).toEqual(oneTo(last));
    // the drain handler resubscribed it and sent the latest viewer count
    await lagging.until(
      'a fresh presence frame',
      (frames) => frames.filter((f) => f.type === 'presence').length > presenceBefore,
    );
    expect(g.gateway.sweep().lagging).toBe(0);
  });
});
