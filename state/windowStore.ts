import type { StateStore } from './stateStore.ts';

/**
 * A store of values per key and window start, for windowed aggregations and
 * stream-stream joins. Entries older than the retention period may be gone.
 */
export interface WindowStore<K, V> extends StateStore {
  fetch(key: K, windowStart: number): V | undefined;
  put(key: K, windowStart: number, value: V): void;
  delete(key: K, windowStart: number): void;
  /** The entries of one key whose window start is in `[from, to]`, by window start. */
  fetchRange(key: K, from: number, to: number): Array<[number, V]>;
  /** The entries of every key whose window start is in `[from, to]`, by window start then key. */
  fetchAll(from: number, to: number): Array<[K, number, V]>;
}
