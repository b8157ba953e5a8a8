import { describe, expect, it } from 'vitest';
import { ChatScan } from './frame-reader.js';
import { ReceiveStats } from './receive-stats.js';
import { SeqTracker } from './seq-tracker.js';

function scan(messages: [seq: number, sendTimeMs: number][]): ChatScan {
  const out = new ChatScan();
  messages.forEach(([seq, sendTimeMs], i) => {
    out.seqs[i] = seq;
    out.sendTimes[i] = sendTimeMs;
  });
  out.count = messages.length;
  return out;
}

describe('ReceiveStats', () => {
  it('counts each bench message once per fan with its latency', () => {
    const stats = new ReceiveStats();
    const fanA = new SeqTracker(0);
    const fanB = new SeqTracker(0);
    stats.countChat(
      scan([
        [1, 100],
        [2, 101],
      ]),
      fanA,
      103,
    );
    stats.countChat(
      scan([
        [1, 100],
        [2, 101],
      ]),
      fanB,
      104,
    );
    expect(stats.delivered).toBe(4);
    expect(stats.latency.count).toBe(4);
    expect(stats.latency.max).toBe(4);
    expect(stats.lastDeliveryAtMs).toBe(104);
  });

  it('counts repeats as duplicates without latency, and late arrivals as reordered deliveries', () => {
    const stats = new ReceiveStats();
    const fan = new SeqTracker(0);
    stats.countChat(
      scan([
        [1, 10],
        [3, 12],
      ]),
      fan,
      20,
    );
    stats.countChat(
      scan([
        [2, 11],
        [3, 12],
      ]),
      fan,
      21,
    );
    expect(stats.delivered).toBe(3);
    expect(stats.reordered).toBe(1);
    expect(stats.duplicates).toBe(1);
    expect(stats.latency.count).toBe(3);
  });

  it('keeps chat from outside the bench out of deliveries', () => {
    const stats = new ReceiveStats();
    stats.countChat(scan([[5, NaN]]), new SeqTracker(4), 50);
    expect(stats.foreign).toBe(1);
    expect(stats.delivered).toBe(0);
    expect(stats.lastDeliveryAtMs).toBe(0);
  });

  it('counts only errors that answer our sends as rejections', () => {
    const stats = new ReceiveStats();
    stats.countError('rate_limited', true);
    stats.countError('internal', false);
    expect(stats.rejected).toBe(1);
    expect(stats.errors).toEqual({ rate_limited: 1, internal: 1 });
  });
});
