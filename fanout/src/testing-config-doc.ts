// Holds docs/config.md to the configuration schemas, as codes-doc.test.ts holds protocol.md to the
// codes: the table under a heading lists exactly the schema's variables, in order, each with the
// default and meaning the schema carries as data.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError, type DocumentedVariable } from './config-shared.js';

const CONFIG_DOC = new URL('../../docs/config.md', import.meta.url);

/** Rows of the first markdown table after `heading`, as arrays of trimmed cells. */
export function markdownTable(doc: string, heading: string): string[][] {
  const start = doc.indexOf(heading);
  if (start < 0) throw new Error(`no "${heading}" section`);
  const rows: string[][] = [];
  let inTable = false;
  for (const line of doc.slice(start).split('\n').slice(1)) {
    if (line.startsWith('|')) {
      inTable = true;
      rows.push(
        line
          .split('|')
          .slice(1, -1)
          .map((cell) => cell.trim()),
      );
    } else if (inTable) break;
  }
  return rows.slice(2); // header and separator
}

/** Defines the tests that hold the table under `heading` in docs/config.md to `variables`. */
export function configDocSuite(heading: string, variables: readonly DocumentedVariable[]): void {
  describe(`docs/config.md "${heading}"`, () => {
    const rows = markdownTable(readFileSync(CONFIG_DOC, 'utf8'), heading);
    const byName = new Map(rows.map(([name, ...cells]) => [name?.replace(/^`|`$/g, ''), cells]));

    it('lists exactly the variables of the schema, in its order', () => {
      expect([...byName.keys()]).toEqual(variables.map((v) => v.name));
    });

    it('gives each variable the default and meaning the schema carries', () => {
      for (const v of variables) {
        expect(byName.get(v.name), v.name).toEqual([v.default, v.meaning]);
      }
    });

    it('shows every default value the schema applies', () => {
      for (const v of variables) {
        if (v.value !== undefined && typeof v.value !== 'object')
          expect(v.default, v.name).toContain(`\`${String(v.value)}\``);
      }
    });
  });
}

/** The problems a config loader reports for `env` (none when it loads). */
export function configProblems<E>(load: (env: E) => unknown, env: E): readonly string[] {
  try {
    load(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}
