import { describe, expect, it } from 'vitest';
import { dueAt, dueCount, paceSchedule } from './chat-pacer.js';

describe('chat pacer', () => {
  it('sends rate times duration messages per sender', () => {
    const s = paceSchedule(0, 10, 100, 10_000);
    expect(s.total).toBe(1000);
    expect(dueCount(s, 0)).toBe(1);
    expect(dueCount(s, 9.99)).toBe(1);
    expect(dueCount(s, 10)).toBe(2);
    expect(dueCount(s, 60_000)).toBe(1000);
  });

  it('staggers senders evenly across one interval', () => {
    const offsets = [0, 1, 2, 3].map((i) => paceSchedule(i, 4, 100, 1000).offsetMs);
    expect(offsets).toEqual([0, 2.5, 5, 7.5]);
    expect(dueCount(paceSchedule(3, 4, 100, 1000), 7)).toBe(0);
  });

  it('gives the same total over all senders as the overall rate asks', () => {
    const total = [0, 1, 2].reduce((sum, i) => sum + paceSchedule(i, 3, 0.5, 10_000).total, 0);
    expect(total).toBe(15);
  });

  it('places message n one interval after message n - 1', () => {
    const s = paceSchedule(1, 2, 50, 1000);
    expect(dueAt(s, 0)).toBe(10);
    expect(dueAt(s, 3)).toBe(70);
    expect(dueCount(s, dueAt(s, 3))).toBe(4);
  });
});
