// The SRE tab's fan-out chart as data: the cluster's highest fan-out p99 (each shard's last 10 s,
// `totals.fanoutP99Ms` of `GET /v1/shards`) at each read, kept for FANOUT_CHART_S, with the
// FANOUT_GOAL_MS line beside it. Pure: the caller feeds each answer with the time it read it.

/** The fan-out latency goal the alert rules use (FanfareFanoutLatencyHigh), ms. */
export const FANOUT_GOAL_MS = 250;
/** How much history the chart keeps, s: 15 minutes. */
export const FANOUT_CHART_S = 900;

/** uPlot's aligned data: seconds since the epoch, the max p99 (null: nothing sent), the goal. */
export type FanoutChartData = [number[], (number | null)[], number[]];

/** How one shard's fan-out figure reads in the table. */
export function fanoutText(
  fanout: { delivered: number; p99Ms: number | null } | undefined,
): string {
  if (fanout === undefined) return '–';
  return fanout.p99Ms === null ? 'idle' : `${fanout.p99Ms} ms`;
}

export class FanoutSeries {
  readonly #t: number[] = [];
  readonly #p99: (number | null)[] = [];

  constructor(readonly windowS = FANOUT_CHART_S) {}

  /** The highest p99 of the shards read at `atMs` (null when none sent anything). */
  add(p99Ms: number | null, atMs: number): void {
    const t = atMs / 1000;
    const last = this.#t.at(-1);
    if (last !== undefined && t <= last) return; // an answer older than one already shown
    this.#t.push(t);
    this.#p99.push(p99Ms);
    let drop = 0;
    while (drop < this.#t.length && this.#t[drop]! < t - this.windowS) drop++;
    if (drop > 0) {
      this.#t.splice(0, drop);
      this.#p99.splice(0, drop);
    }
  }

  data(): FanoutChartData {
    return [[...this.#t], [...this.#p99], this.#t.map(() => FANOUT_GOAL_MS)];
  }
}
