import { StateNotLoadedError } from '../stateNotLoadedError.ts';
import { keyId } from '../stateStore.ts';
import type { WindowStore } from '../windowStore.ts';
import { RedisTimedStore } from './redisTimedStore.ts';
import type { TimedStoreKeys } from './taskKeys.ts';
import type { TimedStoreOptions } from './timedStoreCache.ts';
import { ABSENT } from './writeBehindSlots.ts';

/**
 * A task's window store in Redis (layout in taskKeys.ts): entries by key and window start,
 * indexed by key for `fetch`/`fetchRange` and by start for `fetchAll` and expiry. Reads
 * come from the write-behind cache; what is not loaded throws StateNotLoadedError.
 */
export class RedisWindowStore<K, V> extends RedisTimedStore implements WindowStore<K, V> {
  constructor(name: string, keys: TimedStoreKeys, options: TimedStoreOptions) {
    super(name, 'window', keys, options);
  }

  fetch(key: K, windowStart: number): V | undefined {
    const { field, meta } = this.cache.locate(key, windowStart, windowStart);
    const known = this.cache.read(field, meta);
    if (known === undefined) throw new StateNotLoadedError({ store: this.name, kind: 'key', key, from: windowStart });
    return known === ABSENT ? undefined : (known.value as V);
  }

  put(key: K, windowStart: number, value: V): void {
    const { field, meta } = this.cache.locate(key, windowStart, windowStart);
    this.cache.write(field, meta, { key, value });
  }

  delete(key: K, windowStart: number): void {
    const { field, meta } = this.cache.locate(key, windowStart, windowStart);
    this.cache.write(field, meta, ABSENT);
  }

  fetchRange(key: K, from: number, to: number): Array<[number, V]> {
    const id = keyId(key);
    if (!this.cache.keyLoadedFrom(id, from) && !this.cache.rangeLoaded(from, to)) throw new StateNotLoadedError({ store: this.name, kind: 'key', key, from });
    return this.cache
      .entriesOfKey(id)
      .filter(([meta]) => meta.start >= from && meta.start <= to)
      .sort(([a], [b]) => a.start - b.start)
      .map(([meta, entry]) => [meta.start, entry.value as V]);
  }

  fetchAll(from: number, to: number): Array<[K, number, V]> {
    if (!this.cache.rangeLoaded(from, to)) throw new StateNotLoadedError(this.cache.rangeRequest(this.name, from));
    return this.cache.entriesBetween(from, to).map(([meta, entry]) => [entry.key as K, meta.start, entry.value as V]);
  }
}
