import { describe, expect, it } from 'vitest';
import { parsePrewarmArgs } from './prewarm-args.js';

describe('parsePrewarmArgs', () => {
  it('makes the POST body from the flags', () => {
    expect(
      parsePrewarmArgs([
        'final',
        '--fans',
        '100000',
        '--joins-per-sec',
        '1700',
        '--starts-at',
        '2026-12-24T20:00:00Z',
        '--webrtc',
        '20',
      ]),
    ).toEqual({
      eventId: 'final',
      method: 'POST',
      body: {
        expectedPeakFans: 100_000,
        expectedJoinsPerSec: 1_700,
        startsAt: Date.parse('2026-12-24T20:00:00Z'),
        tiers: { webrtc: 20 },
      },
    });
    expect(parsePrewarmArgs(['final', '--show'])).toEqual({ eventId: 'final', method: 'GET' });
  });

  it('refuses missing or malformed numbers and a missing event id', () => {
    expect(() => parsePrewarmArgs(['final', '--joins-per-sec', '10'])).toThrow(/--fans/);
    expect(() => parsePrewarmArgs(['final', '--fans', '1e3x', '--joins-per-sec', '1'])).toThrow();
    expect(() => parsePrewarmArgs(['--fans', '10', '--joins-per-sec', '1'])).toThrow(/usage/);
    expect(() =>
      parsePrewarmArgs(['final', '--fans', '1', '--joins-per-sec', '1', '--starts-at', 'soon']),
    ).toThrow(/starts-at/);
  });
});
