import { describe, expect, it } from 'vitest';
import { resultsPage } from './html-report.js';
import { emptyRow } from './scenario-row.js';
import { barChart, escapeXml, shortNumber } from './svg-charts.js';

describe('results page', () => {
  it('is one self-contained page with inline SVG charts and escaped text', () => {
    const row = {
      ...emptyRow('broadcast-max', 'fanfare', 1, 2000),
      deliveriesPerSec: 1_500_000,
      p99Ms: 70,
    };
    row.notes.push('a <note> & more');
    const page = resultsPage(
      {
        startedAt: 'then',
        finishedAt: 'now',
        machine: {
          node: 'v20',
          platform: 'linux',
          kernel: '6',
          cpus: 2,
          cpuModel: 'cpu',
          memoryGiB: 1,
          openFilesLimit: 1,
          pinned: true,
          loadAverageAtStart: 0,
        },
        scenarios: [row, { ...row, target: 'uws-raw', deliveriesPerSec: 200_000 }],
        ratios: [],
        objectives: [],
      },
      100,
    );
    expect(page).toContain('<svg');
    expect(page).toContain('a &#60;note&#62; &#38; more');
    expect(page).not.toMatch(/(src|href)="?https?:/);
    expect(page).not.toContain('<script');
  });
});

describe('svg charts', () => {
  it('draws one bar per value and skips missing ones', () => {
    const svg = barChart({
      title: 't',
      unit: 'u',
      groups: ['a', 'b'],
      series: [{ name: 's', color: '#000', values: [3, null] }],
    });
    expect(svg.match(/<rect [^>]*height=/g)).toHaveLength(2); // one bar and one legend key
  });

  it('writes numbers short and text safe', () => {
    expect([shortNumber(1_500_000), shortNumber(35_000), shortNumber(2.5)]).toEqual([
      '1.5M',
      '35k',
      '2.5',
    ]);
    expect(escapeXml('"<&>')).toBe('&#34;&#60;&#38;&#62;');
  });
});
