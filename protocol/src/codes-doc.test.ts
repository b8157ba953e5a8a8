// Keeps docs/protocol.md and codes.ts in step: every code in the tables is in the code with the
// same retry policy (and status), and every code in the code is in the tables.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CLOSE_CODES, ERROR_CODES, UPGRADE_REFUSALS } from './codes.js';
import { TEXT_CLASSES } from './text-policy.js';

const doc = readFileSync(new URL('../../docs/protocol.md', import.meta.url), 'utf8');

/** Rows of the markdown table that follows `heading`, as arrays of trimmed cells. */
function table(heading: string): string[][] {
  const start = doc.indexOf(heading);
  if (start < 0) throw new Error(`docs/protocol.md has no "${heading}" section`);
  const lines = doc.slice(start).split('\n').slice(1);
  const rows: string[][] = [];
  let inTable = false;
  for (const line of lines) {
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
  return rows.slice(2); // header and separator
}

describe('docs/protocol.md code tables', () => {
  it('lists exactly the error codes, with their retry policy', () => {
    const rows = table('### Error codes');
    expect(Object.fromEntries(rows.map(([code, retry]) => [code, retry]))).toEqual(
      Object.fromEntries(Object.entries(ERROR_CODES).map(([code, info]) => [code, info.retry])),
    );
  });

  it('lists exactly the close codes, with their names and retry policy', () => {
    const rows = table('### Close codes');
    expect(rows.map(([code, name, retry]) => [Number(code), name, retry])).toEqual(
      Object.entries(CLOSE_CODES).map(([code, info]) => [Number(code), info.name, info.retry]),
    );
  });

  it('lists exactly the upgrade refusals, with status and retry policy', () => {
    const rows = table('### Upgrade refusals');
    expect(rows.map(([reason, status, retry]) => [reason, Number(status), retry])).toEqual(
      Object.entries(UPGRADE_REFUSALS).map(([reason, info]) => [reason, info.status, info.retry]),
    );
  });

  it('lists exactly the classes of the text policy, with their action', () => {
    const rows = table('### What text may hold');
    expect(rows.map(([name, action]) => [name, action])).toEqual(
      Object.entries(TEXT_CLASSES).map(([name, info]) => [name, info.action]),
    );
  });

  it('keeps close codes in their documented ranges', () => {
    for (const [code, info] of Object.entries(CLOSE_CODES)) {
      const n = Number(code);
      if (n >= 4000 && n < 4500) expect(info.retry).toBe('reconnect');
      if (n >= 4500) expect(info.retry).toBe('final');
    }
  });
});
