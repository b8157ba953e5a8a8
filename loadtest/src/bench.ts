// `pnpm bench`: the embedded engine idle (embedded-idle.ts), then the default suite (suite.ts):
// Fanfare and its peers, every scenario, one run. Prints progress, a table and what a join and a
// delivery cost each target, checks the targets (reported, never asserted), and writes
// loadtest/results/latest.json, latest.html (inline SVG charts) and capacity.json (what one
// shard held within the latency objective, for the pre-warm planner). Bounded in time; stops
// everything it started on every way out.

import { fileURLToPath } from 'node:url';
import { writeFile } from 'node:fs/promises';
import { capacityProfile } from './capacity.js';
import { cpuCosts, formatCosts } from './cpu-costs.js';
import { embeddedIdle } from './embedded-idle.js';
import { resultsPage } from './html-report.js';
import type { ResultsDocument } from './html-report.js';
import { machineInfo } from './machine.js';
import { formatObjectives, objectives, ratios } from './objectives.js';
import { DEFAULT_OBJECTIVE_MS } from './options.js';
import { writeResults } from './report.js';
import { formatRows } from './rows-table.js';
import { Resources, runSession } from './runner.js';
import type { ScenarioRow } from './scenario-row.js';
import { suitePlans } from './suite.js';

const RESULTS = fileURLToPath(new URL('../results/', import.meta.url));
/** The suite is planned for under 10 minutes; past this something hangs, and the run stops. */
const SUITE_LIMIT_MS = 14 * 60_000;

function log(line: string): void {
  process.stderr.write(`[bench] ${line}\n`);
}

async function main(): Promise<number> {
  if (process.argv.slice(2).some((a) => a !== '--')) {
    process.stderr.write(
      'pnpm bench runs the default suite and takes no options; one scenario with options: pnpm loadtest --help\n',
    );
    return 2;
  }
  const resources = new Resources();
  const stopAndExit = (code: number): void => {
    void resources.closeAll().finally(() => process.exit(code));
  };
  const watchdog = setTimeout(() => {
    log(`suite time limit (${SUITE_LIMIT_MS / 60_000} min) reached; stopping`);
    stopAndExit(1);
  }, SUITE_LIMIT_MS);
  process.once('SIGINT', () => {
    log('interrupted; stopping');
    stopAndExit(130);
  });

  const startedAt = new Date().toISOString();
  const machine = machineInfo(true);
  const began = performance.now();
  const rows: ScenarioRow[] = [];
  try {
    // First, while nothing else of the run is started: the engine alone, nobody connected.
    rows.push(await embeddedIdle(log, (c) => resources.track(c)));
    for (const plan of suitePlans()) {
      rows.push(...(await runSession(plan, resources, log)).rows);
      log(`${((performance.now() - began) / 1000).toFixed(0)} s so far`);
    }
  } finally {
    await resources.closeAll();
    clearTimeout(watchdog);
  }
  const doc: ResultsDocument = {
    startedAt,
    finishedAt: new Date().toISOString(),
    machine,
    scenarios: rows,
    ratios: ratios(rows),
    objectives: objectives(rows),
  };
  const capacity = capacityProfile(rows, machine, startedAt, DEFAULT_OBJECTIVE_MS);
  await writeResults(`${RESULTS}latest.json`, doc);
  await writeResults(`${RESULTS}capacity.json`, capacity);
  await writeFile(`${RESULTS}latest.html`, resultsPage(doc, DEFAULT_OBJECTIVE_MS));

  process.stdout.write(
    `\nFanfare against its peers (${((performance.now() - began) / 1000).toFixed(0)} s)\n\n`,
  );
  process.stdout.write(`${formatRows(rows)}\n\n`);
  for (const r of doc.ratios) {
    process.stdout.write(
      `  ${r.scenario} (${r.fans} fans, ${r.shards} shard${r.shards > 1 ? 's' : ''}): fanfare ${r.ratio ?? '-'}x ${r.peer}\n`,
    );
  }
  process.stdout.write(
    `\nWhat a join and a delivery cost each server (its own CPU-µs per unit, beside its rate):\n${formatCosts(cpuCosts(rows))}\n`,
  );
  process.stdout.write(
    `\nTargets (reported, not asserted):\n${formatObjectives(doc.objectives)}\n`,
  );
  process.stdout.write(`\n  written to ${RESULTS}latest.json, latest.html and capacity.json\n`);
  return rows.some((r) => r.notes.some((n) => n.startsWith('failed:'))) ? 1 : 0;
}

// Exit explicitly: idle keep-alive sockets must not hold a finished run open.
main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    log(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);
