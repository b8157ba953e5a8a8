import type { QoeAnswer, QoeSummary } from '@fanfare/protocol';
import { QOE_TARGETS } from '@fanfare/protocol';
import { describe, expect, it } from 'vitest';
import { qoeFigures, ratioChartData, startChartData } from './qoe-view.js';

const none: QoeSummary = {
  attempts: 0,
  starts: 0,
  vstP50Ms: null,
  vstP95Ms: null,
  rebufferingRatio: null,
  ebvsRate: null,
  failureRate: null,
  watchSeconds: 0,
  rebufferSeconds: 0,
  rebuffers: 0,
  exitsBeforeStart: 0,
  failures: 0,
  fallbacks: 0,
};

describe('qoeFigures', () => {
  it('marks each figure against the seed’s targets: under is ok, at or over is over', () => {
    const figures = qoeFigures(
      {
        ...none,
        vstP50Ms: 1_250,
        vstP95Ms: 4_000,
        rebufferingRatio: 0.01,
        ebvsRate: 0.049,
        failureRate: 0,
      },
      QOE_TARGETS,
    );
    expect(figures.map((f) => [f.key, f.text, f.target, f.verdict])).toEqual([
      ['vstP50', '1.25 s', '< 2.00 s', 'ok'],
      ['vstP95', '4.00 s', undefined, 'ok'],
      ['rebuffering', '1.0 %', '< 1.0 %', 'over'],
      ['ebvs', '4.9 %', '< 5.0 %', 'ok'],
      ['failures', '0 %', undefined, 'ok'],
    ]);
  });

  it('shows a dash and no verdict without data', () => {
    expect(qoeFigures(none, QOE_TARGETS).every((f) => f.text === '–' && f.verdict === 'none')).toBe(
      true,
    );
  });
});

describe('chart data', () => {
  const answer: QoeAnswer = {
    eventId: 'final',
    since: 0,
    windowMs: 5_000,
    targets: QOE_TARGETS,
    total: none,
    byTier: [],
    byCountry: [],
    series: [
      { ...none, t: 10_000, rebufferingRatio: 0.02, vstP50Ms: 1_500 },
      { ...none, t: 15_000, ebvsRate: 0.1 },
    ],
  };

  it('puts ratios in % with the 1 % and 5 % targets as flat lines', () => {
    expect(ratioChartData(answer)).toEqual([
      [10, 15],
      [2, null],
      [null, 10],
      [null, null],
      [1, 1],
      [5, 5],
    ]);
  });

  it('puts start times in seconds with the 2 s target', () => {
    expect(startChartData(answer)).toEqual([
      [10, 15],
      [1.5, null],
      [null, null],
      [2, 2],
    ]);
  });
});
