// Keeps docs/api.md's error table and PROBLEM_CODES in step.

import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { PROBLEM_CODES } from '../src/index.js';

it('docs/api.md lists exactly the problem codes with their statuses', () => {
  const doc = readFileSync(new URL('../../docs/api.md', import.meta.url), 'utf8');
  const section = doc.slice(doc.indexOf('## Errors'));
  const rows = section
    .split('\n')
    .filter((line) => /^\| `[a-z_]+` +\|/.test(line))
    .map((line) => line.split('|').map((cell) => cell.trim().replace(/`/g, '')));
  expect(rows.map(([, code, status]) => [code, Number(status)])).toEqual(
    Object.entries(PROBLEM_CODES).map(([code, info]) => [code, info.status]),
  );
});
