import type { WindowStore } from '../../state/windowStore.ts';

/**
 * Keys due at given times, each with a tag saying what is due, kept in a window store whose
 * window start is the due time. A window store is ordered by window start (a sorted set on
 * Redis), so the entries due by `now` are one range read, never a scan of every key; and
 * an entry is found by its key with the key's other state, so adding and removing one
 * needs no extra load.
 *
 * The store must be declared without retention: entries leave only when removed.
 */
export class DeadlineIndex<K, T> {
  constructor(private readonly store: WindowStore<K, T>) {}

  /** Marks `key` due at `at` for `tag`. */
  add(key: K, at: number, tag: T): void {
    this.store.put(key, at, tag);
  }

  /** Unmarks `key` at `at`. */
  remove(key: K, at: number): void {
    this.store.delete(key, at);
  }

  /** The entries due at or before `now`, earliest first (ties by key). */
  due(now: number): Array<[K, number, T]> {
    return this.store.fetchAll(-Infinity, now);
  }
}
