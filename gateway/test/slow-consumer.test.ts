// The slow-consumer policy end to end: a fan whose socket stops reading first loses superseded
// frames, then is closed with 4001; up to the close it got every chat message in order; the
// fan next to it loses nothing.

import { afterEach, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway } from './harness.js';

const encoder = new TextEncoder();

describe('slow consumers', () => {
  let g: TestGateway;
  afterEach(async () => {
    await g.close();
  });

  it('drops signals first, then closes with 4001, never skipping chat silently', async () => {
    g = await startGateway({
      chatBatchMs: 0,
      backpressure: {
        signalDropBytes: 32 * 1024,
        signalResumeBytes: 8 * 1024,
        slowCloseBytes: 256 * 1024,
        hardBytes: 64 * 1024 * 1024,
        sweepIntervalMs: 60_000, // the test runs the sweep itself
      },
    });
    const { fan: slow } = await g.join({ name: 'Slow' });
    const { fan: fast } = await g.join({ name: 'Fast' });
    slow.socket.pause(); // stops reading: the kernel buffers fill, then uWS's

    const text = 'x'.repeat(480);
    const author = { id: 'remote', name: 'Remote', role: 'fan' };
    let seq = 0;
    let sawLagging = false;
    let closedSlow = 0;
    for (let round = 0; round < 200 && closedSlow === 0; round++) {
      for (let i = 0; i < 250; i++) {
        const id = `r${++seq}`;
        const record = { kind: 'chat', id, author, text };
        await g.log.append('demo', encoder.encode(JSON.stringify(record)), id);
      }
      const last = seq;
      await fast.until(`seq ${last}`, (frames) =>
        frames.some((f) => f.type === 'chat' && f.messages.at(-1)?.seq === last),
      );
      const swept = g.gateway.sweep();
      sawLagging ||= swept.lagging > 0;
      closedSlow = swept.closedSlow;
    }
    expect(sawLagging).toBe(true);
    expect(closedSlow).toBe(1);

    slow.socket.resume();
    const closed = await slow.closed;
    expect(closed).toEqual({ code: 4001, reason: 'slow consumer' });
    const seqs = slow.frames.flatMap((f) =>
      f.type === 'chat' ? f.messages.map((m) => m.seq) : [],
    );
    expect(seqs.length).toBeGreaterThan(0);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));

    const fastSeqs = fast.frames.flatMap((f) =>
      f.type === 'chat' ? f.messages.map((m) => m.seq) : [],
    );
    expect(fastSeqs).toEqual(Array.from({ length: seq }, (_, i) => i + 1));
    fast.send({ type: 'chat.send', text: 'still fine' });
    await fast.until('own chat', () => fast.chatTexts().includes('still fine'));
  });

  it('resumes superseded frames for a lagging fan once it drains, starting with presence', async () => {
    g = await startGateway({
      chatBatchMs: 0,
      backpressure: {
        signalDropBytes: 32 * 1024,
        signalResumeBytes: 8 * 1024,
        slowCloseBytes: 1024 * 1024 * 1024, // never closes in this test
        hardBytes: 2 * 1024 * 1024 * 1024,
        sweepIntervalMs: 60_000,
      },
    });
    const { fan: lagging } = await g.join({ name: 'Lagging' });
    const { fan: fast } = await g.join({ name: 'Fast' });
    lagging.socket.pause();
    const text = 'y'.repeat(480);
    const author = { id: 'remote', name: 'Remote', role: 'fan' };
    let seq = 0;
    let lagged = 0;
    for (let round = 0; round < 200 && lagged === 0; round++) {
      for (let i = 0; i < 250; i++) {
        const id = `s${++seq}`;
        await g.log.append(
          'demo',
          encoder.encode(JSON.stringify({ kind: 'chat', id, author, text })),
          id,
        );
      }
      const last = seq;
      await fast.until(`seq ${last}`, (frames) =>
        frames.some((f) => f.type === 'chat' && f.messages.at(-1)?.seq === last),
      );
      lagged = g.gateway.sweep().lagging;
    }
    expect(lagged).toBe(1);
    const presenceBefore = lagging.frames.filter((f) => f.type === 'presence').length;
    lagging.socket.resume();
    await lagging.until('every chat message', () =>
      lagging.frames.some((f) => f.type === 'chat' && f.messages.at(-1)?.seq === seq),
    );
    // the drain handler resubscribed it and sent the latest viewer count
    await lagging.until(
      'a fresh presence frame',
      (frames) => frames.filter((f) => f.type === 'presence').length > presenceBefore,
    );
    expect(g.gateway.sweep().lagging).toBe(0);
  });
});
