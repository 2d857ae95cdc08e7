/** The budget unless a worker is told otherwise (TRIBUTARY_STATE_CACHE_ENTRIES, `--state-cache-entries`). */
export const DEFAULT_STATE_CACHE_ENTRIES = 200_000;

/**
 * How many entries the write-behind caches of one worker's tasks may hold together, so the
 * worker's memory is bounded whatever number of tasks it owns. Each task reports its cache's
 * size after each commit; a task over an equal share of the budget empties its committed
 * entries (pending writes stay) when the tasks together are over it, and loads again what it
 * reads next. A task under its share never has to: the others are over it first.
 */
export class StateCacheBudget {
  private readonly sizes = new Map<object, number>();
  private total = 0;

  constructor(readonly maxEntries: number) {
    if (!(Number.isInteger(maxEntries) && maxEntries >= 0)) throw new RangeError(`a state cache budget is a whole number of entries ≥ 0, not ${maxEntries}`);
  }

  /** The entries the caches hold together now. */
  get entries(): number {
    return this.total;
  }

  /** Records how many entries a task's cache holds now. */
  set(task: object, entries: number): void {
    this.total += entries - (this.sizes.get(task) ?? 0);
    this.sizes.set(task, entries);
  }

  /** Whether a task should empty its committed entries: the caches hold more than the budget, and this one more than its share. */
  overdrawn(task: object): boolean {
    return this.total > this.maxEntries && (this.sizes.get(task) ?? 0) > this.maxEntries / this.sizes.size;
  }

  /** A task's cache is gone (closed). */
  release(task: object): void {
    this.total -= this.sizes.get(task) ?? 0;
    this.sizes.delete(task);
  }
}
