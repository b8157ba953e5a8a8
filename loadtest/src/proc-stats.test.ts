import { describe, expect, it } from 'vitest';
import {
  readCpuSeconds,
  readHostBusySeconds,
  readRssKiB,
  readTickCpuSeconds,
} from './proc-stats.js';

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

  it('reads CPU time finer than a clock tick, agreeing with the ticks', async () => {
    // getrusage (process.cpuUsage) brackets both readings: whatever other threads (GC, the
    // libuv pool serving the reads) and a loaded machine add shows in both figures alike.
    const outer = process.cpuUsage();
    const a = await readCpuSeconds(process.pid);
    // 3 ms of this process's CPU, however long the machine makes it take.
    const start = process.cpuUsage();
    while (process.cpuUsage(start).user + process.cpuUsage(start).system < 3000) Math.random();
    const b = await readCpuSeconds(process.pid);
    const bracket = process.cpuUsage(outer);
    const bracketSeconds = (bracket.user + bracket.system) / 1e6;
    // At least the 3 ms spun, at most what the process used around the two readings.
    expect(b - a).toBeGreaterThan(0.0025);
    expect(b - a).toBeLessThanOrEqual(bracketSeconds + 0.001);
    // Nanoseconds, not 10 ms ticks: a tick-grained difference is a whole number of ticks.
    expect(Math.round((b - a) * 1e6) % 10_000).not.toBe(0);
    expect(Math.abs(b - (await readTickCpuSeconds(process.pid)))).toBeLessThan(0.05);
  });

  it('reads host CPU time of at least what this process used', async () => {
    const hostBefore = await readHostBusySeconds();
    const selfBefore = await readCpuSeconds(process.pid);
    const until = Date.now() + 60;
    while (Date.now() < until) Math.sqrt(Math.random());
    const self = (await readCpuSeconds(process.pid)) - selfBefore;
    // The host's is read in clock ticks; allow one tick per CPU of rounding.
    expect((await readHostBusySeconds()) - hostBefore).toBeGreaterThanOrEqual(self - 0.05);
  });
});
