import { defineConfig } from 'vitest/config';
import { SERIAL_TEST_FILES, testWorkers } from './testkit/src/test-groups.js';

// Two groups (docs/testing.md): `parallel` runs first, its files TEST_WORKERS at a time; then
// `serial` runs the files of SERIAL_TEST_FILES one at a time, with nothing else running.
const ALL = ['*/src/**/*.test.ts', '*/test/**/*.test.ts'];
const SERIAL = Object.keys(SERIAL_TEST_FILES);

export default defineConfig({
  test: {
    // No `include` here: a project that `extends` the root would get the root's list as well.
    pool: 'forks',
    // Limits for a hung test, not speed checks: twice a file's old serial-run limits and then
    // some, as two files share two cores (and PGlite's start, ~3 s alone, took 30 s and more with
    // the whole suite on a machine shared with other runs).
    testTimeout: 60_000,
    hookTimeout: 90_000,
    // expect.poll's own default gives up after 1 s: a speed check on whatever the test polls
    // (a room closing, a bus signal landing), which a loaded machine can miss with nothing wrong.
    expect: { poll: { timeout: 15_000 } },
    projects: [
      {
        extends: true,
        test: {
          name: 'parallel',
          include: ALL,
          exclude: ['**/node_modules/**', ...SERIAL],
          maxWorkers: testWorkers(process.env),
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'serial',
          include: SERIAL,
          maxWorkers: 1,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
