import { describe, expect, it } from 'vitest';
import { Rng } from './rng.js';
import { SimScheduler } from './scheduler.js';
import { IDEAL_MEDIA, SimMedia } from './sim-media.js';

function media(spec: Partial<typeof IDEAL_MEDIA> = {}) {
  const sched = new SimScheduler();
  const m = new SimMedia(sched, new Rng(1), { ...IDEAL_MEDIA, ...spec });
  const events: string[] = [];
  for (const type of ['seeking', 'seeked', 'waiting', 'playing'] as const) {
    m.addEventListener(type, () => events.push(`${type}@${sched.now}`));
  }
  return { sched, m, events };
}

describe('SimMedia', () => {
  it('advances with true time times the rate, after the play delay', () => {
    const { sched, m, events } = media({ playDelayMs: 40 });
    void m.play();
    sched.advance(1_040);
    expect(m.currentTime).toBeCloseTo(1, 9);
    expect(events).toEqual(['playing@40']);
  });

  it('applies a rate change only after the rate delay', () => {
    const { sched, m } = media({ rateDelayMs: 100 });
    void m.play();
    sched.advance(1_000);
    m.playbackRate = 2;
    expect(m.playbackRate).toBe(2);
    sched.advance(1_000);
    expect(m.currentTime).toBeCloseTo(1 + 0.1 + 0.9 * 2, 9);
  });

  it('freezes playback for the seek latency, reporting the new position at once', () => {
    const { sched, m, events } = media({ seekLatencyMs: 300 });
    void m.play();
    sched.advance(1_000);
    m.currentTime = 50;
    expect(m.currentTime).toBe(50);
    sched.advance(300);
    expect(m.currentTime).toBe(50);
    sched.advance(700);
    expect(m.currentTime).toBeCloseTo(50.7, 9);
    expect(events).toEqual(['playing@0', 'seeking@1000', 'seeked@1300']);
  });

  it('stalls: waiting, frozen, then playing, and records the stall', () => {
    const { sched, m, events } = media();
    void m.play();
    sched.advance(1_000);
    m.stall(500);
    sched.advance(1_000);
    expect(m.currentTime).toBeCloseTo(1.5, 9);
    expect(events).toEqual(['playing@0', 'waiting@1000', 'playing@1500']);
    expect(m.stalls).toEqual([{ start: 1_000, end: 1_500 }]);
  });
});

describe('SimScheduler clocks', () => {
  it('gives each member a skewed, drifting view whose timers wait local time', () => {
    const sched = new SimScheduler();
    const fast = sched.clock(0, 5_000, 1_000); // +5 s, 1000 ppm fast
    let firedAt = -1;
    fast.setTimeout(() => (firedAt = sched.now), 1_001);
    sched.advance(10_000);
    expect(fast.now()).toBeCloseTo(5_000 + 10_010, 6);
    expect(firedAt).toBeCloseTo(1_000, 6);
  });
});
