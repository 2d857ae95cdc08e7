/** The q-quantile (0 < q ≤ 1) of ascending `sorted` by nearest rank: a value that was observed. */
export function percentile(sorted: readonly number[], q: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}
