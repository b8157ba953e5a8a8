// The recovery objective's floor follows the suite's shard size (a file of its own: the suite's
// sizes are mocked here, which would change every other test's rows).

import { describe, expect, it, vi } from 'vitest';
import { resumeObjective } from './objectives-resume.js';
import { emptyRow } from './scenario-row.js';
import type * as SuiteSizes from './suite-sizes.js';

vi.mock('./suite-sizes.js', async (importOriginal) => ({
  ...(await importOriginal<typeof SuiteSizes>()),
  SUITE_SHARD_FANS: 1000,
}));

const recovery = (fans: number) => ({
  ...emptyRow('recovery', 'fanfare', 1, fans),
  dropped: 200,
  resumed: 200,
  resumeP50Ms: 400,
  resumeP99Ms: 1200,
});

describe('the recovery objective with another shard size', () => {
  it('holds a storm to 95 % of SUITE_SHARD_FANS, whatever it is', () => {
    expect(resumeObjective([recovery(950)], 'recovery').met).toBe(true);
    expect(resumeObjective([recovery(949)], 'recovery').met).toBe(false);
  });
});
