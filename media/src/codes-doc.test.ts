// Keeps docs/media.md's problem code table and problems.ts in step, statuses included.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MEDIA_PROBLEMS } from './problems.js';

const doc = readFileSync(new URL('../../docs/media.md', import.meta.url), 'utf8');

/** Rows of the markdown table that follows `heading`, as arrays of trimmed cells. */
function tableAfter(text: string, heading: string): string[][] {
  const start = text.indexOf(heading);
  if (start < 0) throw new Error(`no "${heading}" section`);
  const rows: string[][] = [];
  let inTable = false;
  for (const line of text.slice(start).split('\n').slice(1)) {
    if (line.startsWith('|')) {
      inTable = true;
      rows.push(
        line
          .split('|')
          .slice(1, -1)
          .map((c) => c.trim().replace(/^`|`$/g, '')),
      );
    } else if (inTable) break;
  }
  return rows.slice(2);
}

describe('docs/media.md problem codes', () => {
  it('lists exactly the codes the origin answers, with their statuses', () => {
    const rows = tableAfter(doc, '### Problem codes');
    expect(rows.map(([code, status]) => [code, Number(status)])).toEqual(
      Object.entries(MEDIA_PROBLEMS).map(([code, p]) => [code, p.status]),
    );
  });
});
