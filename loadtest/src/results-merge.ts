// A scenario run outside the default suite (the cluster scenario) puts its rows into the suite's
// results too: latest.json gains them in place of any earlier rows of the same scenario, and the
// targets and ratios are computed again, so latest.html shows them beside the suite's rows.

import type { ResultsDocument } from './html-report.js';
import type { MachineInfo } from './machine.js';
import { objectives, ratios } from './objectives.js';
import type { ScenarioRow } from './scenario-row.js';

export function mergeRows(
  existing: ResultsDocument | undefined,
  rows: readonly ScenarioRow[],
  run: { startedAt: string; finishedAt: string; machine: MachineInfo },
): ResultsDocument {
  const names = new Set(rows.map((r) => r.name));
  const kept = (existing?.scenarios ?? []).filter((r) => !names.has(r.name));
  const scenarios = [...kept, ...rows];
  return {
    // A suite's run keeps its own dates and machine; the merged rows carry their run in `runs`.
    startedAt: existing?.startedAt ?? run.startedAt,
    finishedAt: existing?.finishedAt ?? run.finishedAt,
    machine: existing?.machine ?? run.machine,
    scenarios,
    ratios: ratios(scenarios),
    objectives: objectives(scenarios),
    runs: {
      ...existing?.runs,
      ...Object.fromEntries([...names].map((n) => [n, run])),
    },
  };
}

/** latest.json as read back; undefined when there is none or it is not a results document. */
export function parseResults(text: string | undefined): ResultsDocument | undefined {
  if (text === undefined) return undefined;
  try {
    const doc = JSON.parse(text) as Partial<ResultsDocument> | null;
    return Array.isArray(doc?.scenarios) ? (doc as ResultsDocument) : undefined;
  } catch {
    return undefined; // A torn or foreign file: the merged document starts afresh.
  }
}
