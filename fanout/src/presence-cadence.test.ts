import { describe, expect, it } from 'vitest';
import {
  PRESENCE_CADENCE,
  PRESENCE_FRAMES_PER_S,
  PRESENCE_MAX_GAP_MS,
  presenceDue,
  presenceGapMs,
  type PresenceCadence,
} from './presence-cadence.js';

const SECOND = 1000;

/** Ticks of `intervalMs` until a count held at `viewers` (moved from `reported`) is sent. */
function ticksUntilSent(viewers: number, reported: number, intervalMs = SECOND): number {
  for (let ticks = 1; ticks < 1000; ticks++) {
    if (presenceDue({ viewers, reported, sinceMs: ticks * intervalMs }, intervalMs)) return ticks;
  }
  throw new Error('never sent');
}

describe('presenceGapMs', () => {
  it('keeps the interval for rooms up to the frame budget', () => {
    expect(presenceGapMs(40, SECOND)).toBe(SECOND);
    expect(presenceGapMs(1_000, SECOND)).toBe(SECOND);
    expect(presenceGapMs(PRESENCE_FRAMES_PER_S, SECOND)).toBe(SECOND);
  });

  it('spreads larger rooms over the budget, up to the cap', () => {
    expect(presenceGapMs(5_000, SECOND)).toBe(2_500);
    expect(presenceGapMs(19_000, SECOND)).toBe(9_500);
    expect(presenceGapMs(20_000, SECOND)).toBe(PRESENCE_MAX_GAP_MS);
    expect(presenceGapMs(73_412, SECOND)).toBe(PRESENCE_MAX_GAP_MS);
  });

  it('never goes below the interval, even past the cap', () => {
    expect(presenceGapMs(0, 200)).toBe(200);
    expect(presenceGapMs(100_000, 15_000)).toBe(15_000);
  });

  it('follows a given cadence', () => {
    const cadence: PresenceCadence = { framesPerS: 100, maxGapMs: 4_000, jumpFraction: 0.5 };
    expect(presenceGapMs(150, SECOND, cadence)).toBe(1_500);
    expect(presenceGapMs(1_000, SECOND, cadence)).toBe(4_000);
  });
});

describe('presenceDue', () => {
  it('sends the first count at once, even 0', () => {
    expect(presenceDue({ viewers: 0, reported: undefined, sinceMs: SECOND }, SECOND)).toBe(true);
    expect(presenceDue({ viewers: 50_000, reported: undefined, sinceMs: SECOND }, SECOND)).toBe(
      true,
    );
  });

  it('never repeats the count last sent, however long ago', () => {
    expect(presenceDue({ viewers: 40, reported: 40, sinceMs: 60 * SECOND }, SECOND)).toBe(false);
  });

  it('ticks every interval in a small room', () => {
    expect(ticksUntilSent(41, 40)).toBe(1);
    expect(ticksUntilSent(1_999, 2_000)).toBe(1);
  });

  it('holds small moves in a large room for the whole gap, rounded up to whole ticks', () => {
    expect(ticksUntilSent(5_010, 5_000)).toBe(3); // gap 2.5 s
    expect(ticksUntilSent(9_990, 10_000)).toBe(5); // gap 4.995 s
    expect(ticksUntilSent(19_010, 19_000)).toBe(10); // gap 9.5 s
    expect(ticksUntilSent(73_412, 73_400)).toBe(10);
  });

  it('sends a move of 10 % or more after half the gap, never before the interval', () => {
    expect(ticksUntilSent(50_000, 45_000)).toBe(5); // +11 % of the count shown: half of 10 s
    expect(ticksUntilSent(50_000, 45_500)).toBe(10); // +9.9 %: the whole gap
    expect(ticksUntilSent(15_200, 19_000)).toBe(4); // -20 %: gap 7.6 s, half 3.8 s
    expect(ticksUntilSent(2_400, 2_000)).toBe(1); // gap 1.2 s, half under the interval
    expect(ticksUntilSent(2_100, 2_000)).toBe(2); // +5 %: the whole gap
  });

  it('treats any change from or to nothing as a jump', () => {
    expect(ticksUntilSent(30_000, 0)).toBe(5);
    expect(ticksUntilSent(0, 30_000)).toBe(1); // nobody left to pay for the frame
  });

  it('keeps a fan at or under its frame budget at each audience size', () => {
    // The count changes on every tick for a minute; frames per fan per second at each size.
    const perFan = (viewers: number) => {
      let reported: number | undefined;
      let since = 0;
      let sent = 0;
      for (let tick = 1; tick <= 60; tick++) {
        since += SECOND;
        const now = viewers - (tick % 2); // a small churn: never a jump
        if (presenceDue({ viewers: now, reported, sinceMs: since }, SECOND, PRESENCE_CADENCE)) {
          reported = now;
          since = 0;
          sent++;
        }
      }
      return sent / 60;
    };
    expect(perFan(40)).toBe(1);
    expect(perFan(2_000)).toBe(1);
    expect(perFan(5_000)).toBeCloseTo(20 / 60); // every 3 s (the first at once)
    expect(perFan(19_000)).toBeCloseTo(6 / 60);
    expect(perFan(73_412)).toBeCloseTo(6 / 60);
  });
});
