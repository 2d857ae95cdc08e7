import type { TimeWindow } from '../../processors/record.ts';
import type { SessionStore } from '../sessionStore.ts';
import { StateNotLoadedError } from '../stateNotLoadedError.ts';
import { keyId } from '../stateStore.ts';
import { RedisTimedStore } from './redisTimedStore.ts';
import type { TimedStoreKeys } from './taskKeys.ts';
import type { TimedStoreOptions } from './timedStoreCache.ts';
import { ABSENT } from './writeBehindSlots.ts';

/**
 * A task's session store in Redis (layout in taskKeys.ts): sessions by key, start and end,
 * indexed by key for `findSessions` and by end for `fetchAll` and expiry. Reads come from
 * the write-behind cache; what is not loaded throws StateNotLoadedError.
 */
export class RedisSessionStore<K, V> extends RedisTimedStore implements SessionStore<K, V> {
  constructor(name: string, keys: TimedStoreKeys, options: TimedStoreOptions) {
    super(name, 'session', keys, options);
  }

  findSessions(key: K, earliestEnd: number, latestStart: number): Array<[TimeWindow, V]> {
    const id = keyId(key);
    // A session found ends at or after earliestEnd (and starts no later than it ends), so
    // every end from earliestEnd on being loaded answers as well as the key being loaded.
    if (!this.cache.keyLoadedFrom(id, earliestEnd) && !this.cache.rangeLoaded(earliestEnd, Infinity)) {
      throw new StateNotLoadedError({ store: this.name, kind: 'key', key, from: earliestEnd });
    }
    return this.cache
      .entriesOfKey(id)
      .filter(([meta]) => meta.end >= earliestEnd && meta.start <= latestStart)
      .sort(([a], [b]) => a.start - b.start || a.end - b.end)
      .map(([meta, entry]) => [{ start: meta.start, end: meta.end }, entry.value as V]);
  }

  put(key: K, session: TimeWindow, value: V): void {
    const { field, meta } = this.cache.locate(key, session.start, session.end);
    this.cache.write(field, meta, { key, value });
  }

  remove(key: K, session: TimeWindow): void {
    const { field, meta } = this.cache.locate(key, session.start, session.end);
    this.cache.write(field, meta, ABSENT);
  }

  fetchAll(from: number, to: number): Array<[K, TimeWindow, V]> {
    if (!this.cache.rangeLoaded(from, to)) throw new StateNotLoadedError(this.cache.rangeRequest(this.name, from));
    return this.cache.entriesBetween(from, to).map(([meta, entry]) => [entry.key as K, { start: meta.start, end: meta.end }, entry.value as V]);
  }
}
