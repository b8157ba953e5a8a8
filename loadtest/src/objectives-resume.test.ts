import { describe, expect, it } from 'vitest';
import { resumeObjective } from './objectives-resume.js';
import { emptyRow } from './scenario-row.js';
import type { ScenarioRow } from './scenario-row.js';

function row(name: string, patch: Partial<ScenarioRow>): ScenarioRow {
  return { ...emptyRow(name, 'fanfare', patch.shards ?? 1, patch.fans ?? 19_000), ...patch };
}

const clean = { dropped: 3798, resumed: 3798, resumeP50Ms: 400, resumeP99Ms: 1200, serverCpu: 70 };

describe('resumeObjective', () => {
  it('meets the goal when every fan is back within 1.5 s and nothing is lost', () => {
    const o = resumeObjective([row('recovery', clean)], 'recovery');
    expect(o).toMatchObject({ id: 'resume-recovery', value: 1200, threshold: 1500, met: true });
  });

  it("misses a slow storm and prices it with the run's own CPU per resume", () => {
    const rows = [
      row('recovery', { ...clean, resumeP50Ms: 2020, resumeP99Ms: 5960 }),
      row('resume-storm', { cpuUsPerResume: 263 }),
    ];
    const o = resumeObjective(rows, 'recovery');
    expect(o).toMatchObject({ value: 5960, met: false });
    expect(o.limit).toContain('3,798 resumes at once took p50 2020 ms, p99 5960 ms');
    expect(o.limit).toContain('263 CPU-µs per resume (resume-storm) they need 1 s');
    expect(o.limit).toContain('servers at 70% of a core');
  });

  it('prices a fan that drops and comes back with its close as well as its resume', () => {
    const rows = [
      row('recovery', { ...clean, resumeP99Ms: 5960 }),
      row('resume-storm', { cpuUsPerResume: 150, cpuUsPerClose: 30 }),
    ];
    const o = resumeObjective(rows, 'recovery');
    // 3,798 x (150 + 30) µs = 0.68 s.
    expect(o.limit).toContain(
      '150 CPU-µs per resume and 30 per close (resume-storm) they need 0.68 s',
    );
  });

  it('misses a fast storm that left fans out or lost a message, and says which', () => {
    const missing = resumeObjective([row('recovery', { ...clean, resumed: 3790 })], 'recovery');
    expect(missing.met).toBe(false);
    expect(missing.limit).toContain('8 of 3,798 fans did not resume');
    const lossy = resumeObjective(
      [row('recovery', { ...clean, lost: 2, reordered: 1 })],
      'recovery',
    );
    expect(lossy.met).toBe(false);
    expect(lossy.limit).toContain('2 lost, 0 duplicated, 1 reordered');
  });

  it('does not let a storm smaller than one shard meet the goal', () => {
    const o = resumeObjective(
      [row('recovery', { ...clean, fans: 2000, dropped: 398, resumed: 398 })],
      'recovery',
    );
    expect(o).toMatchObject({ value: 1200, met: false });
    expect(o.limit).toContain('a smaller run than one shard');
  });

  it('checks the shard-kill row the same way, whatever its shard count', () => {
    const rows = [row('shard-kill', { ...clean, shards: 3, fans: 6000, resumeP99Ms: 900 })];
    expect(resumeObjective(rows, 'shard-kill')).toMatchObject({
      id: 'resume-shard-kill',
      value: 900,
      met: true,
    });
    // The recovery row says nothing about a killed shard.
    expect(resumeObjective([row('recovery', clean)], 'shard-kill')).toMatchObject({
      value: null,
      met: null,
      limit: 'not measured (pnpm loadtest shard-kill)',
    });
  });

  it('reports a row where no fan dropped, or a failed run, as not measured', () => {
    expect(
      resumeObjective([row('recovery', { dropped: 0, resumeP99Ms: 0 })], 'recovery'),
    ).toMatchObject({
      met: null,
      limit: 'not measured: no fan dropped',
    });
    expect(
      resumeObjective([row('shard-kill', { notes: ['failed: boom'] })], 'shard-kill'),
    ).toMatchObject({
      met: null,
      limit: 'the run failed',
    });
  });

  it("does not count a peer's row", () => {
    const peer = { ...row('recovery', clean), target: 'uws-raw' as const };
    expect(resumeObjective([peer], 'recovery').met).toBeNull();
  });
});
