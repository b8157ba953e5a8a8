// `pnpm bench:cowatch`: runs the co-watch scenarios in the simulator (virtual time: a second of
// wall clock for minutes of simulated playback) and prints the sync-error table and the verdict
// on the goals. Deterministic for a given seed. Exit code 1 when a goal is missed, 2 on bad usage.

import { parseArgs } from 'node:util';
import { analyze } from './sim/measure.js';
import { GOALS_TEXT, formatTable } from './sim/report.js';
import { benchScenarios, runScenario } from './sim/scenario.js';

const USAGE = 'usage: tsx cowatch/src/bench.ts [--members N] [--seed S] [--duration-s D]';

/** Scenarios place host commands every 10 s from 10 s on and leave 5 s after the last one. */
const MIN_DURATION_S = 15;

interface BenchArgs {
  members: number;
  seed: number;
  durationS: number;
}

/** A bad command line: printed without a stack. */
class UsageError extends Error {
  override readonly name = 'UsageError';
}

function positiveInt(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) {
    throw new UsageError(`--${name} must be a positive integer, got ${raw}`);
  }
  return value;
}

/** Parsed arguments, or undefined when only help was asked for. */
function parseBenchArgs(argv: string[]): BenchArgs | undefined {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        members: { type: 'string' },
        seed: { type: 'string' },
        'duration-s': { type: 'string' },
        help: { type: 'boolean' },
      },
    }));
  } catch (err) {
    throw new UsageError((err as Error).message, { cause: err });
  }
  if (values.help) return undefined;
  const durationS = positiveInt('duration-s', values['duration-s'], 60);
  if (durationS < MIN_DURATION_S) {
    throw new UsageError(`--duration-s must be at least ${MIN_DURATION_S}`);
  }
  return {
    members: positiveInt('members', values.members, 10),
    seed: positiveInt('seed', values.seed, 1),
    durationS,
  };
}

function run({ members, seed, durationS }: BenchArgs): boolean {
  const started = performance.now();
  const results = benchScenarios(members, durationS * 1000, seed).map((spec, i) =>
    analyze(runScenario(spec, seed * 1000 + i)),
  );
  const elapsedS = ((performance.now() - started) / 1000).toFixed(1);
  console.log(
    `co-watch sync benchmark: ${members} members, seed ${seed}, ${durationS} s simulated per scenario`,
  );
  console.log(GOALS_TEXT);
  console.log('');
  console.log(formatTable(results));
  console.log('');
  // Stress rows (beyond the promised range) are reported, not held.
  const missed = results.filter((r) => !r.stress && !Object.values(r.goals).every(Boolean));
  console.log(
    missed.length === 0
      ? `all goals met (${elapsedS} s wall clock)`
      : `goals MISSED in: ${missed.map((r) => r.name).join(', ')} (${elapsedS} s wall clock)`,
  );
  return missed.length === 0;
}

try {
  const args = parseBenchArgs(process.argv.slice(2));
  if (args === undefined) console.log(USAGE);
  else if (!run(args)) process.exitCode = 1;
} catch (err) {
  if (!(err instanceof UsageError)) throw err;
  console.error(`${err.message}\n${USAGE}`);
  process.exitCode = 2;
}
