import { describe, expect, it } from 'vitest';
import { prewarmReady, prewarmRequest, type PrewarmFields } from './prewarm-form.js';

const base: PrewarmFields = { fans: '50000', joins: '800', startsAt: '', llHls: '', webrtc: '' };

describe('the pre-warm form', () => {
  it('sends the two counts alone when nothing optional is filled', () => {
    expect(prewarmRequest(base)).toEqual({ expectedPeakFans: 50_000, expectedJoinsPerSec: 800 });
  });

  it('adds the start (the browser’s local time, as ms) and the tiers given', () => {
    const startsAt = '2030-06-01T18:00';
    expect(prewarmRequest({ ...base, startsAt, webrtc: '40' })).toEqual({
      expectedPeakFans: 50_000,
      expectedJoinsPerSec: 800,
      startsAt: new Date(startsAt).getTime(),
      tiers: { webrtc: 40 },
    });
    expect(prewarmRequest({ ...base, llHls: '45000', webrtc: '0' }).tiers).toEqual({
      llHls: 45_000,
      webrtc: 0,
    });
  });

  it('is ready with both counts and optional fields empty or whole numbers', () => {
    expect(prewarmReady(base)).toBe(true);
    expect(prewarmReady({ ...base, fans: '' })).toBe(false);
    expect(prewarmReady({ ...base, webrtc: '1.5' })).toBe(false);
    expect(prewarmReady({ ...base, llHls: ' ' })).toBe(true);
  });
});
