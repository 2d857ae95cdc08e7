/**
 * Items kept in an order whose first criterion is a time, for range scans that cost
 * O(log n + found). Additions and removals are batched and applied at the next scan:
 * a few additions are inserted in place, many are sorted and merged.
 */
export class OrderedSlots<T> {
  private sorted: T[] = [];
  private added: T[] = [];
  private readonly removed = new Set<T>();

  constructor(
    private readonly compare: (a: T, b: T) => number,
    private readonly timeOf: (item: T) => number,
  ) {}

  /** Adds an item (each item at most once). */
  add(item: T): void {
    this.added.push(item);
  }

  /** Removes an item added earlier (each item is added at most once). */
  remove(item: T): void {
    this.removed.add(item);
  }

  /** Removes every item. */
  clear(): void {
    this.sorted = [];
    this.added = [];
    this.removed.clear();
  }

  /** The items with time in `[from, to]`, in order. */
  between(from: number, to: number): T[] {
    this.settle();
    const found: T[] = [];
    for (let i = this.firstAtOrAfter(from); i < this.sorted.length; i++) {
      const item = this.sorted[i]!;
      if (this.timeOf(item) > to) break;
      found.push(item);
    }
    return found;
  }

  private settle(): void {
    if (this.removed.size > 0) {
      this.sorted = this.sorted.filter((item) => !this.removed.has(item));
      this.added = this.added.filter((item) => !this.removed.has(item));
      this.removed.clear();
    }
    if (this.added.length === 0) return;
    if (this.added.length <= 16) {
      for (const item of this.added) this.sorted.splice(this.insertionPoint(item), 0, item);
    } else {
      this.sorted = merge(this.sorted, this.added.sort(this.compare), this.compare);
    }
    this.added = [];
  }

  private firstAtOrAfter(time: number): number {
    let lo = 0;
    let hi = this.sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.timeOf(this.sorted[mid]!) < time) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private insertionPoint(item: T): number {
    let lo = 0;
    let hi = this.sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.compare(this.sorted[mid]!, item) <= 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

function merge<T>(a: readonly T[], b: readonly T[], compare: (x: T, y: T) => number): T[] {
  const out: T[] = new Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) out[k++] = compare(a[i]!, b[j]!) <= 0 ? a[i++]! : b[j++]!;
  while (i < a.length) out[k++] = a[i++]!;
  while (j < b.length) out[k++] = b[j++]!;
  return out;
}
