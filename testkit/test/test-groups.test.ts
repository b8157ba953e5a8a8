// Holds the suite's two groups (src/test-groups.ts, docs/testing.md) to the files there are: a
// file that plays video in Chromium or measures time (performance.now, Date.now minus a start) must
// be listed as serial or as reviewed for the parallel group, so a new timing check cannot land in
// the parallel group without someone deciding it may; and no list names a file that is gone.

import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PARALLEL_REVIEWED, SERIAL_TEST_FILES, testWorkers } from '../src/test-groups.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Every test file as vitest.config.ts finds it: `<package>/{src,test}/**\/*.test.ts`. */
function testFiles(): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory()
        ? walk(join(dir, e.name))
        : e.name.endsWith('.test.ts')
          ? [join(dir, e.name)]
          : [],
    );
  return readdirSync(ROOT, { withFileTypes: true })
    .filter((e) => e.isDirectory() && e.name !== 'node_modules' && !e.name.startsWith('.'))
    .flatMap((e) => ['src', 'test'].map((sub) => join(ROOT, e.name, sub)))
    .filter((dir) => existsSync(dir))
    .flatMap(walk)
    .map((file) => relative(ROOT, file).split(sep).join('/'))
    .sort();
}

/** Why a file needs a decision, or undefined: it plays video in Chromium, or reads a clock. */
function timingMarker(source: string): string | undefined {
  const chromium = /\b(chromiumAvailable|launchChromium|startWebHarness)\b/.test(source);
  if (chromium && /\bffmpegAvailable\b/.test(source)) return 'plays video in Chromium';
  if (/performance\.now\(\)|Date\.now\(\) -/.test(source)) return 'times something';
  return undefined;
}

describe('the test groups', () => {
  const files = testFiles();

  it('name only test files that exist, each in one list', () => {
    const serial = Object.keys(SERIAL_TEST_FILES);
    const reviewed = Object.keys(PARALLEL_REVIEWED);
    expect([...serial, ...reviewed].filter((f) => !files.includes(f))).toEqual([]);
    expect(serial.filter((f) => reviewed.includes(f))).toEqual([]);
  });

  it('hold every file with a timing marker: serial, or reviewed for the parallel group', () => {
    expect(files.length).toBeGreaterThan(100);
    const undecided = files.filter(
      (f) =>
        !(f in SERIAL_TEST_FILES) &&
        !(f in PARALLEL_REVIEWED) &&
        timingMarker(readFileSync(join(ROOT, f), 'utf8')) !== undefined,
    );
    const hint =
      'add each to SERIAL_TEST_FILES or PARALLEL_REVIEWED in testkit/src/test-groups.ts ' +
      '(docs/testing.md says which)';
    expect(undecided, hint).toEqual([]);
  });

  it('runs 2 workers by default, FANFARE_TEST_WORKERS when set, and refuses nonsense', () => {
    expect(testWorkers({})).toBe(2);
    expect(testWorkers({ FANFARE_TEST_WORKERS: '3' })).toBe(3);
    expect(() => testWorkers({ FANFARE_TEST_WORKERS: '0' })).toThrow(/not a count/);
    expect(() => testWorkers({ FANFARE_TEST_WORKERS: 'many' })).toThrow(/not a count/);
  });
});
