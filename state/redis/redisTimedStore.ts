import type { LoadRequest } from '../taskState.ts';
import type { CachedStore, PlannedRead } from './cachedStore.ts';
import type { StoreWrites } from './taskScripts.ts';
import type { TimedStoreKeys } from './taskKeys.ts';
import { TimedStoreCache, type TimedKind, type TimedStoreOptions } from './timedStoreCache.ts';

/** What window and session stores share: a TimedStoreCache the task state drives. */
export abstract class RedisTimedStore implements CachedStore {
  protected readonly cache: TimedStoreCache;

  constructor(
    readonly name: string,
    kind: TimedKind,
    keys: TimedStoreKeys,
    options: TimedStoreOptions,
  ) {
    this.cache = new TimedStoreCache(kind, keys, options);
  }

  get dirty(): boolean {
    return this.cache.slots.dirty;
  }

  get size(): number {
    return this.cache.size;
  }

  plan(requests: readonly LoadRequest[]): PlannedRead[] {
    return this.cache.plan(requests);
  }

  beginCommit(): StoreWrites | undefined {
    return this.cache.beginCommit();
  }

  endCommit(applied: boolean): void {
    this.cache.endCommit(applied);
  }

  rollback(): void {
    this.cache.slots.rollback();
  }

  forgetCommitted(): void {
    this.cache.forgetCommitted();
  }

  clear(): void {
    this.cache.clear();
  }
}
