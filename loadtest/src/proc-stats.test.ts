import { describe, expect, it } from 'vitest';
import { readCpuSeconds, readHostBusySeconds, readRssKiB } from './proc-stats.js';

describe.runIf(process.platform === 'linux')('proc stats', () => {
  it('reads a plausible RSS for this process', async () => {
    const rssKiB = await readRssKiB(process.pid);
    expect(rssKiB * 1024).toBeGreaterThan(process.memoryUsage().heapUsed / 2);
  });

  it('reads CPU time that grows with work', async () => {
    const before = await readCpuSeconds(process.pid);
    const until = Date.now() + 60;
    while (Date.now() < until) Math.sqrt(Math.random());
    expect(await readCpuSeconds(process.pid)).toBeGreaterThan(before);
  });

  it('reads host CPU time of at least what this process used', async () => {
    const hostBefore = await readHostBusySeconds();
    const selfBefore = await readCpuSeconds(process.pid);
    const until = Date.now() + 60;
    while (Date.now() < until) Math.sqrt(Math.random());
    const self = (await readCpuSeconds(process.pid)) - selfBefore;
    // Both are read in clock ticks; allow one tick per CPU of rounding.
    expect((await readHostBusySeconds()) - hostBefore).toBeGreaterThanOrEqual(self - 0.05);
  });
});
