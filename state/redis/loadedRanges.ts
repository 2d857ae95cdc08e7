/**
 * The time ranges a store has loaded, as disjoint closed intervals in order. A range
 * counts as loaded when every entry of it that Redis held was read; what the task wrote
 * since is in its cache anyway, so a loaded range stays loaded until the cache is cleared
 * or forgets the times before some point.
 */
export class LoadedRanges {
  private ranges: Array<readonly [number, number]> = [];

  /** Marks `[from, to]` loaded. */
  add(from: number, to: number): void {
    if (!(from <= to)) return;
    const kept: Array<readonly [number, number]> = [];
    let merged: [number, number] = [from, to];
    for (const range of this.ranges) {
      // Only overlapping ranges merge: times need not be integers, so [1, 5] and [6, 9] leave (5, 6) unknown.
      if (range[1] < merged[0] || range[0] > merged[1]) kept.push(range);
      else merged = [Math.min(merged[0], range[0]), Math.max(merged[1], range[1])];
    }
    kept.push(merged);
    this.ranges = kept.sort((a, b) => a[0] - b[0]);
  }

  /** Every time in `[from, to]` is loaded (an empty range always is). */
  covers(from: number, to: number): boolean {
    if (!(from <= to)) return true;
    return this.ranges.some(([a, b]) => a <= from && to <= b);
  }

  /** Forgets every time before `time`. */
  forgetBefore(time: number): void {
    this.ranges = this.ranges.filter(([, to]) => to >= time).map(([from, to]) => [Math.max(from, time), to] as const);
  }

  /** Forgets every range. */
  clear(): void {
    this.ranges = [];
  }
}
