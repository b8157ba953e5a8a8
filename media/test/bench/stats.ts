// The one percentile the media benchmarks report with, so their figures are comparable.

/** The `p` quantile (0 to 1) of `values` by the nearest rank below; NaN for none. */
export function pct(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;
}
